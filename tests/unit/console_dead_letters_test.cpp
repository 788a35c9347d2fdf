// Dead letters as the console reads and replays them (no broker needed): the
// dlq-* headers read back, the replay message of DESIGN.md's "Replay" rule,
// what the consumer would make of it, and the grouping by error class.
#include <gtest/gtest.h>

#include "console/dead_letters.hpp"
#include "eventbus/dead_letter.hpp"
#include "eventbus/inbox.hpp"

namespace emis::console {
namespace {

constexpr const char* kId = "33333333-3333-4333-8333-333333333333";

eventbus::RawMessage original(const std::string& value) {
  eventbus::RawMessage raw;
  raw.topic = "emis.teacher.teachercreated";
  raw.partition = 2;
  raw.offset = 41;
  raw.key = "teacher-7";
  raw.value = value;
  raw.headers = {
      {"event-type", "TeacherCreatedIntegrationEvent"}, {"event-version", "1"}, {"ce_id", "stale"}};
  return raw;
}

// The dead letter of `raw` as the consumer writes it, read back from `<topic>.dlq` at offset 5.
DeadLetter dead_letter_at(const eventbus::RawMessage& raw, const std::string& error_class = "malformed") {
  const auto out =
      eventbus::dead_letter(raw, "identity-service-consumer", error_class, "value is not valid JSON", 1);
  eventbus::RawMessage stored;
  stored.topic = out.topic;
  stored.partition = 0;
  stored.offset = 5;
  if (!out.null_key) stored.key = out.key;
  stored.value = out.value;
  stored.headers = out.headers;
  return dead_letter_of({stored, 1764576000000});
}

std::optional<std::string> header(const eventbus::OutgoingMessage& m, const std::string& name) {
  for (const auto& [n, v] : m.headers)
    if (n == name) return v;
  return std::nullopt;
}

TEST(ConsoleDeadLetters, ReadsWhereItCameFromAndWhyItFailed) {
  const auto d = dead_letter_at(original("{"));
  EXPECT_TRUE(is_dead_letter_topic(d.record.raw.topic));
  EXPECT_FALSE(is_dead_letter_topic("emis.teacher.teachercreated"));
  EXPECT_FALSE(is_dead_letter_topic(".dlq"));
  EXPECT_EQ(d.original_topic, "emis.teacher.teachercreated");
  EXPECT_EQ(d.original_partition, 2);
  EXPECT_EQ(d.original_offset, 41);
  EXPECT_EQ(d.error_class, "malformed");
  EXPECT_EQ(d.error_message, "value is not valid JSON");
  EXPECT_EQ(d.consumer_group, "identity-service-consumer");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_FALSE(d.failed_at.empty());
}

TEST(ConsoleDeadLetters, AReplayGoesToTheOriginalTopicWithoutDlqHeadersAndNamesTheDeadLetter) {
  const std::string value = std::string(R"({"id":")") + kId + R"(","teacherId":"teacher-7"})";
  const auto d = dead_letter_at(original(value), "validation");
  const auto m = replay_message(d);
  EXPECT_EQ(m.topic, "emis.teacher.teachercreated");
  EXPECT_EQ(m.key, "teacher-7");
  EXPECT_FALSE(m.null_key);
  EXPECT_EQ(m.value, value);
  EXPECT_EQ(m.event_id, kId);  // the event keeps its id
  EXPECT_EQ(header(m, eventbus::replay_of_header), "emis.teacher.teachercreated.dlq/0/5");
  EXPECT_EQ(header(m, "event-type"), "TeacherCreatedIntegrationEvent");
  EXPECT_EQ(header(m, "ce_id"), kId);
  for (const auto& [name, v] : m.headers) EXPECT_NE(name.rfind("dlq-", 0), 0u) << name;
  const auto check = check_replay(d, m);
  EXPECT_TRUE(check.decodes) << check.problem;
  EXPECT_EQ(check.event_id, kId);
}

TEST(ConsoleDeadLetters, AReplayOfAReplayNamesOnlyTheLatestDeadLetter) {
  auto raw = original("{");
  raw.headers.emplace_back(eventbus::replay_of_header, "emis.teacher.teachercreated.dlq/0/1");
  const auto m = replay_message(dead_letter_at(raw));
  int count = 0;
  for (const auto& [name, v] : m.headers) count += name == eventbus::replay_of_header;
  EXPECT_EQ(count, 1);
  EXPECT_EQ(header(m, eventbus::replay_of_header), "emis.teacher.teachercreated.dlq/0/5");
}

TEST(ConsoleDeadLetters, AMalformedValueWouldBeDeadLetteredAgainAndAFixedCopyWouldNot) {
  const auto d = dead_letter_at(original(R"({"id":")"));
  const auto as_is = check_replay(d, replay_message(d));
  EXPECT_FALSE(as_is.decodes);
  EXPECT_EQ(as_is.error_class, "malformed");
  const std::string fixed = std::string(R"({"id":")") + kId + R"(","teacherId":"teacher-7"})";
  const auto m = replay_message(d, fixed);
  EXPECT_EQ(m.value, fixed);
  EXPECT_EQ(m.event_id, kId);
  const auto check = check_replay(d, m);
  EXPECT_TRUE(check.decodes) << check.problem;
  EXPECT_EQ(check.event_type, "TeacherCreatedIntegrationEvent");
}

TEST(ConsoleDeadLetters, AFixedCopyMustKeepTheEventsId) {
  const std::string value = std::string(R"({"id":")") + kId + R"(","teacherId":7})";
  const auto d = dead_letter_at(original(value), "validation");
  const auto m = replay_message(d, R"({"id":"44444444-4444-4444-8444-444444444444","teacherId":"7"})");
  const auto check = check_replay(d, m);
  EXPECT_FALSE(check.decodes);
  EXPECT_EQ(check.error_class, "changed-id");
}

TEST(ConsoleDeadLetters, ALetterWithoutItsOriginalTopicCannotBeReplayed) {
  auto d = dead_letter_at(original("{}"));
  d.original_topic.clear();
  EXPECT_EQ(check_replay(d, replay_message(d)).error_class, "no-original-topic");
}

TEST(ConsoleDeadLetters, ANullKeyStaysNull) {
  auto raw = original("{}");
  raw.key.reset();
  EXPECT_TRUE(replay_message(dead_letter_at(raw)).null_key);
}

TEST(ConsoleDeadLetters, GroupsByErrorClassInOrder) {
  auto a = dead_letter_at(original("{"), "validation");
  auto b = dead_letter_at(original("{"), "malformed");
  auto c = dead_letter_at(original("{"), "malformed");
  c.record.raw.offset = 2;
  auto none = dead_letter_at(original("{"), "");
  const auto groups = by_error_class({a, b, c, none});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].first, "malformed");
  ASSERT_EQ(groups[0].second.size(), 2u);
  EXPECT_EQ(groups[0].second[0].record.raw.offset, 2);
  EXPECT_EQ(groups[1].first, "unknown");
  EXPECT_EQ(groups[2].first, "validation");
}

}  // namespace
}  // namespace emis::console
