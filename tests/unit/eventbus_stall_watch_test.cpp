#include "eventbus/stall_watch.hpp"

#include <gtest/gtest.h>

namespace emis::eventbus {
namespace {

using namespace std::chrono_literals;
using Partition = StallWatch::Partition;

const Partition p0{"teacher.events", 0};
const Partition p1{"teacher.events", 1};

TEST(StallWatch, APartitionThatMovesIsNeverASuspect) {
  StallWatch watch(15s);
  const auto t0 = StallWatch::Clock::now();
  for (int i = 0; i <= 10; ++i) {
    watch.observe(p0, 100 + i, false, t0 + i * 5s);
    EXPECT_TRUE(watch.stalled(t0 + i * 5s).empty());
  }
}

TEST(StallWatch, APartitionStandingStillForThePatienceIsReportedAndReportedAgainLater) {
  StallWatch watch(15s);
  const auto t0 = StallWatch::Clock::now();
  watch.observe(p0, 40, false, t0);
  watch.observe(p1, 7, false, t0);
  watch.observe(p1, 9, false, t0 + 10s);
  watch.observe(p0, 40, false, t0 + 10s);
  EXPECT_TRUE(watch.stalled(t0 + 10s).empty());
  EXPECT_EQ(watch.stalled(t0 + 15s), std::vector<Partition>{p0});
  EXPECT_TRUE(watch.stalled(t0 + 20s).empty()) << "once per patience";
  watch.observe(p0, 40, false, t0 + 25s);
  EXPECT_EQ(watch.stalled(t0 + 30s), (std::vector<Partition>{p0, p1}));
}

TEST(StallWatch, APausedPartitionIsNotASuspectUntilThePatienceAfterItWasLastSeenPaused) {
  StallWatch watch(15s);
  const auto t0 = StallWatch::Clock::now();
  watch.observe(p0, -1001, false, t0);  // nothing read since the assignment
  watch.observe(p0, -1001, true, t0 + 10s);
  EXPECT_TRUE(watch.stalled(t0 + 20s).empty());
  watch.observe(p0, -1001, false, t0 + 20s);
  EXPECT_TRUE(watch.stalled(t0 + 20s).empty());
  EXPECT_EQ(watch.stalled(t0 + 25s), std::vector<Partition>{p0});
}

TEST(StallWatch, ClearForgetsRevokedPartitions) {
  StallWatch watch(15s);
  const auto t0 = StallWatch::Clock::now();
  watch.observe(p0, 3, false, t0);
  watch.clear();
  EXPECT_TRUE(watch.stalled(t0 + 1min).empty());
}

}  // namespace
}  // namespace emis::eventbus
