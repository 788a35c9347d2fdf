// The set of accounts whose tokens a service refuses: kept in the database
// and in memory, ordered by when the change happened, applied to tokens
// that a verifier had already cached.
#include "access/revoked_users.hpp"

#include <gtest/gtest.h>

#include "access/revoked_users_gate.hpp"
#include "core/errors.hpp"
#include "support/test_env.hpp"

namespace emis::access {
namespace {

class RevokedUsersTest : public ::testing::Test {
 protected:
  RevokedUsersTest() : db_({dir_.file("access.db")}) { db_.migrate(revocation_migrations()); }

  void record(RevokedUsers& set, const std::string& id, bool revoked, std::int64_t at) {
    db_.write([&](store::Transaction& tx) { set.record(tx, id, revoked, at); });
  }

  testing::ScratchDir dir_;
  store::Database db_;
};

TEST_F(RevokedUsersTest, FollowsCommitsAndSurvivesARestart) {
  RevokedUsers set;
  record(set, "u1", true, 1000);
  record(set, "u2", true, 1000);
  record(set, "u2", false, 2000);
  EXPECT_TRUE(set.contains("u1"));
  EXPECT_FALSE(set.contains("u2"));

  RevokedUsers restarted;
  restarted.load(db_);
  EXPECT_TRUE(restarted.contains("u1"));
  EXPECT_FALSE(restarted.contains("u2"));
}

TEST_F(RevokedUsersTest, AnOlderChangeArrivingLateIsIgnored) {
  RevokedUsers set;
  record(set, "u1", false, 2000);  // enabled at 2000 ...
  record(set, "u1", true, 1000);   // ... its disable at 1000 comes later
  EXPECT_FALSE(set.contains("u1"));
  record(set, "u1", true, 3000);
  EXPECT_TRUE(set.contains("u1"));
}

TEST_F(RevokedUsersTest, NothingChangesInMemoryWhenTheTransactionRollsBack) {
  RevokedUsers set;
  EXPECT_THROW(db_.write([&](store::Transaction& tx) {
    set.record(tx, "u1", true, 1000);
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  EXPECT_FALSE(set.contains("u1"));
}

TEST_F(RevokedUsersTest, GateRefusesRevokedAccountsEvenForTokensVerifiedBefore) {
  RevokedUsers set;
  int verified = 0;
  const auto gate = refusing_revoked(
      [&verified](std::string_view token) {
        ++verified;  // stands for the signature check or the verified-token cache
        http::Principal principal;
        principal.user_id = token;
        return principal;
      },
      set);
  EXPECT_EQ(gate("u1").user_id, "u1");
  record(set, "u1", true, 1000);
  try {
    gate("u1");
    FAIL() << "a revoked account's token was accepted";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::unauthorized);
  }
  EXPECT_EQ(gate("u2").user_id, "u2");
  EXPECT_EQ(verified, 3);
}

}  // namespace
}  // namespace emis::access
