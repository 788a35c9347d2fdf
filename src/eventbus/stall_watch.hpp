// Notices an assigned partition whose fetching has stopped. librdkafka 2.0.2
// can leave a partition it was just given (again) waiting for an offset
// reply it has already discarded, or fetching from a stale position after an
// eager rebalance (librdkafka #4637, #4686): the consumer keeps polling and
// its other partitions flow, but the events of that one wait forever. The
// consumer reports the position of every partition it reads from, a few
// seconds apart; a partition whose position has not moved for `patience`
// while it was not paused is a suspect. The consumer then asks the broker
// where the partition ends and, when events wait there, restarts its fetch
// at the position (or the committed offset).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace emis::eventbus {

class StallWatch {
 public:
  using Partition = std::pair<std::string, std::int32_t>;
  using Clock = std::chrono::steady_clock;

  explicit StallWatch(std::chrono::milliseconds patience) : patience_(patience) {}

  // The partition's position now (librdkafka's, possibly OFFSET_INVALID);
  // `paused` when it is not meant to move.
  void observe(const Partition& partition, std::int64_t position, bool paused, Clock::time_point now);
  // Partitions whose position stood still for the whole `patience` while
  // they were not paused; a partition still standing still is reported
  // again after another `patience`.
  std::vector<Partition> stalled(Clock::time_point now);
  // Forgets every partition (they were revoked).
  void clear() { partitions_.clear(); }

 private:
  struct Seen {
    std::int64_t position = 0;
    Clock::time_point since;
  };
  std::chrono::milliseconds patience_;
  std::map<Partition, Seen> partitions_;
};

}  // namespace emis::eventbus
