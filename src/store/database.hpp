// The service's database through SOCI: SQLite in WAL mode (embedded, one
// process) or PostgreSQL (several instances sharing it).
//
// On SQLite all writes go through one writer session (SQLite allows one
// writer anyway; queueing here avoids SQLITE_BUSY storms), and writes that
// queue up while a commit is flushing commit together: a commit thread runs
// each queued work in its own savepoint, then commits once, so that one flush
// to disk serves them all (group commit, as LevelDB batches its writers).
//
// On PostgreSQL each write is its own transaction on a pooled session: the
// server already merges the WAL flushes of concurrent commits, and a
// savepoint per writer would cost a subtransaction each (a backend caches
// only 64 before it slows down sharply). write_async runs on a few writer
// threads, one session each.
//
// Either way a caller waits for its commit (write) or leaves a completion to
// run after it (write_async), so an HTTP worker need not sleep through the
// flush. Reads use a pool of reader sessions (WAL lets them run beside the
// writer).
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
#include <thread>
#include <type_traits>
#include <vector>

#include "core/thread_pool.hpp"
#include "store/dialect.hpp"
#include "store/transaction.hpp"

namespace emis::store {

struct DatabaseOptions {
  // A SQLite file path ("sqlite://" prefix optional) or a PostgreSQL URL
  // (postgresql://user:password@host:port/database?sslmode=...).
  std::string url;
  std::size_t readers = 4;
  std::size_t writers = 4;  // PostgreSQL: sessions that write at once
  std::chrono::milliseconds busy_timeout{5000};
  // FULL: a commit the API acknowledged survives power loss, not only a crash.
  std::string synchronous = "FULL";
};

// How a write reaches the disk.
enum class Durability {
  // Flushed before the write returns (at the configured synchronous level):
  // a change the service acknowledged survives power loss.
  durable,
  // Not flushed by its own commit. It survives a crash of the process and
  // reaches the disk with the next durable commit, but power loss may undo
  // it. For bookkeeping that is safe to do again, such as marking outbox rows
  // sent (a lost mark publishes the rows again, and consumers' inboxes drop
  // the duplicates): it then costs no flush of its own, and does not hold
  // the writer through one while requests and events wait behind it.
  // SQLite: synchronous=NORMAL for a batch of relaxed writes only (in WAL
  // mode the log is appended in order, so a later durable commit's flush
  // covers it). PostgreSQL: synchronous_commit=off for the transaction.
  relaxed,
};

struct Migration {
  int version;
  std::string name;
  std::vector<std::string> statements;
  // Data work SQL alone cannot say, run after the statements in the same
  // transaction.
  std::function<void(Transaction&)> step = {};
};

class Database {
 public:
  explicit Database(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Applies the migrations not applied yet, in version order, each in its own
  // transaction. Several modules may call it with their own version ranges,
  // and several processes at once: on PostgreSQL an advisory lock makes them
  // take turns, and each sees what the one before it applied.
  void migrate(const std::vector<Migration>& migrations);

  // Runs `work` in a transaction; its effects are undone if it throws (the
  // exception reaches the caller, other work in the same commit is not
  // affected). Returns once the commit is durable; then runs the callbacks
  // the work registered (e.g. wake the relay). SQLite busy/locked errors
  // surface as a transient DomainError. `work` must not call write().
  template <class Work>
  auto write(Work&& work, Durability durability = Durability::durable)
      -> std::invoke_result_t<Work, Transaction&>;

  // As write, without waiting for a commit thread that is busy: `done` runs
  // once the commit is durable (with no error, after the work's after-commit
  // callbacks) or the work failed (with the error write would have thrown),
  // on the commit thread, or on the caller's before write_async returns when
  // nothing else was committing. `done` must be quick and must not throw or
  // call write(). Throws DomainError(transient) when the database is
  // shutting down.
  using WriteDone = std::function<void(std::exception_ptr error)>;
  void write_async(std::function<void(Transaction&)> work, WriteDone done);

  // Runs `work` on a pooled reader session (its own snapshot in WAL mode).
  template <class Work>
  auto read(Work&& work) -> std::invoke_result_t<Work, soci::session&>;

  bool ping() noexcept;
  const DatabaseOptions& options() const noexcept { return options_; }
  Dialect dialect() const noexcept { return dialect_; }

 private:
  // One write waiting for its commit: a caller of write() blocked on
  // `wake`, or a write_async whose `done` the commit thread calls.
  struct Writer {
    Writer(soci::session* session, Dialect dialect) : tx(session, dialect) {}
    Transaction tx;
    std::function<void(Transaction&)> work;
    WriteDone done;  // empty for a blocking write()
    Durability durability = Durability::durable;
    std::exception_ptr error;
    bool finished = false;
    std::condition_variable wake;
  };
  void throw_if_stopping() const;
  // Commits `writer` on this thread, and completes it if it is a
  // write_async, when nothing else is queued or committing; else returns
  // false with the lock still held.
  bool commit_if_idle(std::unique_lock<std::mutex>& lock, Writer& writer);
  // Hands `writer` to the commit thread (the lock held).
  void queue(Writer* writer);
  // Commits `writer` on this thread when nothing else is queued or
  // committing, else queues it and waits for the commit thread.
  void commit_or_wait(Writer& writer);
  void commit_loop();
  void finish_batch(const std::vector<Writer*>& batch);
  // Runs a write_async completion and frees the writer.
  void complete(std::unique_ptr<Writer> writer) noexcept;
  void run_batch(const std::vector<Writer*>& batch);
  // PostgreSQL: runs one writer in its own transaction on a pooled session.
  void run_alone(Writer& writer);
  bool in_transaction();
  // Sets the writer's synchronous level for the next batch: relaxed only
  // when every writer in it is.
  void flush_for(const std::vector<Writer*>& batch);
  void begin();
  void commit();
  void rollback() noexcept;
  // Runs one of the writer's own statements (BEGIN, SAVEPOINT...) prepared once.
  void run_on_writer(const std::string& sql);
  [[noreturn]] void rethrow_translated();
  std::exception_ptr translated(std::exception_ptr error) noexcept;

  static constexpr std::size_t kMaxBatch = 256;

  DatabaseOptions options_;
  Dialect dialect_;
  std::string connect_string_;
  std::unique_ptr<soci::session> writer_;                // SQLite
  std::unique_ptr<StatementCache> writer_statements_;    // of writer_, closed before it
  std::string writer_synchronous_;                       // the level writer_ has now
  std::string relaxed_synchronous_;                      // the level of a batch of relaxed writes only
  std::unique_ptr<soci::connection_pool> writers_pool_;  // PostgreSQL
  std::unique_ptr<soci::connection_pool> readers_;
  std::vector<std::unique_ptr<StatementCache>> reader_statements_;  // SQLite; closed before readers_
  std::mutex queue_mutex_;                                          // guards the members below but committer_
  std::condition_variable queued_;
  std::deque<Writer*> writers_;
  bool committing_ = false;  // a batch is running, on the commit thread or a caller's
  bool stopping_ = false;
  std::thread committer_;                            // SQLite; started once everything above exists
  std::unique_ptr<core::ThreadPool> async_writers_;  // PostgreSQL; last, so it drains first
};

// A pooled session that works: one whose connection broke (a PostgreSQL
// restart) reconnects before it is used again.
void ensure_connected(soci::session& session);

template <class Work>
auto Database::write(Work&& work, Durability durability) -> std::invoke_result_t<Work, Transaction&> {
  using Result = std::invoke_result_t<Work, Transaction&>;
  Writer writer(writer_.get(), dialect_);
  writer.durability = durability;
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  writer.work = [&](Transaction& tx) {
    if constexpr (std::is_void_v<Result>)
      work(tx);
    else
      result.emplace(work(tx));
  };
  commit_or_wait(writer);
  if (writer.error) {
    try {
      std::rethrow_exception(writer.error);
    } catch (...) {
      rethrow_translated();
    }
  }
  writer.tx.run_after_commit();
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

template <class Work>
auto Database::read(Work&& work) -> std::invoke_result_t<Work, soci::session&> {
  try {
    soci::session session(*readers_);
    if (dialect_ == Dialect::postgresql) ensure_connected(session);  // a SQLite file cannot disconnect
    return work(session);
  } catch (...) {
    rethrow_translated();
  }
}

}  // namespace emis::store
