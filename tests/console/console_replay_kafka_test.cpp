// The console against the fixture's real broker: bounded reads of a topic
// (what the dead-letter view and the search stand on), and DESIGN.md's
// "Replay" end to end: a malformed event dead-lettered by a real consumer,
// refused as it is, its fixed copy replayed once and handled once, a second
// replay refused by the console and a forced one dropped by the inbox; a
// dead letter naming a topic outside the system is not sent there.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "console/dead_letter_replay.hpp"
#include "console/replay_outcome.hpp"
#include "eventbus/inbox.hpp"
#include "support/bus_testing.hpp"

namespace emis::console {
namespace {

using namespace std::chrono_literals;
using testing::ThingHappened;

TopicOffsets offsets_of(const KafkaInspector& kafka, const std::string& topic) {
  for (auto& t : kafka.topics(10s))
    if (t.name == topic) return t;
  throw std::runtime_error("no topic " + topic);
}

const auto keep_all = [](const KafkaRecord&) { return true; };

TEST(ConsoleKafka, ScansATopicWithinItsLimitAndReadsOneMessage) {
  const auto options = testing::test_bus_options("console-scan");
  const auto topic = options.topics.topic(ThingHappened::type);
  testing::create_topic(topic, 2);
  for (int i = 0; i < 6; ++i)
    testing::produce_raw(topic, "k" + std::to_string(i), "value " + std::to_string(i),
                         {{"n", std::to_string(i)}}, i % 2);
  const KafkaInspector kafka(options, {options.topics.prefix_for("bustest")});
  const auto offsets = offsets_of(kafka, topic);

  const auto all = kafka.scan(offsets, {}, keep_all);
  EXPECT_EQ(all.scanned, 6u);
  EXPECT_EQ(all.in_range, 6);
  EXPECT_TRUE(all.complete);
  ASSERT_EQ(all.records.size(), 6u);
  EXPECT_EQ(all.records[0].raw.partition, 0);
  EXPECT_EQ(all.records[5].raw.partition, 1);
  EXPECT_GT(all.records[0].timestamp_ms, 0);

  const auto bounded = kafka.scan(offsets, {.max_messages = 4}, keep_all);
  EXPECT_EQ(bounded.scanned, 4u);
  EXPECT_FALSE(bounded.complete);

  const auto one = kafka.scan(offsets, {}, [](const KafkaRecord& r) { return r.raw.key == "k3"; });
  EXPECT_EQ(one.scanned, 6u);
  ASSERT_EQ(one.records.size(), 1u);
  EXPECT_EQ(one.records[0].raw.header("n"), "3");

  const auto future = kafka.scan(offsets, {.from_ms = all.records[0].timestamp_ms + 3'600'000}, keep_all);
  EXPECT_EQ(future.in_range, 0);
  EXPECT_EQ(future.scanned, 0u);

  const auto read = kafka.read(topic, 1, 1, 10s);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->raw.key, "k3");
  EXPECT_FALSE(kafka.read(topic, 1, 3, 10s));
}

TEST(ConsoleKafka, AFixedCopyOfAMalformedEventIsReplayedOnceAndHandledOnce) {
  spdlog::set_level(spdlog::level::err);
  const auto options = testing::test_bus_options("console-replay");
  const auto topic = options.topics.topic(ThingHappened::type);
  const auto dlq = eventbus::dead_letter_topic(topic);
  testing::create_topic(topic, 1);
  testing::TestDatabase consumer_db("console-replay");
  testing::ConsumerRig rig(consumer_db.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [&](store::Transaction& tx, const ThingHappened& thing, const eventbus::IncomingEvent& e) {
        testing::record_effect(tx, e, thing);
      });
  rig.consumer.start();

  const auto good = eventbus::encode(ThingHappened{"thing-r", 1, {}},
                                     eventbus::PublishContext{options.topics, options.source, {}});
  const std::string malformed = "{\"id\": \"" + good.event_id + "\", \"thingId\": ";
  testing::produce_raw(topic, good.key, malformed, good.headers);
  const auto dead_letters = testing::read_topic(dlq, 1);
  ASSERT_EQ(dead_letters.size(), 1u);

  testing::ScratchDir dir("console-replay");
  store::Database console_db(testing::test_database_options(testing::test_database_url(dir, "console.db")));
  console_db.migrate(replay_log_migrations());
  const ReplayLog log(console_db);
  const KafkaInspector kafka(options, {options.topics.prefix_for("bustest")});
  core::MetricsRegistry metrics;
  DeadLetterReplayer replayer(kafka, log, options, metrics);
  const Place letter{dlq, dead_letters[0].partition, dead_letters[0].offset};

  const auto as_is = replayer.plan({{letter, std::nullopt, {}}});
  ASSERT_EQ(as_is.size(), 1u);
  EXPECT_NE(as_is[0].skipped.find("dead-lettered again (malformed)"), std::string::npos) << as_is[0].skipped;
  EXPECT_EQ(as_is[0].letter->original_topic, topic);

  const auto replayed = replayer.replay({{letter, good.value, {}}}, {"op-1", "Operator One"});
  ASSERT_EQ(replayed.size(), 1u);
  ASSERT_TRUE(replayed[0].skipped.empty()) << replayed[0].skipped;
  ASSERT_TRUE(replayed[0].entry);
  EXPECT_EQ(replayed[0].entry->outcome, "delivered");
  EXPECT_EQ(replayed[0].entry->event_id, good.event_id);
  ASSERT_TRUE(testing::eventually([&] { return testing::effect_count(consumer_db.db()) == 1; }, 30s));
  EXPECT_EQ(testing::effects(consumer_db.db())[0].event_id, good.event_id);

  // On the wire: the original topic, the event's id, the dead letter named, no dlq-* header.
  const auto on_topic = testing::read_topic(topic, 2);
  ASSERT_EQ(on_topic.size(), 2u);
  EXPECT_EQ(on_topic[1].header(eventbus::replay_of_header),
            dlq + "/" + std::to_string(letter.partition) + "/" + std::to_string(letter.offset));
  EXPECT_FALSE(on_topic[1].header("dlq-error-class"));
  EXPECT_EQ(on_topic[1].key, good.key);

  // The consumer's outcome, read from Kafka: its group committed past the replay.
  ASSERT_TRUE(testing::eventually(
      [&] { return replay_outcomes(kafka, log.latest(10)).at(0).state == "consumed"; }, 30s));

  // The console refuses a second replay of the same dead letter ...
  const auto again = replayer.replay({{letter, good.value, {}}}, {"op-1", "Operator One"});
  EXPECT_NE(again[0].skipped.find("Already replayed by Operator One"), std::string::npos) << again[0].skipped;
  EXPECT_EQ(log.latest(10).size(), 1u);
  // ... and a replay forced past it is dropped by the inbox: the event was handled, not dead-lettered.
  testing::produce_raw(topic, good.key, good.value, replayed[0].message.headers);
  ASSERT_TRUE(testing::eventually([&] { return rig.duplicates(topic) >= 1; }, 30s));
  EXPECT_EQ(testing::effect_count(consumer_db.db()), 1);

  // A dead letter that names a topic outside the system is never sent there.
  const auto forged =
      testing::produce_raw(dlq, good.key, good.value, {{"dlq-original-topic", "elsewhere.thinghappened"}});
  const auto outside = replayer.plan({{{dlq, forged.partition, forged.offset}, std::nullopt, {}}});
  EXPECT_NE(outside[0].skipped.find("not one of the system's event topics"), std::string::npos)
      << outside[0].skipped;
}

}  // namespace
}  // namespace emis::console
