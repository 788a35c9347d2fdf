// EventConsumer against the real broker: a redelivered event is skipped
// through the inbox, a restarted consumer resumes at the committed offset,
// and a transient handler failure is retried until it succeeds.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "core/errors.hpp"
#include "support/bus_testing.hpp"
#include "support/captured_log.hpp"

namespace emis::testing {
namespace {

using eventbus::IncomingEvent;

class EventbusConsumer : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }

  static void record_all(ConsumerRig& rig) {
    rig.consumer.handlers().on<ThingHappened>([](store::Transaction& tx, const ThingHappened& thing,
                                                 const IncomingEvent& e) { record_effect(tx, e, thing); });
  }

  // Each event id's number of effects.
  static std::map<std::string, int> effects_by_id(store::Database& db) {
    std::map<std::string, int> out;
    for (const auto& e : effects(db)) ++out[e.event_id];
    return out;
  }
};

TEST_F(EventbusConsumer, RedeliveredEventIsSkippedThroughTheInbox) {
  const auto options = test_bus_options("redelivery");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("redelivery");

  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  // The same message (same event id) twice, as a producer retry or a replay
  // would write it, then another event behind it.
  const auto twice = eventbus::encode(ThingHappened{"thing-1", 1, "twice"}, publisher.context());
  ASSERT_TRUE(publisher.publish_and_wait(twice).ok);
  ASSERT_TRUE(publisher.publish_and_wait(twice).ok);
  const auto after = eventbus::encode(ThingHappened{"thing-1", 2, "after"}, publisher.context());
  ASSERT_TRUE(publisher.publish_and_wait(after).ok);

  ConsumerRig rig(tdb.db(), options);
  record_all(rig);
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return rig.handled(topic) + rig.duplicates(topic) == 3; }, 30s))
      << "handled " << rig.handled(topic) << ", duplicates " << rig.duplicates(topic);

  EXPECT_EQ(rig.handled(topic), 2u);
  EXPECT_EQ(rig.duplicates(topic), 1u);
  const auto all = effects(tdb.db());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].event_id, twice.event_id);
  EXPECT_EQ(all[1].event_id, after.event_id);
  EXPECT_EQ(scalar(tdb.db(), "SELECT COUNT(*) FROM inbox WHERE outcome = 'handled'"), 2);
  // The age of each event handled, not of the copy skipped, from its Kafka timestamp.
  const auto& age = rig.metrics.histogram("emis_eventbus_event_age_seconds", "", {{"topic", topic}});
  EXPECT_TRUE(eventually([&] { return age.count() == 2; }, 5s)) << age.count();
  EXPECT_LT(age.sum(), 60.0);
}

TEST_F(EventbusConsumer, RestartResumesAtTheCommittedOffset) {
  constexpr int first = 60, second = 40;
  const auto options = test_bus_options("restart");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 3);
  TestDatabase tdb("restart");
  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  std::set<std::string> ids;
  auto publish = [&](int from, int n) {
    for (int i = from; i < from + n; ++i) {
      const auto m =
          eventbus::encode(ThingHappened{"thing-" + std::to_string(i % 7), i, {}}, publisher.context());
      ASSERT_TRUE(publisher.publish_and_wait(m).ok);
      ids.insert(m.event_id);
    }
  };

  publish(0, first);
  {
    ConsumerRig rig(tdb.db(), options);
    record_all(rig);
    rig.consumer.start();
    ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == first; }, 30s)) << effect_count(tdb.db());
    rig.consumer.stop();  // commits and leaves the group
  }
  // Offsets are the next to read, so per partition they sum up to what was handled.
  const auto committed = committed_offsets(options.group_id, topic);
  std::int64_t committed_total = 0;
  for (const auto& [_, offset] : committed) committed_total += offset;
  EXPECT_EQ(committed_total, first);

  publish(first, second);
  ConsumerRig rig(tdb.db(), options);  // a new consumer in the same group
  record_all(rig);
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == first + second; }, 30s))
      << effect_count(tdb.db());
  // The counters follow the batch's commit, which made the effects visible.
  eventually([&] { return rig.handled(topic) + rig.duplicates(topic) >= static_cast<std::uint64_t>(second); },
             10s);
  // Started at the committed offsets: nothing old was read again.
  EXPECT_EQ(rig.handled(topic), static_cast<std::uint64_t>(second));
  EXPECT_EQ(rig.duplicates(topic), 0u);
  const auto by_id = effects_by_id(tdb.db());
  EXPECT_EQ(by_id.size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(by_id.count(id) ? by_id.at(id) : 0, 1) << id;
}

TEST_F(EventbusConsumer, TransientFailureIsRetriedAndNotDeadLettered) {
  constexpr int failures = 3;
  const auto options = test_bus_options("transient");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("transient");
  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  const auto flaky = eventbus::encode(ThingHappened{"thing-1", 1, "flaky"}, publisher.context());
  const auto next = eventbus::encode(ThingHappened{"thing-1", 2, "next"}, publisher.context());
  ASSERT_TRUE(publisher.publish_and_wait(flaky).ok);
  ASSERT_TRUE(publisher.publish_and_wait(next).ok);

  ConsumerRig rig(tdb.db(), options);
  std::atomic<int> attempts{0};
  rig.consumer.handlers().on<ThingHappened>(
      [&](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
        // The effect is written first: a failed attempt must leave nothing behind.
        record_effect(tx, e, thing);
        if (thing.note == "flaky" && ++attempts <= failures)
          throw core::DomainError(core::ErrorKind::transient, "Database unavailable", "try again");
      });
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return rig.handled(topic) == 2; }, 30s)) << rig.handled(topic);

  EXPECT_EQ(attempts.load(), failures + 1);
  EXPECT_EQ(rig.retried(topic), static_cast<std::uint64_t>(failures));
  EXPECT_EQ(rig.dead_lettered(topic), 0u);
  const auto all = effects(tdb.db());
  ASSERT_EQ(all.size(), 2u);  // once each, in order
  EXPECT_EQ(all[0].event_id, flaky.event_id);
  EXPECT_EQ(all[1].event_id, next.event_id);
  // Nothing was dead-lettered (the consumer created the dead-letter topic when it subscribed).
  EXPECT_EQ(topic_message_count(eventbus::dead_letter_topic(topic)), 0);
}

