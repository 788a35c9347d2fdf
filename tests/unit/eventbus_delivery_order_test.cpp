// Which delivered outbox rows may be marked sent: only rows no earlier failed
// row of their partition (or key) precedes, across the batches of a drain.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eventbus/delivery_order.hpp"

namespace emis::eventbus {
namespace {

struct Outcome {
  std::string topic;
  std::string key;
  bool reported = true;
  bool ok = true;
  std::int32_t partition = 0;
};

class EventbusDeliveryOrder : public ::testing::Test {
 protected:
  std::vector<bool> settle(const std::vector<Outcome>& outcomes) {
    reports_.clear();
    reports_.reserve(outcomes.size());
    for (const auto& o : outcomes) reports_.push_back({o.ok, o.ok ? "" : "failed", o.partition, 0});
    std::vector<RowDelivery> rows;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
      rows.push_back({outcomes[i].topic, outcomes[i].key, outcomes[i].reported ? &reports_[i] : nullptr});
    return order_.settle(rows);
  }

  DeliveryOrder order_;
  std::vector<DeliveryReport> reports_;
};

TEST_F(EventbusDeliveryOrder, AllDeliveredAreMarked) {
  EXPECT_EQ(settle({{"t", "a"}, {"t", "b", true, true, 1}, {"t", "a"}}),
            (std::vector<bool>{true, true, true}));
  EXPECT_FALSE(order_.broken());
}

TEST_F(EventbusDeliveryOrder, AFailedRowHoldsBackTheLaterRowsOfItsPartitionOnly) {
  const auto sendable = settle({
      {"t", "a", true, true, 0},   // before the failure
      {"t", "a", true, false, 0},  // fails
      {"t", "c", true, true, 0},   // same partition, other key: held back
      {"t", "b", true, true, 1},   // other partition: marked
      {"u", "a", true, true, 0},   // other topic: marked
      {"t", "a", true, true, 0},   // same key: held back
  });
  EXPECT_EQ(sendable, (std::vector<bool>{true, false, false, true, true, false}));
  EXPECT_TRUE(order_.broken());
}

TEST_F(EventbusDeliveryOrder, TheHoldLastsAcrossBatchesUntilReset) {
  settle({{"t", "a", true, false, 2}});
  EXPECT_EQ(settle({{"t", "x", true, true, 2}, {"t", "y", true, true, 3}}), (std::vector<bool>{false, true}));
  order_.reset();
  EXPECT_FALSE(order_.broken());
  EXPECT_EQ(settle({{"t", "x", true, true, 2}}), (std::vector<bool>{true}));
}

TEST_F(EventbusDeliveryOrder, AFailureBeforePartitioningHoldsBackItsKeyOnly) {
  const auto sendable =
      settle({{"t", "a", true, false, -1}, {"t", "b", true, true, 5}, {"t", "a", true, true, 5}});
  EXPECT_EQ(sendable, (std::vector<bool>{false, true, false}));
}

TEST_F(EventbusDeliveryOrder, ARowWithoutReportCountsAsFailed) {
  const auto sendable = settle({{"t", "a", false}, {"t", "b", true, true, 1}, {"t", "a", true, true, 1}});
  EXPECT_EQ(sendable, (std::vector<bool>{false, true, false}));
  EXPECT_TRUE(order_.broken());
}

TEST_F(EventbusDeliveryOrder, AFailedKeyStaysHeldBackWhateverPartitionALaterReportNames) {
  settle({{"t", "a", true, false, 0}});
  EXPECT_EQ(settle({{"t", "a", true, true, 1}}), (std::vector<bool>{false}));
}

}  // namespace
}  // namespace emis::eventbus
