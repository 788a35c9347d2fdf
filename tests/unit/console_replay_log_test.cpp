// The console's replay log on a real database (SQLite, or the PostgreSQL
// fixture): pending before the send, its outcome after, newest first, and
// whether a dead letter (or another of the same message) was delivered once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "console/replay_log.hpp"
#include "support/bus_testing.hpp"

namespace emis::console {
namespace {

class ConsoleReplayLog : public ::testing::Test {
 protected:
  ConsoleReplayLog()
      : db_(testing::test_database_options(testing::test_database_url(dir_, "console.db"))), log_(db_) {
    db_.migrate(replay_log_migrations());
  }

  ReplayEntry entry(std::int64_t dlq_offset, const std::string& group) {
    ReplayEntry e;
    e.operator_id = "op-1";
    e.operator_name = "Operator One";
    e.dead_letter = {"emis.teacher.teachercreated.dlq", 0, dlq_offset};
    e.original = {"emis.teacher.teachercreated", 1, 17};
    e.consumer_group = group;
    e.error_class = "malformed";
    e.event_id = "33333333-3333-4333-8333-333333333333";
    e.fixed = true;
    e.value = R"({"id":"33333333-3333-4333-8333-333333333333"})";
    return e;
  }

  testing::ScratchDir dir_;
  store::Database db_;
  ReplayLog log_;
};

TEST_F(ConsoleReplayLog, RecordsWhoWhenWhatAndTheOutcome) {
  const auto begun = log_.begin(entry(4, "identity-service-consumer"));
  EXPECT_FALSE(begun.id.empty());
  EXPECT_FALSE(begun.requested_at.empty());
  auto all = log_.latest(10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, "pending");
  log_.delivered(begun.id, 1, 99);
  all = log_.latest(10);
  EXPECT_EQ(all[0].outcome, "delivered");
  EXPECT_EQ(all[0].delivered_partition, 1);
  EXPECT_EQ(all[0].delivered_offset, 99);
  EXPECT_EQ(all[0].operator_name, "Operator One");
  EXPECT_EQ(all[0].dead_letter.offset, 4);
  EXPECT_EQ(all[0].original.offset, 17);
  EXPECT_TRUE(all[0].fixed);
  EXPECT_EQ(all[0].value, R"({"id":"33333333-3333-4333-8333-333333333333"})");
  EXPECT_FALSE(all[0].finished_at.empty());
}

TEST_F(ConsoleReplayLog, OnlyADeliveredReplayCountsAsReplayedForEveryDeadLetterOfTheMessage) {
  const auto first = log_.begin(entry(4, "identity-service-consumer"));
  log_.failed(first.id, "Local: Message timed out");
  const Place identity_letter{"emis.teacher.teachercreated.dlq", 0, 4};
  const Place console_letter{"emis.teacher.teachercreated.dlq", 0, 5};
  const Place original{"emis.teacher.teachercreated", 1, 17};
  EXPECT_FALSE(log_.delivered_replay_of(identity_letter, original));
  const auto second = log_.begin(entry(4, "identity-service-consumer"));
  log_.delivered(second.id, 1, 100);
  EXPECT_EQ(log_.delivered_replay_of(identity_letter, original)->id, second.id);
  // The console's own dead letter of the same message: the one replay reached its group too.
  EXPECT_EQ(log_.delivered_replay_of(console_letter, original)->id, second.id);
  EXPECT_FALSE(log_.delivered_replay_of(console_letter, {"emis.teacher.teachercreated", 1, 18}));
  const auto all = log_.latest(10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].outcome, "failed");
  EXPECT_EQ(all[1].error, "Local: Message timed out");
}

TEST_F(ConsoleReplayLog, ReplaysBegunInTheSameMillisecondListNewestFirst) {
  std::vector<std::string> begun;
  for (int i = 0; i < 20; ++i) begun.push_back(log_.begin(entry(i, "identity-service-consumer")).id);
  const auto all = log_.latest(20);
  ASSERT_EQ(all.size(), begun.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, begun[begun.size() - 1 - i]) << i;
}

}  // namespace
}  // namespace emis::console
