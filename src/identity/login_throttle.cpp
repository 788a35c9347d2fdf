#include "identity/login_throttle.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace emis::identity {
namespace {

constexpr auto kAccountWindow = std::chrono::hours(1);
constexpr std::size_t kAccountMaxFailures = 100;
constexpr int kFreeConsecutiveFailures = 5;
constexpr auto kMaxBackoff = std::chrono::minutes(15);
constexpr auto kAddressWindow = std::chrono::minutes(1);
constexpr std::size_t kAddressMaxFailures = 30;

[[noreturn]] void throw_wait(LoginThrottle::Clock::duration wait) {
  const auto seconds = std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  throw core::DomainError(
      core::ErrorKind::too_many_requests, "Too many login attempts",
      "Too many failed login attempts. Try again in " + std::to_string(seconds) + " seconds.")
      .with_retry_after(static_cast<int>(seconds));
}

}  // namespace

void LoginThrottle::expire(Record& r, Clock::duration window, Clock::time_point now) {
  while (!r.failures.empty() && r.failures.front() + window <= now) r.failures.pop_front();
}

void LoginThrottle::begin_attempt(const std::string& account, const std::string& address,
                                  Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (auto it = accounts_.find(account); it != accounts_.end()) {
    auto& r = it->second;
    expire(r, kAccountWindow, now);
    if (r.failures.size() >= kAccountMaxFailures) throw_wait(r.failures.front() + kAccountWindow - now);
    if (r.consecutive >= kFreeConsecutiveFailures) {
      const auto exponent = std::min(r.consecutive - kFreeConsecutiveFailures, 10);
      const auto backoff = std::min<Clock::duration>(std::chrono::seconds(1LL << exponent), kMaxBackoff);
      if (r.last + backoff > now) throw_wait(r.last + backoff - now);
    }
  }
  if (auto it = addresses_.find(address); it != addresses_.end()) {
    auto& r = it->second;
    expire(r, kAddressWindow, now);
    if (r.failures.size() >= kAddressMaxFailures) throw_wait(r.failures.front() + kAddressWindow - now);
  }
  for (auto* r : {&accounts_[account], &addresses_[address]}) {
    r->failures.push_back(now);
    ++r->consecutive;
    r->last = now;
  }
  prune(now);
}

void LoginThrottle::succeeded(const std::string& account, const std::string& address) {
  std::lock_guard lock(mutex_);
  for (auto* records : {&accounts_, &addresses_}) {
    const auto it = records->find(records == &accounts_ ? account : address);
    if (it == records->end()) continue;
    auto& r = it->second;
    if (!r.failures.empty()) r.failures.pop_back();  // this attempt was counted in advance
    r.consecutive = 0;
  }
}

void LoginThrottle::prune(Clock::time_point now) {
  // Keeps memory bounded under a spray of made-up accounts and addresses.
  if (now < next_prune_) return;
  next_prune_ = now + std::chrono::minutes(1);
  std::erase_if(accounts_, [now](const auto& e) { return e.second.last + kAccountWindow <= now; });
  std::erase_if(addresses_, [now](const auto& e) { return e.second.last + kAddressWindow <= now; });
}

}  // namespace emis::identity
