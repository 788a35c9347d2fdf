// What a test's transactions put in the outbox, in the order the relay would
// publish it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace emis::testing {

inline constexpr std::size_t kOutboxRowsRead = 100;  // more than any such test writes

// The event type of each row.
inline std::vector<std::string> outbox_types(store::Database& db) {
  return db.read([](soci::session& s) {
    std::vector<std::string> types(kOutboxRowsRead);
    s << "SELECT event_type FROM outbox ORDER BY seq", soci::into(types);
    return types;
  });
}

// The JSON value of each row.
inline std::vector<nlohmann::json> outbox_values(store::Database& db) {
  return db.read([](soci::session& s) {
    std::vector<std::string> values(kOutboxRowsRead);
    s << "SELECT value FROM outbox ORDER BY seq", soci::into(values);
    std::vector<nlohmann::json> parsed;
    for (const auto& v : values) parsed.push_back(nlohmann::json::parse(v));
    return parsed;
  });
}

}  // namespace emis::testing
