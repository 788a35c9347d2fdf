// One-time activation codes on a real SQLite file: format, single use,
// replacement, expiry and the attempt limit.
#include "identity/activation.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "identity/user_store.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

class Activation : public ::testing::Test {
 protected:
  Activation() : db_({testing::test_database_url(dir_, "identity.db")}) {
    db_.migrate(identity_migrations());
    User u;
    u.id = user_id_;
    u.phone_number = "+84912345678";
    u.full_name = "Pham Van Binh";
    u.status = "PendingActivation";
    u.created_at = u.updated_at = core::now_iso8601();
    u.memberships.push_back({"00000000-0000-4000-8000-000000000001", "Teacher", {}, {}, u.created_at});
    db_.write([&](store::Transaction& tx) { insert_user(tx, u); });
  }

  IssuedCode issue() {
    return db_.write([&](store::Transaction& tx) { return issue_activation_code(tx, key_, user_id_); });
  }
  bool redeem(const std::string& code) {
    return db_.write(
        [&](store::Transaction& tx) { return redeem_activation_code(tx, key_, user_id_, code); });
  }

  testing::ScratchDir dir_;
  store::Database db_;
  std::string user_id_ = core::new_uuid();
  CodeKey key_{"a server secret of at least 32 characters"};
};

TEST_F(Activation, CodeIsLongRandomAndExpiresIn72Hours) {
  const auto a = issue();
  const auto b = issue();
  EXPECT_GE(a.code.size(), 8u);
  EXPECT_NE(a.code, b.code);
  const auto expires = core::parse_iso8601(b.expires_at);
  ASSERT_TRUE(expires);
  const auto hours =
      std::chrono::duration_cast<std::chrono::hours>(*expires - std::chrono::system_clock::now());
  EXPECT_GE(hours.count(), 71);
  EXPECT_LE(hours.count(), 72);
}

TEST_F(Activation, OnlyTheHashIsStored) {
  const auto issued = issue();
  const auto stored = db_.read([&](soci::session& s) {
    std::string hash;
    s << "SELECT code_hash FROM activation_codes WHERE user_id = :u", soci::use(user_id_), soci::into(hash);
    return hash;
  });
  EXPECT_EQ(stored.find(issued.code), std::string::npos);
  EXPECT_EQ(stored, key_.hash(issued.code));  // keyed: not the plain SHA-256 anyone could recompute
  EXPECT_NE(stored, CodeKey("another server secret, also 32 characters").hash(issued.code));
}

TEST_F(Activation, ACodeStoredUnderAnotherSecretNeverMatches) {
  const auto issued = issue();
  const CodeKey other("another server secret, also 32 characters");
  EXPECT_FALSE(db_.write(
      [&](store::Transaction& tx) { return redeem_activation_code(tx, other, user_id_, issued.code); }));
}

TEST_F(Activation, ACodeWorksOnce) {
  const auto issued = issue();
  EXPECT_TRUE(redeem(issued.code));
  EXPECT_FALSE(redeem(issued.code));
}

TEST_F(Activation, ANewCodeInvalidatesThePreviousOne) {
  const auto first = issue();
  const auto second = issue();
  EXPECT_FALSE(redeem(first.code));
  EXPECT_TRUE(redeem(second.code));
}

TEST_F(Activation, FiveWrongAttemptsKillTheCode) {
  const auto issued = issue();
  for (int i = 0; i < kMaxActivationAttempts; ++i) EXPECT_FALSE(redeem("WRONG" + std::to_string(i)));
  EXPECT_FALSE(redeem(issued.code));
}

TEST_F(Activation, FourWrongAttemptsStillLeaveTheCodeUsable) {
  const auto issued = issue();
  for (int i = 0; i < kMaxActivationAttempts - 1; ++i) EXPECT_FALSE(redeem("WRONG" + std::to_string(i)));
  EXPECT_TRUE(redeem(issued.code));
}

TEST_F(Activation, AnExpiredCodeIsRefused) {
  const auto issued = issue();
  const long long past = core::unix_seconds(std::chrono::system_clock::now()) - 1;
  db_.write([&](store::Transaction& tx) {
    tx.session() << "UPDATE activation_codes SET expires_at_s = :t WHERE user_id = :u", soci::use(past),
        soci::use(user_id_);
  });
  EXPECT_FALSE(redeem(issued.code));
}

TEST_F(Activation, NoCodeNoActivation) { EXPECT_FALSE(redeem("ANYTHING12")); }

// An activation code never resets a password and a reset code never
// activates, and trying one for the other costs no attempt of the code.
TEST_F(Activation, CodesServeOnlyTheirPurpose) {
  const auto reset = db_.write([&](store::Transaction& tx) {
    return issue_activation_code(tx, key_, user_id_, CodePurpose::password_reset);
  });
  for (int i = 0; i < kMaxActivationAttempts; ++i) EXPECT_FALSE(redeem(reset.code));
  EXPECT_TRUE(db_.write([&](store::Transaction& tx) {
    return redeem_activation_code(tx, key_, user_id_, reset.code, CodePurpose::password_reset);
  }));

  const auto activation = issue();
  EXPECT_FALSE(db_.write([&](store::Transaction& tx) {
    return redeem_activation_code(tx, key_, user_id_, activation.code, CodePurpose::password_reset);
  }));
  EXPECT_TRUE(redeem(activation.code));
}

}  // namespace
}  // namespace emis::identity
