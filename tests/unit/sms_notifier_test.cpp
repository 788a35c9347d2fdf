// Codes sent by SMS: the masked phone, the development file sink, the
// webhook notifier against a real gateway stand-in on loopback, and the SMS
// sender's retries and dead letters on a real database.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/metrics.hpp"
#include "http/server.hpp"
#include "identity/code_delivery.hpp"
#include "identity/file_sink_notifier.hpp"
#include "identity/notifier_config.hpp"
#include "identity/phone_mask.hpp"
#include "identity/sms_queue.hpp"
#include "identity/sms_sender.hpp"
#include "identity/user_store.hpp"
#include "identity/webhook_notifier.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

using namespace std::chrono_literals;

std::vector<nlohmann::json> json_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// Polls `done` until it holds or 10 s pass (the sender works on its own thread).
template <class Condition>
bool eventually(Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);  // poll interval, not synchronisation
  }
  return true;
}

// The district's SMS gateway on a loopback port: records what it is sent,
// and fails the first `failures` requests with 503.
class GatewayStandIn {
 public:
  explicit GatewayStandIn(int failures)
      : failures_(failures),
        port_(testing::free_loopback_port()),
        server_({.address = "127.0.0.1", .port = port_, .worker_threads = 1}, metrics_) {
    server_.route(http::Method::post, "/sms", [this](const http::Request& request) {
      std::lock_guard lock(mutex_);
      received_.push_back(nlohmann::json::parse(request.body));
      if (static_cast<int>(received_.size()) <= failures_)
        return http::Response::json(503, {{"error", "busy"}});
      return http::Response::json(200, {{"accepted", true}});
    });
    server_.start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  std::vector<nlohmann::json> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  int failures_;
  std::uint16_t port_;
  core::MetricsRegistry metrics_;
  http::Server server_;
  std::mutex mutex_;
  std::vector<nlohmann::json> received_;
};

TEST(PhoneMask, KeepsTheCountryCodeAndTheLastTwoDigits) {
  EXPECT_EQ(mask_phone("+84912345678"), "+8491•••••78");
  EXPECT_EQ(mask_phone("+255712345612"), "+2557••••••12");
  EXPECT_EQ(mask_phone("1234567"), "•••••67");
  EXPECT_EQ(mask_phone("12"), "••");
  EXPECT_EQ(mask_phone(""), "");
}

TEST(FileSinkNotifier, AppendsOneJsonLinePerMessage) {
  testing::ScratchDir dir;
  FileSinkNotifier sink(dir.path() / "sub" / "sms.jsonl");
  sink.send({"+84912345678", "first"});
  sink.send({"+84987654321", "second \"quoted\"\nline"});
  const auto lines = json_lines(dir.path() / "sub" / "sms.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["to"], "+84912345678");
  EXPECT_EQ(lines[0]["message"], "first");
  EXPECT_TRUE(core::parse_iso8601(lines[0]["at"].get<std::string>()));
  EXPECT_EQ(lines[1]["to"], "+84987654321");
  EXPECT_EQ(lines[1]["message"], "second \"quoted\"\nline");
}

TEST(NotifierConfig, OffByDefaultAndNeverBoth) {
  testing::ScratchDir dir;
  EXPECT_EQ(notifier_from_config(core::Config{}, dir.path()), nullptr);
  const auto sink = notifier_from_config(core::Config::from({}, {{"EMIS_SMS_DEV_SINK", "1"}}), dir.path());
  ASSERT_NE(dynamic_cast<FileSinkNotifier*>(sink.get()), nullptr);
  EXPECT_EQ(dynamic_cast<FileSinkNotifier&>(*sink).file(), dir.path() / kDevSinkFileName);
  EXPECT_NE(dynamic_cast<WebhookNotifier*>(
                notifier_from_config(
                    core::Config::from({}, {{"EMIS_SMS_WEBHOOK_URL", "http://127.0.0.1:1/sms"}}), dir.path())
                    .get()),
            nullptr);
  EXPECT_THROW(notifier_from_config(core::Config::from({}, {{"EMIS_SMS_WEBHOOK_URL", "http://127.0.0.1:1/x"},
                                                            {"EMIS_SMS_DEV_SINK", "1"}}),
                                    dir.path()),
               std::runtime_error);
  EXPECT_THROW(
      notifier_from_config(core::Config::from({}, {{"EMIS_SMS_WEBHOOK_URL", "ftp://x"}}), dir.path()),
      std::runtime_error);
}

TEST(WebhookNotifier, PostsToAndMessageAndFailsOnAnErrorStatus) {
  GatewayStandIn gateway(1);
  WebhookNotifier notifier(gateway.url());
  try {
    notifier.send({"+84912345678", "code SECRET123"});
    FAIL() << "a 503 must fail the delivery";
  } catch (const NotifierError& e) {
    EXPECT_STREQ(e.what(), "SMS gateway answered HTTP 503");
  }
  notifier.send({"+84912345678", "code SECRET123"});
  const auto received = gateway.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1], (nlohmann::json{{"to", "+84912345678"}, {"message", "code SECRET123"}}));
}

TEST(WebhookNotifier, NothingListeningIsAFailure) {
  WebhookNotifier notifier("http://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/sms",
                           500ms);
  EXPECT_THROW(notifier.send({"+84912345678", "x"}), NotifierError);
}

