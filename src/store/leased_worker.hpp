// A duty that one of the processes sharing a database does at a time (the
// outbox relay, the SMS sender), on a thread of its own. While this process
// holds the duty's lease, the worker runs rounds of work: one at start, then
// one whenever it is woken (a commit queued work) or the wait the last round
// asked for has passed. A standby only waits; the lease wakes it when it
// takes over.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/leader_lease.hpp"

namespace emis::store {

class LeasedWorker {
 public:
  // Does what is due; returns how long to wait for the next round unless woken.
  using Round = std::function<std::chrono::milliseconds()>;

  // `idle_wait`: how often a standby looks whether it holds the lease.
  LeasedWorker(const Database& db, std::string duty, std::string channel,
               std::chrono::milliseconds idle_wait);
  ~LeasedWorker();  // stops
  LeasedWorker(const LeasedWorker&) = delete;
  LeasedWorker& operator=(const LeasedWorker&) = delete;

  void start(Round round);
  // Lets the round in hand finish, joins, and gives the lease up.
  void stop();
  // Work was queued: the next round starts now, or as soon as this one ends.
  void wake();
  std::function<void()> waker() {
    return [this] { wake(); };
  }
  // Clears and returns the wake-up flag: a round that reads on while work
  // keeps coming asks whether any came since it last looked.
  bool take_wake();

  bool stopping() const noexcept { return stopping_.load(); }
  bool held() const noexcept { return lease_ && lease_->held(); }

 private:
  void run();

  const Database& db_;
  std::string duty_;
  std::string channel_;
  std::chrono::milliseconds idle_wait_;
  Round round_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  // Set under the mutex: run() checks it and starts waiting under it, so the
  // notification cannot fall between its check and its wait.
  std::atomic<bool> stopping_{false};
  std::unique_ptr<LeaderLease> lease_;
  std::thread thread_;
};

}  // namespace emis::store
