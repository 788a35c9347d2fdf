// A consumed librdkafka message copied into the bus's own RawMessage, so
// decoding and dead-lettering never touch librdkafka types.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "eventbus/envelope.hpp"

namespace emis::eventbus {

RawMessage to_raw(RdKafka::Message& message);

// One partition (at `offset`) for librdkafka's calls that take a list of them.
std::unique_ptr<RdKafka::TopicPartition> topic_partition(
    const std::string& topic, std::int32_t partition, std::int64_t offset = RdKafka::Topic::OFFSET_INVALID);

}  // namespace emis::eventbus
