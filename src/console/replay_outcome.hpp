// What became of a delivered replay at the consumer group that had
// dead-lettered the message: still waiting (its committed offset is not past
// the replay yet), dead-lettered again (a dead letter of the replay's own
// place exists), or consumed (handled, or skipped by its inbox as a
// duplicate). Read from Kafka only: the group's committed offset and the
// dead-letter topic.
#pragma once

#include <string>
#include <vector>

#include "console/kafka_inspector.hpp"
#include "console/replay_log.hpp"

namespace emis::console {

struct ReplayOutcome {
  std::string state;   // waiting, consumed, dead-lettered-again, unknown
  std::string detail;  // for dead-lettered-again: the error class and message
};

// One outcome per entry; only delivered entries are looked up (the others are "unknown").
std::vector<ReplayOutcome> replay_outcomes(const KafkaInspector& kafka,
                                           const std::vector<ReplayEntry>& entries);

}  // namespace emis::console
