// Statements of one connection, prepared once and kept. SQLite spends more
// time parsing and planning a small INSERT than running it, and the writes a
// request or an event makes run the same text thousands of times a second.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace emis::store {

class StatementCache {
 public:
  explicit StatementCache(soci::session& session) : session_(session) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement of `sql`, prepared on first use, its bindings cleared for
  // the caller's.
  soci::statement& statement(const std::string& sql);
  // Ends the statement's run, so that it holds no read of the database
  // between uses (a SELECT stopped at its first row would).
  static void finish(soci::statement& st) noexcept;

 private:
  soci::session& session_;
  std::unordered_map<std::string, std::unique_ptr<soci::statement>> statements_;
};

}  // namespace emis::store
