#include "identity/login_throttle.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::identity {
namespace {

constexpr long long kAccountWindowMs = 3'600'000;  // an hour
constexpr long long kAccountMaxFailures = 100;
constexpr int kFreeConsecutiveFailures = 5;
constexpr long long kMaxBackoffMs = 15 * 60'000;
constexpr long long kAddressWindowMs = 60'000;
constexpr long long kAddressMaxFailures = 30;

[[noreturn]] void throw_wait(long long wait_ms) {
  const long long seconds = std::max<long long>(1, (wait_ms + 999) / 1000);
  throw core::DomainError(
      core::ErrorKind::too_many_requests, "Too many login attempts",
      "Too many failed login attempts. Try again in " + std::to_string(seconds) + " seconds.")
      .with_retry_after(static_cast<int>(seconds));
}

// An address's failures are kept apart from an account's of the same text.
std::string address_key(const std::string& address) { return "address " + address; }

struct Window {
  long long count = 0;
  long long oldest_ms = 0;
};

Window failures_since(soci::session& s, const std::string& key, long long since_ms) {
  Window w;
  soci::indicator ind = soci::i_null;
  s << "SELECT COUNT(*), MIN(at_ms) FROM login_failures WHERE throttle_key = :k AND at_ms > :since",
      soci::use(key), soci::use(since_ms), soci::into(w.count), soci::into(w.oldest_ms, ind);
  return w;
}

}  // namespace

std::vector<store::Migration> login_throttle_migrations() {
  return {{7001,
           "login throttle",
           {// One row per failed (or begun) attempt, by account and by address.
            "CREATE TABLE login_failures ("
            " id INTEGER PRIMARY KEY,"
            " throttle_key TEXT NOT NULL,"
            " at_ms INTEGER NOT NULL)",
            "CREATE INDEX login_failures_key ON login_failures (throttle_key, at_ms)",
            // Failures in a row per account; its row is also what concurrent
            // attempts on the account queue on.
            "CREATE TABLE login_streaks ("
            " throttle_key TEXT PRIMARY KEY,"
            " consecutive INTEGER NOT NULL,"
            " last_ms INTEGER NOT NULL)"}}};
}

void LoginThrottle::begin_attempt(const std::string& account, const std::string& address,
                                  Clock::time_point now) {
  const long long now_ms = core::unix_millis(now);
  const std::string by_address = address_key(address);
  db_.write([&](store::Transaction& tx) {
    auto& s = tx.session();
    s << "INSERT INTO login_streaks (throttle_key, consecutive, last_ms) VALUES (:k, 0, 0) "
         "ON CONFLICT (throttle_key) DO UPDATE SET consecutive = login_streaks.consecutive",
        soci::use(account);
    int consecutive = 0;
    long long last_ms = 0;
    s << "SELECT consecutive, last_ms FROM login_streaks WHERE throttle_key = :k", soci::use(account),
        soci::into(consecutive), soci::into(last_ms);
    const auto hour = failures_since(s, account, now_ms - kAccountWindowMs);
    if (hour.count >= kAccountMaxFailures) throw_wait(hour.oldest_ms + kAccountWindowMs - now_ms);
    if (consecutive >= kFreeConsecutiveFailures) {
      const int exponent = std::min(consecutive - kFreeConsecutiveFailures, 10);
      const long long backoff_ms = std::min(1000LL << exponent, kMaxBackoffMs);
      if (last_ms + backoff_ms > now_ms) throw_wait(last_ms + backoff_ms - now_ms);
    }
    const auto minute = failures_since(s, by_address, now_ms - kAddressWindowMs);
    if (minute.count >= kAddressMaxFailures) throw_wait(minute.oldest_ms + kAddressWindowMs - now_ms);

    for (const auto* key : {&account, &by_address})
      s << "INSERT INTO login_failures (throttle_key, at_ms) VALUES (:k, :at)", soci::use(*key),
          soci::use(now_ms);
    s << "UPDATE login_streaks SET consecutive = consecutive + 1, last_ms = :at WHERE throttle_key = :k",
        soci::use(now_ms), soci::use(account);
    // Keeps the tables bounded under a spray of made-up accounts and addresses.
    if (now_ms >= next_prune_ms_.exchange(now_ms + 60'000)) {
      const long long before = now_ms - kAccountWindowMs;
      s << "DELETE FROM login_failures WHERE at_ms <= :t", soci::use(before);
      s << "DELETE FROM login_streaks WHERE last_ms <= :t", soci::use(before);
    }
  });
}

void LoginThrottle::succeeded(const std::string& account, const std::string& address) {
  const std::string by_address = address_key(address);
  db_.write([&](store::Transaction& tx) {
    // The attempt was counted in advance: take back its newest failure of each kind.
    for (const auto* key : {&account, &by_address})
      tx.session() << "DELETE FROM login_failures WHERE id = "
                      "(SELECT MAX(id) FROM login_failures WHERE throttle_key = :k)",
          soci::use(*key);
    tx.session() << "UPDATE login_streaks SET consecutive = 0 WHERE throttle_key = :k", soci::use(account);
  });
}

}  // namespace emis::identity
