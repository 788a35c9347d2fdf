// Transient failures against the real broker: only the failing partition
// waits for its retry while the consumer keeps polling (other partitions,
// the group's heartbeats and poll interval); and a dead letter commits with
// its inbox row, so a failure after it cannot dead-letter the event twice.
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "core/errors.hpp"
#include "eventbus/dead_letter.hpp"
#include "eventbus/schema.hpp"
#include "support/bus_testing.hpp"
#include "support/captured_log.hpp"

namespace emis::testing {
namespace {

using eventbus::IncomingEvent;

core::DomainError database_unavailable() {
  return core::DomainError(core::ErrorKind::transient, "Database unavailable", "try again");
}

TEST(EventbusPartitionRetry, TransientFailureHoldsUpOnlyItsOwnPartition) {
  spdlog::set_level(spdlog::level::err);
  const auto options = test_bus_options("partition-retry");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 2);
  TestDatabase tdb("partition-retry");
  const eventbus::PublishContext context{options.topics, options.source, {}};
  auto produce = [&](const ThingHappened& thing, std::int32_t partition) {
    const auto m = eventbus::encode(thing, context);
    produce_raw(topic, m.key, m.value, m.headers, partition);
    return m.event_id;
  };
  const auto stuck = produce({"thing-a", 1, "stuck"}, 0);
  const auto behind = produce({"thing-a", 2, {}}, 0);

  std::atomic<bool> database_back{false};
  ConsumerRig rig(tdb.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [&](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
        record_effect(tx, e, thing);
        if (thing.note == "stuck" && !database_back) throw database_unavailable();
      });
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return rig.retried(topic) >= 2; }, 30s));

  // Events of the other partition, produced while partition 0 is failing, are handled meanwhile.
  std::vector<std::string> other;
  for (int i = 0; i < 5; ++i) other.push_back(produce({"thing-b", i, {}}, 1));
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 5; }, 30s))
      << "handled on the other partition while one failed: " << effect_count(tdb.db());
  for (const auto& e : effects(tdb.db())) EXPECT_EQ(e.thing_id, "thing-b");

  database_back = true;
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 7; }, 30s)) << effect_count(tdb.db());
  const auto all = effects(tdb.db());
  EXPECT_EQ(all[5].event_id, stuck);  // never skipped, and its partition kept its order
  EXPECT_EQ(all[6].event_id, behind);
  EXPECT_EQ(rig.dead_lettered(topic), 0u);
  EXPECT_EQ(rig.duplicates(topic), 0u);
}

// A partition paused for a retry when the group rebalances: wherever it goes
// and whenever it comes back to this consumer, it fetches again (librdkafka
// keeps a pause across assignments of one handle).
TEST(EventbusPartitionRetry, APausedPartitionFlowsAgainAfterARebalance) {
  spdlog::set_level(spdlog::level::err);
  const auto options = test_bus_options("paused-rebalance");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 2);
  TestDatabase tdb("paused-rebalance");
  const eventbus::PublishContext context{options.topics, options.source, {}};
  auto produce = [&](const ThingHappened& thing, std::int32_t partition) {
    const auto m = eventbus::encode(thing, context);
    produce_raw(topic, m.key, m.value, m.headers, partition);
  };
  produce({"thing-a", 1, "stuck"}, 0);
  produce({"thing-a", 2, {}}, 0);

  std::atomic<bool> database_back{false};
  auto make_rig = [&] {
    auto rig = std::make_unique<ConsumerRig>(tdb.db(), options);
    rig->consumer.handlers().on<ThingHappened>(
        [&](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
          if (thing.note == "stuck" && !database_back) throw database_unavailable();
          record_effect(tx, e, thing);
        });
    return rig;
  };
  auto a = make_rig();
  a->consumer.start();
  ASSERT_TRUE(eventually([&] { return a->retried(topic) >= 1; }, 30s));
  // A second member joins and leaves: two rebalances while partition 0 is paused.
  auto b = make_rig();
  b->consumer.start();
  ASSERT_TRUE(eventually([&] { return b->consumer.assigned(); }, 30s));
  b->consumer.stop();

  database_back = true;
  produce({"thing-b", 1, {}}, 1);
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 3; }, 30s))
      << "a partition paused before the rebalance never fetched again: " << effect_count(tdb.db())
      << " of 3 handled";
  EXPECT_EQ(a->dead_lettered(topic) + b->dead_lettered(topic), 0u);
}

