// Replaying dead letters: each asked-for dead letter is read back from Kafka
// (never taken from the browser; a batch of all reuses the listing's read), its replay message built and
// checked, and, unless it is a dry run, produced to its original topic through the event bus's idempotent
// producer, every replay recorded in the replay log before and after its delivery report.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "console/dead_letters.hpp"
#include "console/kafka_inspector.hpp"
#include "console/replay_log.hpp"
#include "core/metrics.hpp"
#include "eventbus/producer.hpp"

namespace emis::console {

struct ReplayRequest {
  Place dead_letter;
  std::optional<std::string> fixed_value{};  // the operator's corrected value
  std::optional<DeadLetter> read{};          // the dead letter as just read from Kafka, if it was
};

struct ReplayItem {
  ReplayRequest request;
  std::optional<DeadLetter> letter;  // nullopt: not found in Kafka
  eventbus::OutgoingMessage message;
  ReplayCheck check;
  std::string skipped;               // why it is not replayed; empty when it is (or would be)
  std::optional<ReplayEntry> entry;  // the log's record, once replayed
};

struct Operator {
  std::string user_id;
  std::string name;
};

class DeadLetterReplayer {
 public:
  DeadLetterReplayer(const KafkaInspector& kafka, const ReplayLog& log, const eventbus::BusOptions& options,
                     core::MetricsRegistry& metrics);

  // What a replay of these would do; nothing is sent. Of several dead letters
  // of one original message only the first is replayed.
  std::vector<ReplayItem> plan(const std::vector<ReplayRequest>& requests) const;
  // Plans, then replays every item the plan does not skip; one replay at a time.
  std::vector<ReplayItem> replay(const std::vector<ReplayRequest>& requests, const Operator& by);

  std::chrono::milliseconds timeout{5000};

 private:
  ReplayItem plan_one(const ReplayRequest& request) const;
  void send(ReplayItem& item, const Operator& by);

  const KafkaInspector& kafka_;
  const ReplayLog& log_;
  std::mutex mutex_;
  eventbus::Producer producer_;
};

}  // namespace emis::console
