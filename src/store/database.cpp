#include "store/database.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::store {
namespace {

std::string sqlite_path(const std::string& url) {
  constexpr std::string_view prefix = "sqlite://";
  return url.rfind(prefix, 0) == 0 ? url.substr(prefix.size()) : url;
}

// Serialises migrations of every process sharing a PostgreSQL database.
const long long migration_lock = advisory_lock_key("emis.schema_migrations");

// Every SQLite connection's settings. SQLite's sub-journals (a savepoint's
// undo images) keep its default spill of 64 KiB to a temporary file: kept
// in memory up to 1 MiB instead (SQLITE_CONFIG_STMTJRNL_SPILL), SQLite
// 3.40.1 failed a writer that changed more than that with SQLITE_FULL
// ("database or disk is full") in about one run in three of
// EventbusOutbox.KeepsPerKeyOrderOverManyEvents.
void configure(soci::session& s, const DatabaseOptions& o) {
  s << "PRAGMA busy_timeout = " + std::to_string(o.busy_timeout.count());
  s << "PRAGMA foreign_keys = ON";
  s << "PRAGMA synchronous = " + o.synchronous;
}

}  // namespace

void Transaction::run_after_commit() {
  // The transaction has committed: a callback that fails must neither skip
  // the others (a relay's hand-off, a cache's update) nor make the caller
  // take a committed write for a failed one and try it again.
  for (auto& callback : after_commit_) {
    try {
      callback();
    } catch (const std::exception& e) {
      spdlog::error("an after-commit callback failed: {}", e.what());
    } catch (...) {
      spdlog::error("an after-commit callback failed");
    }
  }
  after_commit_.clear();
}

void Transaction::notify(const std::string& channel) {
  if (dialect_ != Dialect::postgresql) return;
  if (std::find(notified_.begin(), notified_.end(), channel) != notified_.end()) return;
  *session_ << "NOTIFY " + channel;
  notified_.push_back(channel);
}

void ensure_connected(soci::session& session) {
  if (session.get_backend_name() != "postgresql") return;
  // SOCI exports no type information for its backends: hence the static cast.
  const auto* pg = static_cast<soci::postgresql_session_backend*>(session.get_backend());
  if (PQstatus(pg->conn_) != CONNECTION_OK) {
    spdlog::warn("database connection lost; reconnecting");
    session.reconnect();
  }
}

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), dialect_(dialect_of(options_.url)) {
  if (dialect_ == Dialect::postgresql) {
    connect_string_ = postgresql_conninfo(options_.url);
    writers_pool_ = std::make_unique<soci::connection_pool>(options_.writers);
    for (std::size_t i = 0; i < options_.writers; ++i)
      writers_pool_->at(i).open(soci::postgresql, connect_string_);
    readers_ = std::make_unique<soci::connection_pool>(options_.readers);
    for (std::size_t i = 0; i < options_.readers; ++i)
      readers_->at(i).open(soci::postgresql, connect_string_);
    async_writers_ = std::make_unique<core::ThreadPool>(options_.writers);
    return;
  }
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
  writer_synchronous_ = options_.synchronous;
  // NORMAL skips the flush at commit in WAL mode; a configured OFF stays OFF.
  const auto& configured = options_.synchronous;
  relaxed_synchronous_ =
      configured == "OFF" || configured == "off" || configured == "0" ? configured : "NORMAL";
  writer_statements_ = std::make_unique<StatementCache>(*writer_);
  readers_ = std::make_unique<soci::connection_pool>(options_.readers);
  for (std::size_t i = 0; i < options_.readers; ++i) {
    auto& s = readers_->at(i);
    s.open(soci::sqlite3, connect_string_);
    configure(s, options_);
    reader_statements_.push_back(std::make_unique<StatementCache>(s));
  }
  committer_ = std::thread([this] { commit_loop(); });
}

Database::~Database() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  // Either way, what is queued commits first.
  if (async_writers_) async_writers_->shutdown();
  queued_.notify_one();
  if (committer_.joinable()) committer_.join();
}

void Database::throw_if_stopping() const {
  if (stopping_)
    throw core::DomainError(core::ErrorKind::transient, "Database unavailable",
                            "The service is shutting down.");
}

bool Database::commit_if_idle(std::unique_lock<std::mutex>& lock, Writer& writer) {
  if (committing_ || !writers_.empty()) return false;
  // Nothing else to commit: the caller commits its own work, sparing itself
  // and the commit thread two wake-ups (a request's or an event's, mostly).
  committing_ = true;
  lock.unlock();
  run_batch({&writer});
  // A write_async completes before the next batch starts, as it would on the commit thread.
  if (writer.done) complete(std::unique_ptr<Writer>(&writer));
  lock.lock();
  committing_ = false;
  if (!writers_.empty() || stopping_) queued_.notify_one();
  return true;
}

void Database::queue(Writer* writer) {
  // A busy commit thread takes the queue when its flush ends: no wake-up needed.
  if (writers_.empty()) queued_.notify_one();
  writers_.push_back(writer);
}

