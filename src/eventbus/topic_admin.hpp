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

struct rd_kafka_s;

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

// Makes a client (a producer, or a consumer before it joins) know the partitions and leaders of these
// topics now. librdkafka puts a message for a topic it has no metadata for
// aside and asks for that metadata only at its next once-a-second topic
// scan, so without this the first event on each topic waits up to a second.
// Returns false when the broker could not be asked within the timeout (the
// scan then still finds the topics later).
bool prefetch_topic_metadata(rd_kafka_s* client, const std::vector<std::string>& topics,
                             std::chrono::milliseconds timeout);

}  // namespace emis::eventbus
