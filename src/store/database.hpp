// The service's database: SQLite in WAL mode through SOCI. All writes go
// through one writer session, one transaction at a time (SQLite allows one
// writer anyway; queueing here avoids SQLITE_BUSY storms). Reads use a pool of
// reader sessions that WAL lets run beside the writer.
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "store/transaction.hpp"

namespace emis::store {

struct DatabaseOptions {
  std::string url;  // a SQLite file path ("sqlite://" prefix optional)
  std::size_t readers = 4;
  std::chrono::milliseconds busy_timeout{5000};
  // FULL: a commit the API acknowledged survives power loss, not only a crash.
  std::string synchronous = "FULL";
};

struct Migration {
  int version;
  std::string name;
  std::vector<std::string> statements;
};

class Database {
 public:
  explicit Database(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Applies the migrations not applied yet, in version order, each in its own
  // transaction. Several modules may call it with their own version ranges.
  void migrate(const std::vector<Migration>& migrations);

  // Runs `work` in BEGIN IMMEDIATE ... COMMIT; rolls back if it throws. After
  // the commit, runs the callbacks the work registered (e.g. wake the relay).
  // SQLite busy/locked errors surface as a transient DomainError.
  template <class Work>
  auto write(Work&& work) -> std::invoke_result_t<Work, Transaction&>;

  // Runs `work` on a pooled reader session (its own snapshot in WAL mode).
  template <class Work>
  auto read(Work&& work) -> std::invoke_result_t<Work, soci::session&>;

  bool ping() noexcept;
  const DatabaseOptions& options() const noexcept { return options_; }

 private:
  void begin();
  void commit();
  void rollback() noexcept;
  [[noreturn]] void rethrow_translated();

  DatabaseOptions options_;
  std::string connect_string_;
  std::mutex writer_mutex_;
  std::unique_ptr<soci::session> writer_;
  std::unique_ptr<soci::connection_pool> readers_;
};

// True when `e` is a UNIQUE/PRIMARY KEY constraint failure.
bool is_unique_violation(const std::exception& e) noexcept;
// True for any constraint failure (UNIQUE, NOT NULL, CHECK, FOREIGN KEY).
bool is_constraint_violation(const std::exception& e) noexcept;

template <class Work>
auto Database::write(Work&& work) -> std::invoke_result_t<Work, Transaction&> {
  using Result = std::invoke_result_t<Work, Transaction&>;
  std::unique_lock lock(writer_mutex_);
  Transaction tx(*writer_);
  try {
    begin();
    if constexpr (std::is_void_v<Result>) {
      work(tx);
      commit();
      lock.unlock();
      tx.run_after_commit();
    } else {
      Result result = work(tx);
      commit();
      lock.unlock();
      tx.run_after_commit();
      return result;
    }
  } catch (...) {
    if (lock.owns_lock()) rollback();
    rethrow_translated();
  }
}

template <class Work>
auto Database::read(Work&& work) -> std::invoke_result_t<Work, soci::session&> {
  try {
    soci::session session(*readers_);
    return work(session);
  } catch (...) {
    rethrow_translated();
  }
}

}  // namespace emis::store
