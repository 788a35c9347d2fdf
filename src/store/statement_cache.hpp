// Statements of one SQLite connection, prepared once and kept. SQLite spends
// more time parsing and planning a small INSERT than running it, and the
// writes a request or an event makes run the same text thousands of times a
// second.
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
  // Runs a statement of the cache with the bindings it was given and returns
  // the rows it changed. Its run then ends, failed or not, so that it holds
  // no read of the database until its next use (a SELECT stopped at its
  // first row would).
  static long long execute(soci::statement& st);

 private:
  soci::session& session_;
  std::unordered_map<std::string, std::unique_ptr<soci::statement>> statements_;
};

}  // namespace emis::store
