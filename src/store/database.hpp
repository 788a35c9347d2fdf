// The service's database: SQLite in WAL mode through SOCI. All writes go
// through one writer session (SQLite allows one writer anyway; queueing here
// avoids SQLITE_BUSY storms), and writes that queue up meanwhile commit
// together: the first waiting writer runs the work of those behind it, each
// in its own savepoint, then commits once, so that one flush to disk serves
// them all (group commit, as LevelDB batches its writers). Reads use a pool
// of reader sessions that WAL lets run beside the writer.
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

  // Runs `work` in a transaction; its effects are undone if it throws (the
  // exception reaches the caller, other work in the same commit is not
  // affected). Returns once the commit is durable; then runs the callbacks
  // the work registered (e.g. wake the relay). SQLite busy/locked errors
  // surface as a transient DomainError. `work` must not call write().
  template <class Work>
  auto write(Work&& work) -> std::invoke_result_t<Work, Transaction&>;

  // Runs `work` on a pooled reader session (its own snapshot in WAL mode).
  template <class Work>
  auto read(Work&& work) -> std::invoke_result_t<Work, soci::session&>;

  bool ping() noexcept;
  const DatabaseOptions& options() const noexcept { return options_; }

 private:
  // One caller of write() waiting for its work to be committed.
  struct Writer {
    std::function<void()> work;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };
  // Queues `writer`; returns when its work was committed or failed.
  void submit(Writer& writer);
  void run_batch(const std::vector<Writer*>& batch);
  bool in_transaction();
  void begin();
  void commit();
  void rollback() noexcept;
  [[noreturn]] void rethrow_translated();

  static constexpr std::size_t kMaxBatch = 128;

  DatabaseOptions options_;
  std::string connect_string_;
  std::mutex queue_mutex_;
  std::deque<Writer*> writers_;
  std::unique_ptr<soci::session> writer_;
  std::unique_ptr<soci::connection_pool> readers_;
};

// True when `e` is a UNIQUE/PRIMARY KEY constraint failure.
bool is_unique_violation(const std::exception& e) noexcept;
// True for any constraint failure (UNIQUE, NOT NULL, CHECK, FOREIGN KEY).
bool is_constraint_violation(const std::exception& e) noexcept;
// True when the database may accept the same statement later: busy, locked,
// an I/O error or a full disk. Any other SQL error (a missing column, a syntax
// error) is a bug that no retry cures.
bool is_transient_failure(const std::exception& e) noexcept;

template <class Work>
auto Database::write(Work&& work) -> std::invoke_result_t<Work, Transaction&> {
  using Result = std::invoke_result_t<Work, Transaction&>;
  Transaction tx(*writer_);
  Writer writer;
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  writer.work = [&] {
    if constexpr (std::is_void_v<Result>)
      work(tx);
    else
      result.emplace(work(tx));
  };
  submit(writer);
  if (writer.error) {
    try {
      std::rethrow_exception(writer.error);
    } catch (...) {
      rethrow_translated();
    }
  }
  tx.run_after_commit();
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
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
