// What the operator sees of Kafka, from librdkafka's metadata, watermark and
// committed-offset calls (never a shell-out to a tool): the topics of the
// system with their partitions and end offsets, and each watched consumer
// group's committed offset and lag per partition (lag = end offset minus the
// committed one). A group is read with OffsetFetch, never joined.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eventbus/options.hpp"

namespace emis::console {

struct PartitionOffsets {
  int partition = 0;
  std::int64_t low = 0;   // the first offset still kept
  std::int64_t high = 0;  // the end offset: the next message's
};

struct TopicOffsets {
  std::string name;
  std::vector<PartitionOffsets> partitions;
};

struct GroupLag {
  std::string group;
  std::string topic;
  int partition = 0;
  std::int64_t committed = -1;  // -1: nothing committed yet
  std::int64_t lag = 0;
};

class KafkaInspector {
 public:
  // `topic_prefixes`: only topics starting with one of these are shown.
  KafkaInspector(eventbus::BusOptions options, std::vector<std::string> topic_prefixes);
  ~KafkaInspector();

  // Throws std::runtime_error when the broker does not answer in time.
  std::vector<TopicOffsets> topics(std::chrono::milliseconds timeout) const;
  std::vector<GroupLag> lag(const std::string& group, const std::vector<TopicOffsets>& topics,
                            std::chrono::milliseconds timeout) const;

 private:
  eventbus::BusOptions options_;
  std::vector<std::string> prefixes_;
  mutable std::mutex mutex_;  // one metadata request at a time on the handle
  std::unique_ptr<RdKafka::Producer> client_;
};

}  // namespace emis::console
