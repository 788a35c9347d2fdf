// A consumed librdkafka message copied into the bus's own RawMessage, so
// decoding and dead-lettering never touch librdkafka types.
#pragma once

#include "eventbus/envelope.hpp"

namespace RdKafka {
class Message;
}

namespace emis::eventbus {

RawMessage to_raw(RdKafka::Message& message);

}  // namespace emis::eventbus
