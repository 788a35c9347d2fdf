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
}

Database::~Database() = default;

void Database::submit(Writer& writer) {
  std::unique_lock lock(queue_mutex_);
  writers_.push_back(&writer);
  writer.wake.wait(lock, [&] { return writer.done || writers_.front() == &writer; });
  if (writer.done) return;  // a leader ran it

  // This writer leads: it takes the writers queued behind it into its commit.
  const std::vector<Writer*> batch(
      writers_.begin(), writers_.begin() + static_cast<long>(std::min(writers_.size(), kMaxBatch)));
  lock.unlock();
  run_batch(batch);
  lock.lock();
  for (auto* w : batch) {
    writers_.pop_front();
    w->done = true;
    if (w != &writer) w->wake.notify_one();
  }
  if (!writers_.empty()) writers_.front()->wake.notify_one();  // the next leader
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
      w->work();
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
