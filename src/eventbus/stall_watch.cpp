#include "eventbus/stall_watch.hpp"

namespace emis::eventbus {

void StallWatch::observe(const Partition& partition, std::int64_t position, bool paused,
                         Clock::time_point now) {
  const auto [it, inserted] = partitions_.try_emplace(partition, Seen{position, now});
  if (!inserted && (paused || it->second.position != position)) it->second = Seen{position, now};
}

std::vector<StallWatch::Partition> StallWatch::stalled(Clock::time_point now) {
  std::vector<Partition> out;
  for (auto& [partition, seen] : partitions_)
    if (now - seen.since >= patience_) {
      seen.since = now;
      out.push_back(partition);
    }
  return out;
}

}  // namespace emis::eventbus
