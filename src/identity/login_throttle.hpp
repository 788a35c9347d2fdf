// Slows password guessing (OWASP ASVS 2.2.1): per account, a growing wait
// after 5 failures in a row and at most 100 failures an hour; per client
// address, at most 30 failures a minute. The counts live in the database, so
// every identity instance sharing it sees the same ones: two instances do not
// double the attempts an attacker gets, and a restart forgets nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace emis::identity {

std::vector<store::Migration> login_throttle_migrations();

class LoginThrottle {
 public:
  using Clock = std::chrono::system_clock;

  explicit LoginThrottle(store::Database& db) : db_(db) {}

  // Throws a too_many_requests DomainError with Retry-After while either the
  // account or the address must wait; otherwise counts the attempt as a
  // failure at once, so that concurrent guesses cannot all pass the check
  // before any of them is counted (attempts on one account take turns on its
  // row, across instances). succeeded() takes the count back.
  void begin_attempt(const std::string& account, const std::string& address,
                     Clock::time_point now = Clock::now());
  void succeeded(const std::string& account, const std::string& address);

 private:
  store::Database& db_;
  std::atomic<long long> next_prune_ms_{0};
};

}  // namespace emis::identity
