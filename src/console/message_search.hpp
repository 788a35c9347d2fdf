// Message search over one topic for the operator: fixed operators only (key
// equals, header equals, value contains, time range), combined with AND. No
// expression language and no code from the user: a filter is data, matched
// by the comparisons below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "console/kafka_inspector.hpp"

namespace emis::console {

struct SearchFilter {
  std::optional<std::string> key_equals{};
  std::optional<std::string> header_name{};   // with header_value: that header equals it
  std::optional<std::string> header_value{};  // (the last header of the name, as the consumer reads it)
  std::optional<std::string> value_contains{};
  std::optional<std::int64_t> from_ms{};  // Kafka timestamp, inclusive
  std::optional<std::int64_t> to_ms{};    // exclusive
};

bool matches(const KafkaRecord& record, const SearchFilter& filter);

}  // namespace emis::console
