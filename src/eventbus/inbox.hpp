// The inbox: which events a consumer group has already handled or
// dead-lettered, keyed by (consumer group, event id). Recording an outcome is
// also the duplicate check, in the transaction of the effect, so an event
// takes effect (or is dead-lettered) once however often it is delivered.
// Entries are pruned after a retention longer than Kafka keeps committed
// offsets: older deliveries can no longer come back as redeliveries.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/transaction.hpp"

namespace emis::eventbus {

// DESIGN.md "Replay": a dead letter replayed to its original topic carries this
// header (the dead letter's topic/partition/offset).
inline constexpr const char* replay_of_header = "emis-replay-of";

enum class InboxOutcome { handled, dead_lettered };

struct InboxEntry {
  std::string event_id;
  std::string event_type;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  // A replay passes the inbox only when the event's earlier outcome was dead-lettered.
  bool replay = false;
};

class Inbox {
 public:
  explicit Inbox(std::string consumer) : consumer_(std::move(consumer)) {}

  // Records the outcome unless the inbox already has the event; true when it
  // was recorded now (the caller then applies the outcome in the same transaction).
  bool record(store::Transaction& tx, const InboxEntry& entry, InboxOutcome outcome) const;
  bool seen(soci::session& session, const std::string& event_id) const;
  // Deletes up to `limit` of this consumer's entries recorded before
  // `cutoff`, the oldest first; returns how many.
  long long prune(store::Transaction& tx, std::chrono::system_clock::time_point cutoff, int limit) const;

 private:
  std::string consumer_;
};

}  // namespace emis::eventbus
