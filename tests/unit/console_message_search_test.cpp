// The operator's message search: fixed comparisons, all of which must hold.
#include <gtest/gtest.h>

#include "console/message_search.hpp"

namespace emis::console {
namespace {

KafkaRecord record() {
  eventbus::RawMessage raw;
  raw.topic = "emis.teacher.teachercreated";
  raw.key = "teacher-1";
  raw.value = R"({"fullName":"Le Thi Lan"})";
  raw.headers = {{"event-type", "Old"}, {"event-type", "TeacherCreatedIntegrationEvent"}};
  return {raw, 1000};
}

TEST(ConsoleMessageSearch, AnEmptyFilterMatchesEverything) { EXPECT_TRUE(matches(record(), {})); }

TEST(ConsoleMessageSearch, KeyEqualsIsExact) {
  EXPECT_TRUE(matches(record(), {.key_equals = "teacher-1"}));
  EXPECT_FALSE(matches(record(), {.key_equals = "teacher"}));
  auto keyless = record();
  keyless.raw.key.reset();
  EXPECT_FALSE(matches(keyless, {.key_equals = ""}));
}

TEST(ConsoleMessageSearch, HeaderEqualsReadsTheLastHeaderOfTheName) {
  EXPECT_TRUE(
      matches(record(), {.header_name = "event-type", .header_value = "TeacherCreatedIntegrationEvent"}));
  EXPECT_FALSE(matches(record(), {.header_name = "event-type", .header_value = "Old"}));
  EXPECT_FALSE(matches(record(), {.header_name = "traceparent", .header_value = ""}));
}

TEST(ConsoleMessageSearch, PayloadContainsIsPlainText) {
  EXPECT_TRUE(matches(record(), {.value_contains = "Thi Lan"}));
  EXPECT_FALSE(matches(record(), {.value_contains = "T.i"}));  // no patterns, no code
}

TEST(ConsoleMessageSearch, TheTimeRangeIncludesItsStartAndNotItsEnd) {
  EXPECT_TRUE(matches(record(), {.from_ms = 1000, .to_ms = 1001}));
  EXPECT_FALSE(matches(record(), {.from_ms = 1001}));
  EXPECT_FALSE(matches(record(), {.to_ms = 1000}));
}

TEST(ConsoleMessageSearch, EveryGivenComparisonMustHold) {
  EXPECT_FALSE(matches(record(), {.key_equals = "teacher-1", .value_contains = "nobody"}));
}

}  // namespace
}  // namespace emis::console
