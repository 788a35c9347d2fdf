#include "console/message_search.hpp"

namespace emis::console {

bool matches(const KafkaRecord& record, const SearchFilter& f) {
  const auto& raw = record.raw;
  if (f.key_equals && raw.key != *f.key_equals) return false;
  if (f.header_name && raw.header(*f.header_name) != f.header_value.value_or("")) return false;
  if (f.value_contains && raw.value.find(*f.value_contains) == std::string::npos) return false;
  if (f.from_ms && record.timestamp_ms < *f.from_ms) return false;
  if (f.to_ms && record.timestamp_ms >= *f.to_ms) return false;
  return true;
}

}  // namespace emis::console
