// Wall-clock time in the ISO-8601 UTC form used on the wire and in storage.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emis::core {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-29T09:37:43.123Z" (milliseconds, always UTC).
std::string to_iso8601(SystemTime t);
std::string now_iso8601();

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff...]Z" and "+00:00"; nullopt otherwise.
std::optional<SystemTime> parse_iso8601(std::string_view text);

std::int64_t unix_seconds(SystemTime t);
std::int64_t unix_millis(SystemTime t);

}  // namespace emis::core
