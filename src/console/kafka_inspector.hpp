// What the operator sees of Kafka, from librdkafka's metadata, watermark and
// committed-offset calls (never a shell-out to a tool): the topics of the
// system with their partitions and end offsets, each watched consumer
// group's committed offset and lag per partition (lag = end offset minus the
// committed one), and bounded reads of a topic's messages. A group is read
// with OffsetFetch, never joined; messages are read by assigned partitions,
// without a group and without committing anything.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "eventbus/envelope.hpp"
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

// A message as read from a topic, with Kafka's timestamp of it.
struct KafkaRecord {
  eventbus::RawMessage raw;
  std::int64_t timestamp_ms = -1;  // -1: none
};

struct ScanLimits {
  std::size_t max_messages = 1000;        // stop after reading this many
  std::optional<std::int64_t> from_ms{};  // start each partition at this time (else at its first offset)
  std::chrono::milliseconds timeout{5000};
};

struct ScanResult {
  std::vector<KafkaRecord> records;  // per partition in offset order, partitions ascending
  std::size_t scanned = 0;           // messages read
  std::int64_t in_range = 0;         // messages between the start offsets and the end offsets
  bool complete = true;              // false: the limit or the timeout stopped the scan early
};

class KafkaInspector {
 public:
  // `topic_prefixes`: only topics starting with one of these are shown.
  KafkaInspector(eventbus::BusOptions options, std::vector<std::string> topic_prefixes);
  ~KafkaInspector();

  // True for a topic of the system (one starting with a shown prefix).
  bool is_system_topic(const std::string& name) const;
  // Throws std::runtime_error when the broker does not answer in time.
  std::vector<TopicOffsets> topics(std::chrono::milliseconds timeout) const;
  std::vector<GroupLag> lag(const std::string& group, const std::vector<TopicOffsets>& topics,
                            std::chrono::milliseconds timeout) const;
  // Reads `topic` up to its end offsets as they are when the scan starts,
  // within `limits`. `keep` says which messages the result holds (every one
  // read counts as scanned). Throws std::runtime_error when Kafka does not answer.
  ScanResult scan(const TopicOffsets& topic, const ScanLimits& limits,
                  const std::function<bool(const KafkaRecord&)>& keep) const;
  // The message at topic/partition/offset; nullopt when it is not (or no longer) there.
  std::optional<KafkaRecord> read(const std::string& topic, int partition, std::int64_t offset,
                                  std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<RdKafka::KafkaConsumer> reader() const;

  eventbus::BusOptions options_;
  std::vector<std::string> prefixes_;
  mutable std::mutex mutex_;  // one metadata request at a time on the handle
  std::unique_ptr<RdKafka::Producer> client_;
};

}  // namespace emis::console
