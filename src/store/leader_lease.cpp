#include "store/leader_lease.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <stdexcept>

#include "store/database.hpp"

namespace emis::store {

// A plain libpq connection: the lease needs its socket and notifications,
// which SOCI does not expose.
class PgConnection {
 public:
  explicit PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(error());
  }
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql`; returns the first column of the first row ("" when none).
  std::string query(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(result);
    std::string value = status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) throw std::runtime_error(error());
    return value;
  }
  int socket() const { return PQsocket(conn_); }
  // Reads what arrived; returns the number of notifications among it.
  int take_notifications() {
    if (!PQconsumeInput(conn_)) throw std::runtime_error(error());
    int count = 0;
    while (PGnotify* n = PQnotifies(conn_)) {
      PQfreemem(n);
      ++count;
    }
    return count;
  }

 private:
  std::string error() const { return PQerrorMessage(conn_); }
  PGconn* conn_;
};

LeaderLease::LeaderLease(const Database& db, std::string duty, std::string channel,
                         std::function<void()> on_change, std::chrono::milliseconds retry)
    : url_(postgresql_conninfo(db.options().url)),
      duty_(std::move(duty)),
      channel_(std::move(channel)),
      on_change_(std::move(on_change)),
      retry_(retry) {
  if (db.dialect() != Dialect::postgresql) {
    held_ = true;
    return;
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw std::runtime_error("eventfd failed");
  thread_ = std::thread([this] { run(); });
}

LeaderLease::~LeaderLease() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void LeaderLease::run() {
  const std::string try_lock = "SELECT CASE WHEN pg_try_advisory_lock(" +
                               std::to_string(advisory_lock_key(duty_)) + ") THEN 1 ELSE 0 END";
  const int retry_ms = static_cast<int>(retry_.count());
  for (;;) {
    try {
      PgConnection connection(url_);
      // LISTEN first: a commit between taking the lease and listening would
      // otherwise go unnoticed until the next one.
      connection.query("LISTEN " + channel_);
      for (;;) {
        if (connection.query(try_lock) == "1") {
          hold(connection);
          return;  // hold() returns only when stopping
        }
        pollfd stop{stop_fd_, POLLIN, 0};
        if (poll(&stop, 1, retry_ms) > 0) return;
        connection.take_notifications();  // standby: drop them
      }
    } catch (const std::exception& e) {
      if (held_.exchange(false))
        spdlog::warn("{}: lost the lease: {}", duty_, e.what());
      else
        spdlog::warn("{}: cannot reach the database: {}", duty_, e.what());
    }
    pollfd stop{stop_fd_, POLLIN, 0};
    if (poll(&stop, 1, retry_ms) > 0) return;
  }
}

void LeaderLease::hold(PgConnection& connection) {
  held_ = true;
  spdlog::info("{}: this instance holds the lease", duty_);
  on_change_();  // rows may be waiting from before
  auto next_check = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {connection.socket(), POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(retry_.count())) > 0 && (fds[0].revents & POLLIN)) {
      held_ = false;
      return;
    }
    if (connection.take_notifications() > 0) on_change_();
    // A connection that went quiet may be gone without the socket saying so.
    if (std::chrono::steady_clock::now() >= next_check) {
      connection.query("SELECT 1");
      next_check = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
  }
}

}  // namespace emis::store