void Database::commit_or_wait(Writer& writer) {
  std::unique_lock lock(queue_mutex_);
  throw_if_stopping();
  if (dialect_ == Dialect::postgresql) {
    lock.unlock();
    run_alone(writer);
    return;
  }
  if (commit_if_idle(lock, writer)) return;
  queue(&writer);
  writer.wake.wait(lock, [&] { return writer.finished; });
}

void Database::write_async(std::function<void(Transaction&)> work, WriteDone done) {
  auto writer = std::make_unique<Writer>(writer_.get(), dialect_);
  writer->work = std::move(work);
  writer->done = std::move(done);
  std::unique_lock lock(queue_mutex_);
  throw_if_stopping();
  if (dialect_ == Dialect::postgresql) {
    lock.unlock();
    async_writers_->post([this, w = writer.release()] {
      std::unique_ptr<Writer> owned(w);
      run_alone(*owned);
      complete(std::move(owned));
    });
    return;
  }
  // From here the writer is freed by complete(), on this thread or the commit thread.
  Writer* w = writer.release();
  if (!commit_if_idle(lock, *w)) queue(w);
}

void Database::run_alone(Writer& writer) {
  try {
    soci::session session(*writers_pool_);
    ensure_connected(session);
    writer.tx.session_ = &session;
    session << "BEGIN";
    try {
      if (writer.durability == Durability::relaxed) session << "SET LOCAL synchronous_commit = off";
      writer.work(writer.tx);
      session << "COMMIT";
    } catch (...) {
      writer.error = std::current_exception();
      try {
        session << "ROLLBACK";
      } catch (const std::exception& e) {
        spdlog::debug("rollback: {}", e.what());  // the connection may be gone
      }
    }
    writer.tx.session_ = nullptr;  // the session goes back to the pool
  } catch (...) {
    writer.error = std::current_exception();
  }
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
  for (auto& w : completions) complete(std::move(w));
}

void Database::complete(std::unique_ptr<Writer> w) noexcept {
  const std::exception_ptr error = w->error ? translated(w->error) : nullptr;
  if (!error) w->tx.run_after_commit();
  w->done(error);
}

void Database::run_batch(const std::vector<Writer*>& batch) {
  const auto fail_all = [&](const std::vector<Writer*>& writers, std::exception_ptr error) {
    for (auto* w : writers)
      if (!w->error) w->error = error;
  };
  try {
    flush_for(batch);
    begin();
  } catch (...) {
    fail_all(batch, std::current_exception());
    return;
  }
  const bool alone = batch.size() == 1;  // no savepoint needed for a single writer
  for (auto* w : batch) {
    try {
      if (!alone) run_on_writer("SAVEPOINT emis_writer");
      w->work(w->tx);
      if (!alone) run_on_writer("RELEASE emis_writer");
      continue;
    } catch (...) {
      w->error = std::current_exception();
    }
    // Undo this writer's work only, if the transaction survived its error.
    bool undone = false;
    if (!alone && in_transaction()) {
      try {
        run_on_writer("ROLLBACK TO emis_writer");
        run_on_writer("RELEASE emis_writer");
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

void Database::flush_for(const std::vector<Writer*>& batch) {
  const bool relaxed = std::all_of(batch.begin(), batch.end(),
                                   [](const Writer* w) { return w->durability == Durability::relaxed; });
  const std::string& level = relaxed ? relaxed_synchronous_ : options_.synchronous;
  if (level == writer_synchronous_) return;
  // Not through the statement cache: SQLite applies this pragma when it
  // prepares the statement, not when it runs it. Unknown until it has run,
  // so that a failure half-way makes the next batch set it again.
  writer_synchronous_.clear();
  *writer_ << "PRAGMA synchronous = " + level;
  writer_synchronous_ = level;
}

void Database::begin() { run_on_writer("BEGIN IMMEDIATE"); }
void Database::commit() { run_on_writer("COMMIT"); }

void Database::run_on_writer(const std::string& sql) { store::run(*writer_, sql); }

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
  } catch (const soci::soci_error& e) {
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

void Database::migrate(const std::vector<Migration>& migrations) {
  // Held to the end of each migration's transaction; SQLite's writer lock
  // does the same there.
  const auto take_turns = [this](Transaction& tx) {
    if (dialect_ == Dialect::postgresql)
      tx.session() << "SELECT pg_advisory_xact_lock(" + std::to_string(migration_lock) + ")";
  };
  write([&](Transaction& tx) {
    take_turns(tx);
    tx.session() << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
  });
  auto ordered = migrations;
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (const auto& m : ordered) {
    write([&](Transaction& tx) {
      take_turns(tx);
      int applied = 0;
      tx.session() << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version),
          soci::into(applied);
      if (applied) return;
      for (const auto& statement : m.statements) tx.session() << ddl_for(dialect_, statement);
      if (m.step) m.step(tx);
      const std::string now = core::now_iso8601();
      tx.session() << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
          soci::use(m.version), soci::use(m.name), soci::use(now);
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
