#include "eventbus/delivery_order.hpp"

namespace emis::eventbus {

bool DeliveryOrder::held_back(std::string_view topic, std::string_view key, std::int32_t partition) const {
  if (!broken_) return false;  // the common case: nothing failed in this drain
  const std::string t(topic);
  return keys_.count({t, std::string(key)}) > 0 || (partition >= 0 && partitions_.count({t, partition}) > 0);
}

std::vector<bool> DeliveryOrder::settle(const std::vector<RowDelivery>& rows) {
  std::vector<bool> sendable(rows.size(), false);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const std::int32_t partition = row.report ? row.report->partition : -1;
    if (row.report && row.report->ok && !held_back(row.topic, row.key, partition)) {
      sendable[i] = true;
      continue;
    }
    broken_ = true;
    keys_.emplace(row.topic, row.key);
    if (partition >= 0) partitions_.emplace(row.topic, partition);
  }
  return sendable;
}

void DeliveryOrder::reset() {
  broken_ = false;
  partitions_.clear();
  keys_.clear();
}

}  // namespace emis::eventbus
