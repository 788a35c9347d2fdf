#include "store/database.hpp"

#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "core/errors.hpp"

namespace emis::store {
namespace {

std::string sqlite_path(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    throw std::runtime_error("PostgreSQL is not supported yet; EMIS_DB takes a SQLite path");
  constexpr std::string_view prefix = "sqlite://";
  return url.rfind(prefix, 0) == 0 ? url.substr(prefix.size()) : url;
}

void configure(soci::session& s, const DatabaseOptions& o) {
  s << "PRAGMA busy_timeout = " + std::to_string(o.busy_timeout.count());
  s << "PRAGMA foreign_keys = ON";
  s << "PRAGMA synchronous = " + o.synchronous;
}

}  // namespace

void Transaction::run_after_commit() {
  for (auto& callback : after_commit_) callback();
  after_commit_.clear();
}

Database::Database(DatabaseOptions options) : options_(std::move(options)) {
  const auto path = sqlite_path(options_.url);
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir);
  connect_string_ = "db=" + path + " shared_cache=false";
  writer_ = std::make_unique<soci::session>(soci::sqlite3, connect_string_);
  // WAL is a property of the file: set once by the writer, readers inherit it.
  std::string mode;
  *writer_ << "PRAGMA journal_mode = WAL", soci::into(mode);
  if (mode != "wal") throw std::runtime_error("SQLite refused WAL mode for " + path);
  configure(*writer_, options_);
  readers_ = std::make_unique<soci::connection_pool>(options_.readers);
  for (std::size_t i = 0; i < options_.readers; ++i) {
    auto& s = readers_->at(i);
    s.open(soci::sqlite3, connect_string_);
    configure(s, options_);
  }
  committer_ = std::thread([this] { commit_loop(); });
}

Database::~Database() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  committer_.join();  // commits what is queued first
}

void Database::enqueue(Writer* writer) {
  std::lock_guard lock(queue_mutex_);
  if (stopping_)
    throw core::DomainError(core::ErrorKind::transient, "Database unavailable",
                            "The service is shutting down.");
  // A busy commit thread takes the queue when its flush ends: no wake-up needed.
  if (writers_.empty()) queued_.notify_one();
  writers_.push_back(writer);
}

void Database::commit_or_wait(Writer& writer) {
  std::unique_lock lock(queue_mutex_);
  if (stopping_)
    throw core::DomainError(core::ErrorKind::transient, "Database unavailable",
                            "The service is shutting down.");
  if (committing_ || !writers_.empty()) {
    if (writers_.empty()) queued_.notify_one();
    writers_.push_back(&writer);
    writer.wake.wait(lock, [&] { return writer.finished; });
    return;
  }
  // Nothing else to commit: the caller commits its own work, sparing itself
  // and the commit thread two wake-ups (a consumer's transactions, mostly).
  committing_ = true;
  lock.unlock();
  run_batch({&writer});
  lock.lock();
  committing_ = false;
  if (!writers_.empty() || stopping_) queued_.notify_one();
}

void Database::write_async(std::function<void(Transaction&)> work, WriteDone done) {
  auto writer = std::make_unique<Writer>(*writer_);
  writer->work = std::move(work);
  writer->done = std::move(done);
  enqueue(writer.get());
  writer.release();  // the commit thread deletes it after `done`
}

void Database::commit_loop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queued_.wait(lock, [&] { return !committing_ && (stopping_ || !writers_.empty()); });
    if (writers_.empty()) return;  // stopping, and nothing left to commit
    committing_ = true;
    const auto n = std::min(writers_.size(), kMaxBatch);
    const std::vector<Writer*> batch(writers_.begin(), writers_.begin() + static_cast<long>(n));
    writers_.erase(writers_.begin(), writers_.begin() + static_cast<long>(n));
    lock.unlock();
    run_batch(batch);
    finish_batch(batch);
    lock.lock();
    committing_ = false;
  }
}

void Database::finish_batch(const std::vector<Writer*>& batch) {
  // Waiting writers first, under the lock: once one sees `finished` it may
  // return and free its Writer, so it is not touched after this block.
  std::vector<std::unique_ptr<Writer>> completions;
  {
    std::lock_guard lock(queue_mutex_);
    for (auto* w : batch) {
      if (w->done) {
        completions.emplace_back(w);
        continue;
      }
      w->finished = true;
      w->wake.notify_one();
    }
  }
  for (const auto& w : completions) {
    const std::exception_ptr error = w->error ? translated(w->error) : nullptr;
    if (!error) {
      try {
        w->tx.run_after_commit();
      } catch (const std::exception& e) {
        spdlog::error("an after-commit callback failed: {}", e.what());
      }
    }
    w->done(error);
  }
}

