// Every replay of a dead letter, kept in the console's own database: who
// asked for it and when, which dead letter, what was sent (the value, and
// whether it was an operator's fixed copy), and the outcome. A row is written
// before the message is produced (pending) and completed after its delivery
// report, so a replay in flight when the console stops stays visible as
// pending. A dead letter delivered once is never replayed again: the
// consumer's answer to it is a new dead letter or a handled event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace emis::console {

std::vector<store::Migration> replay_log_migrations();

// A message's place in Kafka.
struct Place {
  std::string topic;
  int partition = -1;
  std::int64_t offset = -1;
};

struct ReplayEntry {
  std::string id;
  std::string requested_at;  // ISO-8601 UTC
  std::string operator_id;
  std::string operator_name;
  Place dead_letter;           // the replayed dead letter
  Place original;              // where the message was before it was dead-lettered
  std::string consumer_group;  // the group that dead-lettered it
  std::string error_class;
  std::string event_id;  // empty when the value names none
  bool fixed = false;    // the operator's corrected value, not the dead letter's
  std::string value;
  std::string outcome;  // pending, delivered, failed
  int delivered_partition = -1;
  std::int64_t delivered_offset = -1;
  std::string error;
  std::string finished_at;
};

class ReplayLog {
 public:
  explicit ReplayLog(store::Database& db) : db_(db) {}

  // Records a pending replay (id and requested_at are filled in); returns it.
  ReplayEntry begin(ReplayEntry entry) const;
  void delivered(const std::string& id, int partition, std::int64_t offset) const;
  void failed(const std::string& id, const std::string& error) const;
  // A delivered replay of this dead letter, or of another dead letter of the
  // same original message (two groups dead-letter it twice; one replay
  // reaches both), if there is one.
  std::optional<ReplayEntry> delivered_replay_of(const Place& dead_letter, const Place& original) const;
  std::vector<ReplayEntry> latest(int limit) const;

 private:
  store::Database& db_;
};

}  // namespace emis::console
