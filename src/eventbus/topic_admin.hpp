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

// Makes a client (a producer, or a consumer before it joins) know the
// partitions and leaders of these topics now, and waits until each leader
// serves its partition.
// - librdkafka puts a message for a topic it has no metadata for aside and
//   asks for that metadata only at its next once-a-second topic scan, so
//   without this the first event on each topic waits up to a second.
// - A partition created a moment ago is listed with its leader shortly before
//   that leader serves it; a consumer's first request in that window is
//   retried only 500 ms later. (A partition listed without a leader, its
//   broker away, is not waited for.)
// Returns false when the broker could not be asked, or a leader did not serve,
// within the timeout (the client then still finds the topics later).
bool prefetch_topic_metadata(rd_kafka_s* client, const std::vector<std::string>& topics,
                             std::chrono::milliseconds timeout);

}  // namespace emis::eventbus
