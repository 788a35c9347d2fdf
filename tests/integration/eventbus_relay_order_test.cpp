// The relay against faults that librdkafka's mock cluster injects. Per-key
// order when one event of a batch fails and later events of the same key
// succeed: the mock fails the first produce request for good while the
// requests behind it (one message each) go through; the relay must not mark
// those later rows sent ahead of the failed one, and must publish them again
// after it, so the topic ends in commit order. And a delivery that timed out
// on the wire, which the broker may have written: counted, and sent again.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>

#include "eventbus/outbox.hpp"
#include "eventbus/outbox_relay.hpp"
#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

using eventbus::Outbox;
using eventbus::OutboxRelay;

constexpr std::int16_t produce_api_key = 0;

// A one-broker mock cluster (it lives in a librdkafka handle of its own).
class MockCluster {
 public:
  MockCluster() {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);  // it has no bootstrap servers of its own
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!handle_) throw std::runtime_error(error);
    cluster_ = rd_kafka_mock_cluster_new(handle_, 1);
    if (!cluster_) throw std::runtime_error("mock cluster");
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// The event ids on partition 0 of `topic`, in offset order, up to the high watermark.
std::vector<std::string> read_ids(const std::string& bootstrap, const std::string& topic) {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, error);
  std::unique_ptr<RdKafka::Consumer> consumer(RdKafka::Consumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error(error);
  std::int64_t low = 0, high = 0;
  if (consumer->query_watermark_offsets(topic, 0, &low, &high, 10000) != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("watermarks of " + topic);
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
  consumer->start(handle.get(), 0, RdKafka::Topic::OFFSET_BEGINNING);
  std::vector<std::string> ids;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (std::int64_t next = low; next < high && std::chrono::steady_clock::now() < deadline;) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(handle.get(), 0, 100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    const std::string value(static_cast<const char*>(m->payload()), m->len());
    ids.push_back(nlohmann::json::parse(value).at("id").get<std::string>());
    next = m->offset() + 1;
  }
  consumer->stop(handle.get(), 0);
  return ids;
}

// Bus options against `cluster`, where the topic of ThingHappened gets one partition.
eventbus::BusOptions options_on(const MockCluster& cluster, const std::string& stem) {
  auto options = test_bus_options(stem);
  options.bootstrap_servers = cluster.bootstrap();
  options.relay_max_backoff = 200ms;
  const auto topic = options.topics.topic(ThingHappened::type);
  if (rd_kafka_mock_topic_create(cluster.get(), topic.c_str(), 1, 1) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("mock topic " + topic);
  return options;
}

// Runs the relay until no outbox row is left unsent.
void relay_everything(OutboxRelay& relay, TestDatabase& tdb) {
  relay.start();
  ASSERT_TRUE(eventually(
      [&] { return scalar(tdb.db(), "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL") == 0; }, 30s));
  relay.stop();
}

TEST(EventbusRelayOrder, ALaterEventOfTheKeyIsNotMarkedSentAheadOfAFailedOne) {
  spdlog::set_level(spdlog::level::err);
  MockCluster cluster;
  auto options = options_on(cluster, "relay-order");
  // One message per produce request, so that the first request holds only the first event.
  options.kafka_properties["batch.num.messages"] = "1";
  const auto topic = options.topics.topic(ThingHappened::type);
  // The first produce request fails for good (not retriable); the ones behind it do not.
  rd_kafka_mock_push_request_errors(cluster.get(), produce_api_key, 1, RD_KAFKA_RESP_ERR_INVALID_RECORD);

  TestDatabase tdb("relay-order");
  core::MetricsRegistry metrics;
  OutboxRelay relay(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay.waker());
  constexpr int events = 20;
  std::vector<std::string> ids;
  tdb.db().write([&](store::Transaction& tx) {  // one batch for the relay
    for (int i = 0; i < events; ++i) ids.push_back(outbox.add(tx, ThingHappened{"thing-1", i, {}}));
  });
  relay_everything(relay, tdb);
  if (HasFatalFailure()) return;
  ASSERT_GT(metrics.counter("emis_eventbus_delivery_failures_total", "").value(), 0u)
      << "the injected failure did not happen";

  // No row was marked sent before an earlier row of its key.
  EXPECT_EQ(
      scalar(tdb.db(),
             "SELECT COUNT(*) FROM outbox a JOIN outbox b ON a.seq < b.seq AND a.event_key = b.event_key "
             "WHERE a.sent_at_ms > b.sent_at_ms"),
      0);
  // On the topic, every event's last copy comes in commit order (earlier
  // copies of later events may precede the failed one: at-least-once).
  const auto published = read_ids(cluster.bootstrap(), topic);
  std::map<std::string, std::size_t> last_position;
  for (std::size_t i = 0; i < published.size(); ++i) last_position[published[i]] = i;
  ASSERT_EQ(last_position.size(), ids.size());
  for (std::size_t i = 1; i < ids.size(); ++i)
    EXPECT_LT(last_position[ids[i - 1]], last_position[ids[i]]) << "event " << i - 1 << " after event " << i;
  std::string order;
  for (const auto& id : published)
    order += std::to_string(std::find(ids.begin(), ids.end(), id) - ids.begin()) + " ";
  std::cout << "published: " << order << "\n";
}

TEST(EventbusRelayOrder, ADeliveryThatTimesOutOnTheWireIsCountedAsPossiblyPersistedAndSentAgain) {
  spdlog::set_level(spdlog::level::err);
  MockCluster cluster;
  auto options = options_on(cluster, "relay-timeout");
  options.delivery_timeout = 1000ms;
  const auto topic = options.topics.topic(ThingHappened::type);
  // The broker takes the first produce request but would answer long after the
  // message's timeout (librdkafka notices a timeout within about a second).
  ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(cluster.get(), 1, produce_api_key, 1,
                                                         RD_KAFKA_RESP_ERR_NO_ERROR, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);

  TestDatabase tdb("relay-timeout");
  core::MetricsRegistry metrics;
  OutboxRelay relay(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay.waker());
  const auto id = tdb.db().write([&](store::Transaction& tx) {
    return outbox.add(tx, ThingHappened{"thing-1", 1, {}});
  });
  relay_everything(relay, tdb);
  if (HasFatalFailure()) return;
  EXPECT_GE(metrics.counter("emis_eventbus_possibly_persisted_total", "").value(), 1u);
  EXPECT_GE(scalar(tdb.db(), "SELECT attempts FROM outbox"), 2);
  const auto published = read_ids(cluster.bootstrap(), topic);
  EXPECT_GE(std::count(published.begin(), published.end(), id), 1);
}

}  // namespace
}  // namespace emis::testing
