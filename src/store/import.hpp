// Moving a service from its embedded SQLite file to PostgreSQL: every row of
// every table (teachers, users, activation codes, unsent and sent outbox
// rows, the inbox, ...) goes over in one transaction on the target, whose
// schema the service has migrated first. Outbox sequence numbers keep their
// values, so unsent events are published in the same order, and the
// target's sequences continue after them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace emis::store {

struct ImportedTable {
  std::string table;
  std::int64_t rows = 0;
};

// Copies what `sqlite` holds into `target`. Throws std::runtime_error, and
// writes nothing, when a table of the source is missing from the target or
// the target already holds rows (an import runs once, before the service
// takes traffic on PostgreSQL).
std::vector<ImportedTable> import_rows(Database& sqlite, Database& target);

}  // namespace emis::store
