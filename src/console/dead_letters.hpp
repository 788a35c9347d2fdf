// Dead letters as the operator sees and replays them. A dead letter is a
// message of a `<topic>.dlq` topic with the `dlq-*` headers the consumer
// added (eventbus/dead_letter.hpp). Replaying one follows DESIGN.md's
// "Replay": the message goes back to its original topic with its key, value
// (or an operator's fixed copy of the value) and headers, less the `dlq-*`
// ones, plus `emis-replay-of` naming the dead letter; the consumer's inbox
// lets it through only when its earlier outcome was dead-lettered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "console/kafka_inspector.hpp"
#include "eventbus/envelope.hpp"

namespace emis::console {

struct DeadLetter {
  KafkaRecord record;  // where it sits in the .dlq topic, and what it holds
  std::string original_topic;
  int original_partition = -1;
  std::int64_t original_offset = -1;
  std::string error_class;
  std::string error_message;
  std::string consumer_group;
  std::string failed_at;
  int attempts = 0;
};

bool is_dead_letter_topic(const std::string& topic);
// Reads the dlq-* headers; a header that is missing leaves its field empty (or -1).
DeadLetter dead_letter_of(KafkaRecord record);

// The value of emis-replay-of for this dead letter: "<dlq topic>/<partition>/<offset>".
std::string replay_of(const DeadLetter& letter);

// The message that replays `letter` to its original topic; `fixed_value`
// replaces the value (an operator's corrected copy of a malformed one).
eventbus::OutgoingMessage replay_message(const DeadLetter& letter,
                                         const std::optional<std::string>& fixed_value = std::nullopt);

// What the consumer will make of a replay message, as far as the console can
// tell without the consumer's handlers: whether it decodes as an event, and
// its id. A replay must keep the event's id: a fixed copy of a value that had
// a readable id is refused when it names another one.
struct ReplayCheck {
  bool decodes = false;
  std::string event_id;
  std::string event_type;
  std::string error_class;  // why it would be dead-lettered again
  std::string problem;      // empty when it decodes
};
ReplayCheck check_replay(const DeadLetter& letter, const eventbus::OutgoingMessage& message);

// The dead letters grouped by error class, classes in name order, letters in
// topic, partition, offset order.
std::vector<std::pair<std::string, std::vector<DeadLetter>>> by_error_class(std::vector<DeadLetter> letters);

}  // namespace emis::console