// A consumer stopped while an event keeps failing transiently must not
// commit past it: the next consumer of the group handles it.
TEST_F(EventbusConsumer, StopWhileRetryingDoesNotCommitPastTheEvent) {
  const auto options = test_bus_options("stop-retrying");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("stop-retrying");
  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  const auto stuck = eventbus::encode(ThingHappened{"thing-1", 1, "stuck"}, publisher.context());
  const auto next = eventbus::encode(ThingHappened{"thing-1", 2, "next"}, publisher.context());
  ASSERT_TRUE(publisher.publish_and_wait(stuck).ok);
  ASSERT_TRUE(publisher.publish_and_wait(next).ok);

  {
    ConsumerRig rig(tdb.db(), options);
    rig.consumer.handlers().on<ThingHappened>(
        [](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
          record_effect(tx, e, thing);
          if (thing.note == "stuck")
            throw core::DomainError(core::ErrorKind::transient, "Database unavailable", "still busy");
        });
    rig.consumer.start();
    ASSERT_TRUE(eventually([&] { return rig.retried(topic) >= 2; }, 30s));
    rig.consumer.stop();
    EXPECT_EQ(rig.handled(topic), 0u);
    EXPECT_EQ(rig.dead_lettered(topic), 0u);
  }
  EXPECT_EQ(effect_count(tdb.db()), 0);
  const auto committed = committed_offsets(options.group_id, topic);
  EXPECT_TRUE(committed.empty() || committed.at(0) == 0) << "committed past the unhandled event";

  ConsumerRig rig(tdb.db(), options);  // the next instance, its database healthy again
  record_all(rig);
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 2; }, 30s)) << effect_count(tdb.db());
  const auto all = effects(tdb.db());
  EXPECT_EQ(all[0].event_id, stuck.event_id);
  EXPECT_EQ(all[1].event_id, next.event_id);
}

TEST_F(EventbusConsumer, RetentionTasksRunWithTheInboxPruneAndItsCutoff) {
  const auto options = test_bus_options("retention");
  create_topic(options.topics.topic(ThingHappened::type), 1);
  TestDatabase tdb("retention");
  ConsumerRig rig(tdb.db(), options);
  record_all(rig);
  std::atomic<long long> cutoff_ms{0};
  rig.consumer.prune_with_inbox("test records", [&](store::Transaction& tx, auto cutoff, int) {
    // In the pruning transaction: a statement here commits with it.
    tx.session() << "DELETE FROM inbox WHERE 1 = 0";
    cutoff_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cutoff.time_since_epoch()).count();
    return 0LL;
  });
  const auto started = std::chrono::system_clock::now();
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return cutoff_ms.load() != 0; }, 30s)) << "the retention task never ran";
  const auto expected = started - options.inbox_retention;
  const auto got = std::chrono::system_clock::time_point(std::chrono::milliseconds(cutoff_ms.load()));
  EXPECT_GE(got, expected - 1s);
  EXPECT_LE(got, std::chrono::system_clock::now() - options.inbox_retention);
}

TEST_F(EventbusConsumer, RetentionGoesOnBatchByBatchUntilABatchComesBackShort) {
  auto options = test_bus_options("retention-batches");
  options.retention_batch = 2;
  create_topic(options.topics.topic(ThingHappened::type), 1);
  CapturedLog log;  // before the rig's threads, which end before it
  TestDatabase tdb("retention-batches");
  ConsumerRig rig(tdb.db(), options);
  record_all(rig);
  // Five expired records: batches of 2, 2 and 1, then none until the next round (minutes away).
  std::mutex mutex;
  int left = 5;
  std::vector<int> limits;
  rig.consumer.prune_with_inbox("test records", [&](store::Transaction&, auto, int limit) {
    const std::lock_guard lock(mutex);
    limits.push_back(limit);
    const int deleted = std::min(left, limit);
    left -= deleted;
    return static_cast<long long>(deleted);
  });
  rig.consumer.start();
  ASSERT_TRUE(eventually(
      [&] {
        const std::lock_guard lock(mutex);
        return left == 0;
      },
      30s));
  // A poll goes between two batches; a fourth call would come only after a full batch.
  const auto m = eventbus::encode(ThingHappened{"thing-1", 1, {}}, {options.topics, options.source, {}});
  produce_raw(m.topic, m.key, m.value, m.headers);
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 1; }, 30s));
  {
    const std::lock_guard lock(mutex);
    EXPECT_EQ(limits, (std::vector<int>{2, 2, 2}));
  }
  // The round is logged once, with what its three batches deleted together.
  const auto pruned = log.lines_with("pruned");
  ASSERT_EQ(pruned.size(), 1u);
  EXPECT_NE(pruned[0].find("pruned 5 test records"), std::string::npos) << pruned[0];
}

}  // namespace
}  // namespace emis::testing
