// One holder at a time of a duty that the processes sharing a database must
// not do twice (the outbox relay), and a wake-up from commits in any of them.
//
// On PostgreSQL a session of its own holds a session-level advisory lock
// named after the duty and LISTENs on a channel. The lock dies with its
// connection, so when the holder is killed the server frees it at once and a
// standby, which tries every `retry`, takes over within that time. A holder
// that loses its connection stops holding before it reconnects. On SQLite,
// which one process owns, the lease is always held and nothing listens: the
// process's own commits wake it directly.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace emis::store {

class Database;

class LeaderLease {
 public:
  // `on_change` runs on the lease's thread when it takes the lease, and when
  // a notification arrives on `channel` while it holds it.
  LeaderLease(const Database& db, std::string duty, std::string channel, std::function<void()> on_change,
              std::chrono::milliseconds retry = std::chrono::milliseconds(500));
  ~LeaderLease();  // gives the lease up (closes its session)
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  bool held() const noexcept { return held_.load(); }

 private:
  void run();
  // Holds the lease until the connection breaks or the lease stops.
  void hold(class PgConnection& connection);

  std::string url_;
  std::string duty_;
  std::string channel_;
  std::function<void()> on_change_;
  std::chrono::milliseconds retry_;
  std::atomic<bool> held_{false};
  int stop_fd_ = -1;  // an eventfd that wakes the lease's poll to stop it
  std::thread thread_;
};

}  // namespace emis::store
