#include "eventbus/kafka_message.hpp"

#include <librdkafka/rdkafkacpp.h>

namespace emis::eventbus {

RawMessage to_raw(RdKafka::Message& m) {
  RawMessage raw;
  raw.topic = m.topic_name();
  raw.partition = m.partition();
  raw.offset = m.offset();
  if (m.key()) raw.key = *m.key();
  raw.value.assign(static_cast<const char*>(m.payload()), m.len());
  if (const auto ts = m.timestamp(); ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE)
    raw.timestamp_ms = ts.timestamp;
  if (const auto* headers = m.headers())
    for (const auto& h : headers->get_all())
      raw.headers.emplace_back(h.key(),
                               h.value() ? std::string(h.value_string(), h.value_size()) : std::string());
  return raw;
}

std::unique_ptr<RdKafka::TopicPartition> topic_partition(const std::string& topic, std::int32_t partition,
                                                         std::int64_t offset) {
  return std::unique_ptr<RdKafka::TopicPartition>(RdKafka::TopicPartition::create(topic, partition, offset));
}

}  // namespace emis::eventbus