TEST(SmsRetryPolicy, DoublesUpToTheCap) {
  const SmsRetryPolicy policy{5, 100ms, 350ms};
  EXPECT_EQ(policy.delay_after(1), 100ms);
  EXPECT_EQ(policy.delay_after(2), 200ms);
  EXPECT_EQ(policy.delay_after(3), 350ms);
  EXPECT_EQ(policy.delay_after(30), 350ms);
}

// A user, a code delivery and an SMS sender over a webhook to the stand-in.
class SmsSending : public ::testing::Test {
 protected:
  SmsSending() : db_({testing::test_database_url(dir_, "identity.db")}) {
    db_.migrate(identity_migrations());
    user_.id = core::new_uuid();
    user_.phone_number = "+84912345678";
    user_.full_name = "Pham Van Binh";
    user_.status = "PendingActivation";
    user_.created_at = user_.updated_at = core::now_iso8601();
    user_.memberships.push_back(
        {"00000000-0000-4000-8000-000000000001", "Teacher", {}, {}, user_.created_at});
    db_.write([&](store::Transaction& tx) { insert_user(tx, user_); });
  }

  SentCode send_code(SmsSender& sender) {
    const CodeDelivery delivery(key_, sender.waker());
    return db_.write(
        [&](store::Transaction& tx) { return delivery.send_new_code(tx, user_, CodePurpose::activation); });
  }
  std::vector<SmsRecord> records() {
    return db_.read([&](soci::session& s) { return sms_of_user(s, user_.id); });
  }

  testing::ScratchDir dir_;
  store::Database db_;
  core::MetricsRegistry metrics_;
  User user_;
  CodeKey key_{"a server secret of at least 32 characters"};
};

TEST_F(SmsSending, AFailedDeliveryIsRetriedUntilTheGatewayTakesIt) {
  GatewayStandIn gateway(2);
  WebhookNotifier notifier(gateway.url());
  SmsSender sender(db_, notifier, {5, 10ms, 50ms}, metrics_);
  sender.start();
  const auto sent = send_code(sender);
  EXPECT_EQ(sent.sent_to, "+8491•••••78");

  ASSERT_TRUE(eventually([&] { return records().at(0).status == sms_status::sent; }));
  const auto record = records().at(0);
  EXPECT_EQ(record.attempts, 3);
  EXPECT_FALSE(record.text);  // the code is no longer kept in clear
  const auto received = gateway.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[2]["to"], "+84912345678");
  const auto text = received[2]["message"].get<std::string>();
  EXPECT_NE(text.find("activation code"), std::string::npos);
  EXPECT_NE(text.find(sent.expires_at), std::string::npos);
  EXPECT_NE(metrics_.render().find("emis_sms_messages_total{outcome=\"retried\"} 2"), std::string::npos);
}

TEST_F(SmsSending, AMessageTheGatewayKeepsRefusingIsDeadLettered) {
  GatewayStandIn gateway(1000);
  WebhookNotifier notifier(gateway.url());
  SmsSender sender(db_, notifier, {3, 10ms, 20ms}, metrics_);
  sender.start();
  send_code(sender);

  ASSERT_TRUE(eventually([&] { return records().at(0).status == sms_status::undeliverable; }));
  const auto record = records().at(0);
  EXPECT_EQ(record.attempts, 3);
  EXPECT_EQ(record.last_error, "SMS gateway answered HTTP 503");
  EXPECT_EQ(record.to, "+84912345678");
  EXPECT_FALSE(record.text);
  EXPECT_EQ(gateway.received().size(), 3u);  // bounded: no attempt after the last
  // The counter goes up just after the commit that the status above came from.
  EXPECT_TRUE(eventually([&] {
    return metrics_.render().find("emis_sms_messages_total{outcome=\"undeliverable\"} 1") !=
           std::string::npos;
  }));
  EXPECT_NE(metrics_.render().find("emis_sms_undeliverable 1"), std::string::npos);
}

TEST_F(SmsSending, ANewCodeSupersedesTheMessageOfTheOldOne) {
  GatewayStandIn gateway(0);
  WebhookNotifier notifier(gateway.url());
  SmsSender sender(db_, notifier, {}, metrics_);  // not started: the messages wait
  send_code(sender);
  const auto latest = send_code(sender);
  auto all = records();
  ASSERT_EQ(all.size(), 2u);
  // The same millisecond may have made both: tell them apart by status.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.status > b.status; });
  EXPECT_EQ(all[0].status, sms_status::superseded);
  EXPECT_FALSE(all[0].text);
  EXPECT_EQ(all[1].status, sms_status::pending);
  const auto live = all[1].id;

  sender.start();
  ASSERT_TRUE(eventually([&] {
    for (const auto& r : records())
      if (r.id == live) return r.status == sms_status::sent;
    return false;
  }));
  ASSERT_EQ(gateway.received().size(), 1u);
  EXPECT_NE(gateway.received()[0]["message"].get<std::string>().find(latest.expires_at), std::string::npos);
  EXPECT_EQ(gateway.received().size(), 1u);
}

TEST_F(SmsSending, ADiscardedCodeIsNotSent) {
  GatewayStandIn gateway(0);
  WebhookNotifier notifier(gateway.url());
  SmsSender sender(db_, notifier, {}, metrics_);
  send_code(sender);
  db_.write([&](store::Transaction& tx) { discard_activation_code(tx, user_.id); });
  const auto all = records();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, sms_status::superseded);
  EXPECT_FALSE(all[0].text);
}

}  // namespace
}  // namespace emis::identity
