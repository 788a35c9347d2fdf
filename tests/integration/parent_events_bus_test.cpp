// The Student service's parent events through the real broker into
// Identity's handlers, with the rig of the event bus tests: a redelivered
// ParentCreated makes one account, a ParentCreated that cannot be decoded
// goes to parentcreated.dlq while the next one on the partition is handled,
// and a declined one (its phone is not valid) is handled, not dead-lettered.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "contracts/identity_events.hpp"
#include "contracts/student_events.hpp"
#include "eventbus/dead_letter.hpp"
#include "eventbus/schema.hpp"
#include "identity/parent_handlers.hpp"
#include "identity/user_store.hpp"
#include "support/bus_testing.hpp"
#include "support/test_env.hpp"

namespace emis::testing {
namespace {

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";

contracts::ParentCreated parent(const std::string& id, const std::string& phone) {
  return {id, kTenant, phone, "Pham Thi Hoa", "", {"88888888-8888-4888-8888-888888888888"}};
}

TEST(ParentEventsBus, RedeliveryPoisonAndDeclineOnTheParentTopic) {
  spdlog::set_level(spdlog::level::err);
  const auto options = test_bus_options("parents");
  const auto topic = options.topics.topic(contracts::ParentCreated::type);
  create_topic(topic, 1);  // one partition: the poison sits in front of the good ones
  // Identity's own schema, not the effects table of TestDatabase (their
  // migration numbers overlap).
  ScratchDir dir("parents");
  store::Database db({test_database_url(dir, "identity.db")});
  db.migrate(eventbus::schema_migrations());
  db.migrate(identity::identity_migrations());

  ConsumerRig rig(db, options);
  access::RevokedUsers revoked;
  eventbus::Outbox outbox(eventbus::PublishContext{options.topics, options.source, {}}, rig.relay.waker());
  identity::add_parent_handlers(rig.consumer.handlers(), {outbox, revoked}, "VN");

  const eventbus::PublishContext context{options.topics, options.source, {}};
  const auto hoa = eventbus::encode(parent("11111111-1111-4111-8111-111111111111", "0912345678"), context);
  auto broken = eventbus::encode(parent("22222222-2222-4222-8222-222222222222", "0987654321"), context);
  broken.value = R"({"parentId": "22222222-2222-4222-8222-222222222222", "tenantId": ")" +
                 std::string(kTenant) +
                 R"(", "phoneNumber": "+84987654321", "fullName": "Le Van Nam", "studentIds": "not a list"})";
  const auto declined =
      eventbus::encode(parent("33333333-3333-4333-8333-333333333333", "0123456789"), context);
  const auto after = eventbus::encode(parent("44444444-4444-4444-8444-444444444444", "0909123456"), context);

  produce_raw(topic, hoa.key, hoa.value, hoa.headers);
  produce_raw(topic, hoa.key, hoa.value, hoa.headers);  // redelivered: the same event id
  const auto poison = produce_raw(topic, broken.key, broken.value, broken.headers);
  produce_raw(topic, declined.key, declined.value, declined.headers);
  produce_raw(topic, after.key, after.value, after.headers);

  rig.consumer.start();
  ASSERT_TRUE(eventually(
      [&] { return rig.handled(topic) + rig.duplicates(topic) + rig.dead_lettered(topic) == 5; }, 30s))
      << "handled " << rig.handled(topic) << ", duplicates " << rig.duplicates(topic) << ", dead-lettered "
      << rig.dead_lettered(topic);
  EXPECT_EQ(rig.handled(topic), 3u);  // hoa, the declined one, after
  EXPECT_EQ(rig.duplicates(topic), 1u);
  EXPECT_EQ(rig.dead_lettered(topic), 1u);

  const auto account_of = [&](const std::string& parent_id) {
    return db.read([&](soci::session& s) { return identity::find_user_by_entity(s, parent_id); });
  };
  ASSERT_TRUE(account_of("11111111-1111-4111-8111-111111111111"));
  EXPECT_EQ(account_of("11111111-1111-4111-8111-111111111111")->memberships.front().role, "Parent");
  EXPECT_FALSE(account_of("22222222-2222-4222-8222-222222222222"));
  EXPECT_FALSE(account_of("33333333-3333-4333-8333-333333333333"));
  EXPECT_TRUE(account_of("44444444-4444-4444-8444-444444444444"));
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM users"), 2);

  const auto letters = read_topic(eventbus::dead_letter_topic(topic), 1, 20s);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, broken.key);
  EXPECT_EQ(letters[0].value, broken.value);
  EXPECT_EQ(letters[0].header(eventbus::dlq_header::original_offset), std::to_string(poison.offset));
  EXPECT_EQ(letters[0].header(eventbus::dlq_header::error_class), "malformed");

  // The declined parent is announced for its owner to show.
  const auto failed = read_topic(options.topics.topic(contracts::AccountProvisioningFailed::type), 1, 20s);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].key, "33333333-3333-4333-8333-333333333333");
}

}  // namespace
}  // namespace emis::testing
