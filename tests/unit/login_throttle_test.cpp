// Password guessing slows down per account and per address. begin_attempt
// counts a failure at once; these tests drive it like the login does. The
// counts are in the database, shared by the instances that share it.
#include "identity/login_throttle.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

using Clock = LoginThrottle::Clock;
using namespace std::chrono_literals;

int retry_after(LoginThrottle& t, const std::string& account, const std::string& address,
                Clock::time_point now) {
  try {
    t.begin_attempt(account, address, now);
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::too_many_requests);
    return e.retry_after_seconds();
  }
  return 0;
}

// A failed login: the attempt begins and is never taken back.
void fail(LoginThrottle& t, const std::string& account, const std::string& address, Clock::time_point now) {
  EXPECT_EQ(retry_after(t, account, address, now), 0);
}

class LoginThrottleTest : public ::testing::Test {
 protected:
  LoginThrottleTest() : db_({testing::test_database_url(dir_, "identity.db")}) {
    db_.migrate(login_throttle_migrations());
  }
  testing::ScratchDir dir_;
  store::Database db_;
  LoginThrottle t{db_};
};

TEST_F(LoginThrottleTest, FiveFailuresAreFreeThenTheWaitGrows) {
  auto now = Clock::now();
  for (int i = 0; i < 5; ++i) fail(t, "+84912345678", "10.0.0.1", now);
  EXPECT_EQ(retry_after(t, "+84912345678", "10.0.0.1", now), 1);
  fail(t, "+84912345678", "10.0.0.1", now + 1s);
  EXPECT_EQ(retry_after(t, "+84912345678", "10.0.0.1", now + 1s), 2);
  fail(t, "+84912345678", "10.0.0.1", now + 3s);
  EXPECT_EQ(retry_after(t, "+84912345678", "10.0.0.1", now + 3s), 4);
  EXPECT_EQ(retry_after(t, "+84912345678", "10.0.0.1", now + 7s), 0);
  // Another account from another address is not affected.
  EXPECT_EQ(retry_after(t, "+84987654321", "10.0.0.2", now), 0);
}

TEST_F(LoginThrottleTest, ConcurrentGuessesAreCountedBeforeTheyAreChecked) {
  // Five attempts begun together, none finished yet: the sixth must wait.
  const auto now = Clock::now();
  for (int i = 0; i < 5; ++i) fail(t, "a", "ip", now);
  EXPECT_GT(retry_after(t, "a", "ip", now), 0);
}

TEST_F(LoginThrottleTest, SuccessResetsTheConsecutiveCount) {
  auto now = Clock::now();
  for (int i = 0; i < 4; ++i) fail(t, "a", "ip", now);
  EXPECT_EQ(retry_after(t, "a", "ip", now), 0);
  t.succeeded("a", "ip");
  fail(t, "a", "ip", now);
  EXPECT_EQ(retry_after(t, "a", "ip", now), 0);
}

TEST_F(LoginThrottleTest, AtMostOneHundredFailuresAnHourPerAccount) {
  auto now = Clock::now();
  for (int i = 0; i < 99; ++i) {
    const auto address = "ip" + std::to_string(i);
    fail(t, "a", address, now);
    EXPECT_EQ(retry_after(t, "a", address, now), 0);
    t.succeeded("a", address);  // defeats the consecutive rule, not the hourly cap
    now += 1s;
  }
  fail(t, "a", "ip-last", now);  // the hundredth failure in the hour
  EXPECT_GT(retry_after(t, "a", "fresh-ip", now), 3000);
  EXPECT_EQ(retry_after(t, "a", "fresh-ip", now + 1h), 0);
}

TEST_F(LoginThrottleTest, AnAddressSprayingManyAccountsIsSlowed) {
  auto now = Clock::now();
  for (int i = 0; i < 30; ++i) fail(t, "account" + std::to_string(i), "198.51.100.7", now);
  EXPECT_GT(retry_after(t, "another", "198.51.100.7", now), 0);
  EXPECT_EQ(retry_after(t, "another", "198.51.100.8", now), 0);
  EXPECT_EQ(retry_after(t, "another", "198.51.100.7", now + 61s), 0);
}

TEST_F(LoginThrottleTest, TwoInstancesDoNotDoubleTheAttempts) {
  LoginThrottle other{db_};  // a second identity instance on the same database
  const auto now = Clock::now();
  for (int i = 0; i < 5; ++i) fail(i % 2 ? other : t, "a", "ip" + std::to_string(i), now);
  EXPECT_GT(retry_after(t, "a", "ip9", now), 0);
  EXPECT_GT(retry_after(other, "a", "ip9", now), 0);
}

}  // namespace
}  // namespace emis::identity
