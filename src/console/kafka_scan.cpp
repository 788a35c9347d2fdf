// KafkaInspector's bounded reads: partitions assigned to a consumer of no
// group (nothing joined, nothing committed), read from a start offset up to
// the end offsets of when the scan began.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "console/kafka_inspector.hpp"
#include "eventbus/kafka_config.hpp"
#include "eventbus/kafka_message.hpp"

namespace emis::console {
namespace {

using Clock = std::chrono::steady_clock;

struct Range {
  std::int64_t next = 0;
  std::int64_t end = 0;  // exclusive
};

// Where each partition's scan starts: its first offset, or the first at or
// after `from_ms`.
std::map<int, Range> ranges_of(RdKafka::KafkaConsumer& consumer, const TopicOffsets& topic,
                               const ScanLimits& limits) {
  std::map<int, Range> ranges;
  for (const auto& p : topic.partitions) ranges[p.partition] = {p.low, p.high};
  if (!limits.from_ms) return ranges;
  std::vector<RdKafka::TopicPartition*> query;
  for (const auto& p : topic.partitions) {
    query.push_back(RdKafka::TopicPartition::create(topic.name, p.partition));
    query.back()->set_offset(*limits.from_ms);
  }
  const auto err = consumer.offsetsForTimes(query, static_cast<int>(limits.timeout.count()));
  for (auto* tp : query) {
    auto& range = ranges[tp->partition()];
    // -1: no message at or after that time in the partition.
    if (err == RdKafka::ERR_NO_ERROR)
      range.next = tp->offset() < 0 ? range.end : std::max(range.next, tp->offset());
  }
  RdKafka::TopicPartition::destroy(query);
  if (err != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("Kafka offsets for times: " + RdKafka::err2str(err));
  return ranges;
}

KafkaRecord record_of(RdKafka::Message& m) {
  const auto ts = m.timestamp();
  return {eventbus::to_raw(m),
          ts.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE ? -1 : ts.timestamp};
}

}  // namespace

std::unique_ptr<RdKafka::KafkaConsumer> KafkaInspector::reader() const {
  auto options = options_;
  options.instance_id.clear();
  const auto conf = eventbus::admin_config(options);
  // A group id is required by the client, never used: partitions are
  // assigned, not subscribed, and nothing is committed.
  eventbus::set(*conf, "group.id", options_.group_id + ".reader");
  eventbus::set(*conf, "enable.auto.commit", "false");
  eventbus::set(*conf, "enable.auto.offset.store", "false");
  eventbus::set(*conf, "enable.partition.eof", "false");
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("cannot create a Kafka client: " + error);
  return consumer;
}

ScanResult KafkaInspector::scan(const TopicOffsets& topic, const ScanLimits& limits,
                                const std::function<bool(const KafkaRecord&)>& keep) const {
  const auto deadline = Clock::now() + limits.timeout;
  auto consumer = reader();
  auto ranges = ranges_of(*consumer, topic, limits);
  ScanResult result;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto& [partition, range] : ranges) {
    if (range.next >= range.end) continue;
    result.in_range += range.end - range.next;
    assignment.push_back(RdKafka::TopicPartition::create(topic.name, partition, range.next));
  }
  std::size_t open = assignment.size();
  if (open > 0) consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  while (open > 0 && result.scanned < limits.max_messages && Clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(100));
    if (m->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      consumer->close();
      throw std::runtime_error("reading " + topic.name + ": " + m->errstr());
    }
    auto& range = ranges[m->partition()];
    if (m->offset() < range.next || range.next >= range.end) continue;  // past the snapshot's end
    range.next = m->offset() + 1;
    ++result.scanned;
    auto record = record_of(*m);
    if (keep(record)) result.records.push_back(std::move(record));
    if (range.next >= range.end) --open;
  }
  result.complete = open == 0;
  consumer->close();
  std::stable_sort(result.records.begin(), result.records.end(), [](const auto& a, const auto& b) {
    return a.raw.partition != b.raw.partition ? a.raw.partition < b.raw.partition
                                              : a.raw.offset < b.raw.offset;
  });
  return result;
}

std::optional<KafkaRecord> KafkaInspector::read(const std::string& topic, int partition, std::int64_t offset,
                                                std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  auto consumer = reader();
  std::int64_t low = 0;
  std::int64_t high = 0;
  const auto err =
      consumer->query_watermark_offsets(topic, partition, &low, &high, static_cast<int>(timeout.count()));
  if (err == RdKafka::ERR__UNKNOWN_PARTITION || err == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART)
    return std::nullopt;
  if (err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("Kafka watermarks: " + RdKafka::err2str(err));
  if (offset < low || offset >= high) return std::nullopt;
  std::vector<RdKafka::TopicPartition*> assignment{RdKafka::TopicPartition::create(topic, partition, offset)};
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  std::optional<KafkaRecord> found;
  while (!found && Clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(100));
    if (m->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) break;
    if (m->offset() == offset)
      found = record_of(*m);
    else if (m->offset() > offset)
      break;  // compacted away
  }
  consumer->close();
  if (!found && Clock::now() >= deadline) throw std::runtime_error("Kafka did not answer in time");
  return found;
}

}  // namespace emis::console
