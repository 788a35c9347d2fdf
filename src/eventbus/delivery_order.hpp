// Which delivered outbox rows may be marked sent without letting a row run
// ahead of an earlier one of its partition. Kafka keeps order per partition
// (and so per key), so once a row failed, every later row of the same
// topic-partition stays unsent even if its own delivery report is OK: the
// relay reads them again after the failed row and publishes them after it.
// Rows of other partitions are not held back. A failed row also holds back
// its key, whatever partition a later report names; a failure whose
// partition is unknown (refused before partitioning, or no report) holds
// back only its key, which is all per-key order needs, so that one event
// that can never be sent does not stop its whole topic.
//
// The state spans the batches of one drain (reports arrive batch by batch,
// in sequence order); reset() starts the next drain.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventbus/producer.hpp"

namespace emis::eventbus {

struct RowDelivery {
  std::string_view topic;
  std::string_view key;
  // Null: no report (not produced, or given up waiting); counts as failed.
  const DeliveryReport* report = nullptr;
};

class DeliveryOrder {
 public:
  // For rows in sequence order, continuing the rows of earlier calls: true
  // where the row may be marked sent.
  std::vector<bool> settle(const std::vector<RowDelivery>& rows);
  // True once a row failed (or was held back) since the last reset.
  bool broken() const noexcept { return broken_; }
  // True once a failure on a known partition holds that partition back.
  bool holds_partitions() const noexcept { return !partitions_.empty(); }
  void reset();

 private:
  bool held_back(std::string_view topic, std::string_view key, std::int32_t partition) const;

  bool broken_ = false;
  std::set<std::pair<std::string, std::int32_t>> partitions_;  // topic, partition
  std::set<std::pair<std::string, std::string>> keys_;         // topic, key
};

}  // namespace emis::eventbus
