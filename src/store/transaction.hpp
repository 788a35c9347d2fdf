// An open write transaction: the session to run statements on, and work to
// do once the transaction has committed (never when it rolls back).
#pragma once

#include <soci/soci.h>

#include <functional>
#include <string>
#include <vector>

#include "store/dialect.hpp"
#include "store/statement_cache.hpp"

namespace emis::store {

class Transaction {
 public:
  Transaction(soci::session* session, Dialect dialect) : session_(session), dialect_(dialect) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  soci::session& session() noexcept { return *session_; }
  // Runs `sql` with `elements` (soci::use and soci::into) bound and returns
  // the rows it changed. For the statements a request or an event runs every
  // time: on SQLite's writer they are prepared once per process.
  template <class... Elements>
  long long run(const std::string& sql, Elements&&... elements) {
    return store::run(*session_, sql, std::forward<Elements>(elements)...);
  }
  Dialect dialect() const noexcept { return dialect_; }
  // Runs `callback` once the transaction has committed, never if it rolls
  // back. A callback that throws is logged; the others still run and the
  // write still counts as committed.
  void after_commit(std::function<void()> callback) { after_commit_.push_back(std::move(callback)); }
  void run_after_commit();
  // Wakes whoever listens on `channel` in other processes when this
  // transaction commits (PostgreSQL NOTIFY, once per transaction and
  // channel; nothing on SQLite, which has one process).
  void notify(const std::string& channel);

 private:
  friend class Database;  // binds a PostgreSQL writer to the session it checked out
  soci::session* session_;
  Dialect dialect_;
  std::vector<std::function<void()>> after_commit_;
  std::vector<std::string> notified_;
};

}  // namespace emis::store
