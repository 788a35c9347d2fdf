// Creating topics before they are used. A consumer that subscribes to a topic
// nobody has produced to yet would otherwise only see it at librdkafka's next
// periodic metadata refresh (minutes); creating it first makes the
// subscription take effect at once. Partition and replica counts are the
// broker's defaults unless given.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "eventbus/options.hpp"

namespace emis::eventbus {

struct TopicSpec {
  std::string name;
  int partitions = -1;   // -1: the broker's num.partitions
  int replication = -1;  // -1: the broker's default.replication.factor
};

// Creates the topics that do not exist yet. Returns false when the broker
// could not be asked (unreachable, timeout); existing topics are success.
bool ensure_topics(const BusOptions& options, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout);

}  // namespace emis::eventbus