// An outage longer than max.poll.interval.ms: the consumer keeps polling, so
// the group keeps it (no revocation), and the event is handled once when the
// database is back.
TEST(EventbusPartitionRetry, OutageLongerThanThePollIntervalKeepsTheMembership) {
  auto options = test_bus_options("long-outage");
  options.kafka_properties["session.timeout.ms"] = "6000";
  options.kafka_properties["max.poll.interval.ms"] = "6000";
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("long-outage");
  const eventbus::PublishContext context{options.topics, options.source, {}};
  const auto m = eventbus::encode(ThingHappened{"thing-a", 1, {}}, context);
  produce_raw(topic, m.key, m.value, m.headers);

  CapturedLog log;
  const auto outage = 9s;  // the injected fault: longer than the poll interval
  std::atomic<bool> failing_started{false};
  std::chrono::steady_clock::time_point outage_end{};
  ConsumerRig rig(tdb.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [&](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
        if (!failing_started.exchange(true)) outage_end = std::chrono::steady_clock::now() + outage;
        if (std::chrono::steady_clock::now() < outage_end) throw database_unavailable();
        record_effect(tx, e, thing);
      });
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 1; }, 60s));
  // Committed within the auto-commit interval: it is the same member that handled it.
  ASSERT_TRUE(eventually(
      [&] {
        const auto committed = committed_offsets(options.group_id, topic);
        return committed.count(0) && committed.at(0) == 1;
      },
      10s));
  EXPECT_FALSE(log.contains("revoked")) << "the group took the partitions away during the outage";
  EXPECT_FALSE(log.contains("maximum poll interval")) << "the poll interval passed";
  EXPECT_EQ(rig.duplicates(topic), 0u);
  EXPECT_EQ(effect_count(tdb.db()), 1);
}

// The dead letter is written with the inbox row that remembers it: a
// database failure right after the dead letter cannot send it again.
TEST(EventbusPartitionRetry, DeadLetterAndItsInboxRowCommitTogether) {
  if (on_postgresql()) GTEST_SKIP() << "holds SQLite's writer lock; PostgreSQL has none";
  spdlog::set_level(spdlog::level::err);
  const auto options = test_bus_options("dead-letter-once");
  const auto topic = options.topics.topic(ThingHappened::type);
  const auto dlq = eventbus::dead_letter_topic(topic);
  create_topic(topic, 1);
  create_topic(dlq, 1);
  ScratchDir dir("dead-letter-once");
  auto db_options = test_database_options(dir.file("bus.db"));
  db_options.busy_timeout = 100ms;
  store::Database db(db_options);
  db.migrate(eventbus::schema_migrations());
  db.migrate(effects_migrations());
  const eventbus::PublishContext context{options.topics, options.source, {}};
  const auto poison = eventbus::encode(ThingHappened{"thing-a", 1, {}}, context);
  auto headers = poison.headers;
  std::erase_if(headers, [](const auto& h) { return h.first == eventbus::header::event_type; });
  headers.emplace_back(eventbus::header::event_type, "MysteryIntegrationEvent");
  produce_raw(topic, poison.key, poison.value, headers);
  const auto good = eventbus::encode(ThingHappened{"thing-a", 2, {}}, context);
  produce_raw(topic, good.key, good.value, good.headers);

  // Another writer holds the database while the poison event is refused.
  soci::session other(soci::sqlite3, "db=" + dir.file("bus.db"));
  other << "BEGIN IMMEDIATE";
  ConsumerRig rig(db, options);
  rig.consumer.handlers().on<ThingHappened>([](store::Transaction& tx, const ThingHappened& thing,
                                               const IncomingEvent& e) { record_effect(tx, e, thing); });
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return rig.consumer.assigned(); }, 30s));
  std::this_thread::sleep_for(3s);  // the injected fault: the database stays locked this long
  other << "COMMIT";

  ASSERT_TRUE(eventually([&] { return effect_count(db) == 1; }, 30s));
  ASSERT_TRUE(eventually([&] { return topic_message_count(dlq) >= 1; }, 30s));
  const auto letters = read_topic(dlq, 1, 5s);
  EXPECT_EQ(letters.size(), 1u) << "dead-lettered more than once";
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM inbox WHERE outcome = 'dead-lettered' AND event_id = '" +
                           poison.event_id + "'"),
            1);
  EXPECT_EQ(rig.dead_lettered(topic), 1u);
}

}  // namespace
}  // namespace emis::testing