void Database::run_batch(const std::vector<Writer*>& batch) {
  const auto fail_all = [&](const std::vector<Writer*>& writers, std::exception_ptr error) {
    for (auto* w : writers)
      if (!w->error) w->error = error;
  };
  try {
    begin();
  } catch (...) {
    fail_all(batch, std::current_exception());
    return;
  }
  const bool alone = batch.size() == 1;  // no savepoint needed for a single writer
  for (auto* w : batch) {
    try {
      if (!alone) *writer_ << "SAVEPOINT emis_writer";
      w->work(w->tx);
      if (!alone) *writer_ << "RELEASE emis_writer";
      continue;
    } catch (...) {
      w->error = std::current_exception();
    }
    // Undo this writer's work only, if the transaction survived its error.
    bool undone = false;
    if (!alone && in_transaction()) {
      try {
        *writer_ << "ROLLBACK TO emis_writer";
        *writer_ << "RELEASE emis_writer";
        undone = true;
      } catch (const std::exception& e) {
        spdlog::warn("rolling back to a savepoint failed: {}", e.what());
      }
    }
    if (!undone) {
      // SQLite ended the transaction (or it has one writer): nothing of it will commit.
      rollback();
      fail_all(batch,
               std::make_exception_ptr(core::DomainError(core::ErrorKind::transient, "Database unavailable",
                                                         "The write was rolled back; try again.")));
      return;
    }
  }
  try {
    commit();
  } catch (...) {
    const auto error = std::current_exception();
    rollback();
    fail_all(batch, error);
  }
}

bool Database::in_transaction() {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(writer_->get_backend());
  return sqlite3_get_autocommit(backend->conn_) == 0;
}

void Database::begin() { *writer_ << "BEGIN IMMEDIATE"; }
void Database::commit() { *writer_ << "COMMIT"; }

void Database::rollback() noexcept {
  try {
    *writer_ << "ROLLBACK";
  } catch (const std::exception& e) {
    // SQLite rolls back by itself after some errors; nothing is left open then.
    spdlog::debug("rollback: {}", e.what());
  }
}

void Database::rethrow_translated() {
  try {
    throw;
  } catch (const soci::sqlite3_soci_error& e) {
    if (is_transient_failure(e)) {
      // The database's own text may quote SQL: log it, never answer with it.
      spdlog::warn("database unavailable: {}", e.what());
      throw core::DomainError(core::ErrorKind::transient, "Database unavailable",
                              "The database is busy; try again shortly.")
          .with_retry_after(1);
    }
    throw;
  }
}

std::exception_ptr Database::translated(std::exception_ptr error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (...) {
      rethrow_translated();
    }
  } catch (...) {
    return std::current_exception();
  }
}

bool is_unique_violation(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
    return (s->result() & 0xff) == SQLITE_CONSTRAINT &&
           std::string_view(s->what()).find("UNIQUE") != std::string_view::npos;
  return false;
}

bool is_transient_failure(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int code = s->result() & 0xff;
    return code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR || code == SQLITE_FULL;
  }
  return false;
}

bool is_constraint_violation(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
    return (s->result() & 0xff) == SQLITE_CONSTRAINT;
  return false;
}

void Database::migrate(const std::vector<Migration>& migrations) {
  write([](Transaction& tx) {
    tx.session() << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
  });
  auto ordered = migrations;
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (const auto& m : ordered) {
    write([&m](Transaction& tx) {
      int applied = 0;
      tx.session() << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version),
          soci::into(applied);
      if (applied) return;
      for (const auto& statement : m.statements) tx.session() << statement;
      tx.session() << "INSERT INTO schema_migrations (version, name, applied_at) "
                      "VALUES (:v, :n, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
          soci::use(m.version), soci::use(m.name);
      spdlog::info("applied migration {} {}", m.version, m.name);
    });
  }
}

bool Database::ping() noexcept {
  try {
    return read([](soci::session& s) {
      int one = 0;
      s << "SELECT 1", soci::into(one);
      return one == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace emis::store
