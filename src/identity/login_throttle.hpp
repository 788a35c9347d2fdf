// Slows password guessing (OWASP ASVS 2.2.1): per account, a growing wait
// after 5 failures in a row and at most 100 failures an hour; per client
// address, at most 30 failures a minute. Counts live in memory: a restart
// forgets them, which costs an attacker a restart they cannot cause.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace emis::identity {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws a too_many_requests DomainError with Retry-After while either the
  // account or the address must wait; otherwise counts the attempt as a
  // failure at once, so that concurrent guesses cannot all pass the check
  // before any of them is counted. succeeded() takes the count back.
  void begin_attempt(const std::string& account, const std::string& address,
                     Clock::time_point now = Clock::now());
  void succeeded(const std::string& account, const std::string& address);

 private:
  struct Record {
    std::deque<Clock::time_point> failures;  // within the window
    int consecutive = 0;
    Clock::time_point last{};
  };
  static void expire(Record& r, Clock::duration window, Clock::time_point now);
  void prune(Clock::time_point now);

  std::mutex mutex_;
  std::map<std::string, Record> accounts_;
  std::map<std::string, Record> addresses_;
  Clock::time_point next_prune_{};
};

}  // namespace emis::identity
