// Sessions on the Identity API in-process: logout ends only the caller's own
// session, a login upgrades a password hash made with weaker parameters, and
// an account with memberships in two schools signs in to one at a time.
#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/password.hpp"
#include "core/clock.hpp"
#include "identity/bootstrap.hpp"
#include "identity/user_store.hpp"
#include "support/identity_api_fixture.hpp"

namespace emis::identity {
namespace {

constexpr const char* kPassword = "Correct-Horse-9";

class IdentitySessions : public testing::IdentityApiFixture {
 protected:
  std::string admin(const std::string& phone) { return create_admin(db_, {phone, kPassword}); }

  int refresh_status(const std::string& refresh_token) {
    return static_cast<int>(
        call("POST", "/api/v1/auth/refresh-token", {{"refreshToken", refresh_token}}).status);
  }

  std::string stored_hash(const std::string& user_id) {
    return db_.read([&](soci::session& s) { return find_user_by_id(s, user_id)->password_hash.value(); });
  }
};

TEST_F(IdentitySessions, LogoutLeavesAnotherUsersRefreshTokenAlone) {
  admin("0901000011");
  admin("0901000012");
  const auto victim = login("0901000011", kPassword);
  const auto other = login("0901000012", kPassword);
  const auto answer =
      call("POST", "/api/v1/auth/logout", {{"refreshToken", victim["refreshToken"]}}, other["accessToken"]);
  EXPECT_EQ(answer.status, 204);  // the same answer as for one's own token: it tells nothing
  EXPECT_EQ(refresh_status(victim["refreshToken"]), 200);
}

TEST_F(IdentitySessions, LogoutEndsTheCallersOwnSessionAndNeedsABearer) {
  admin("0901000013");
  const auto session = login("0901000013", kPassword);
  EXPECT_EQ(call("POST", "/api/v1/auth/logout", {{"refreshToken", session["refreshToken"]}}).status, 401);
  EXPECT_EQ(
      call("POST", "/api/v1/auth/logout", {{"refreshToken", session["refreshToken"]}}, session["accessToken"])
          .status,
      204);
  EXPECT_EQ(refresh_status(session["refreshToken"]), 401);
}

TEST_F(IdentitySessions, LoginUpgradesAWeakPasswordHash) {
  const auto id = admin("0901000014");
  char weak[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(weak, kPassword, std::strlen(kPassword), crypto_pwhash_OPSLIMIT_MIN,
                                  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
            0);
  const std::string weak_hash = weak;
  db_.write([&](store::Transaction& tx) {
    tx.session() << "UPDATE users SET password_hash = :h WHERE id = :id", soci::use(weak_hash), soci::use(id);
  });
  ASSERT_TRUE(auth::password_needs_rehash(weak_hash));

  login("0901000014", kPassword);
  const auto upgraded = stored_hash(id);
  EXPECT_NE(upgraded, weak_hash);
  EXPECT_FALSE(auth::password_needs_rehash(upgraded));
  EXPECT_TRUE(auth::verify_password(upgraded, kPassword));

  login("0901000014", kPassword);  // a current hash is left as it is
  EXPECT_EQ(stored_hash(id), upgraded);
}

// create-admin for a person who has an account gives that account the role.
TEST_F(IdentitySessions, CreateAdminForAKnownPhoneAddsTheRole) {
  constexpr const char* kOther = "00000000-0000-4000-8000-0000000000b3";
  const auto id = admin("0901000016");
  EXPECT_EQ(create_admin(db_, {"0901000016", "Another-Password-1", kOther}), id);
  const auto there = call("POST", "/api/v1/auth/login",
                          {{"phoneNumber", "0901000016"}, {"password", kPassword}, {"tenantId", kOther}});
  EXPECT_EQ(there.status, 200) << there.body;  // the account's own password still
  EXPECT_EQ(there.body["user"]["roles"], nlohmann::json::array({"SchoolAdmin"}));
}

TEST_F(IdentitySessions, AnAccountOfTwoSchoolsSignsInToOneAtATime) {
  constexpr const char* kOther = "00000000-0000-4000-8000-0000000000b2";
  constexpr const char* kChild = "99999999-9999-4999-8999-999999999999";
  const auto id = admin("0901000015");  // SchoolAdmin of the default tenant
  db_.write([&](store::Transaction& tx) {
    add_membership(tx, id, {kOther, role::parent, "Parent", kChild, core::now_iso8601()});
  });
  const auto me = [&](const std::string& token) {
    return call("GET", "/api/v1/auth/me", nullptr, token).body;
  };

  // Without a tenant: the oldest membership's school.
  const auto home = login("0901000015", kPassword);
  EXPECT_EQ(me(home["accessToken"])["tenantId"], kDefaultTenantId);
  EXPECT_EQ(me(home["accessToken"])["roles"], nlohmann::json::array({"SchoolAdmin"}));
  EXPECT_EQ(home["user"]["memberships"].size(), 2u);  // every school, so a client can switch

  const auto other = call("POST", "/api/v1/auth/login",
                          {{"phoneNumber", "0901000015"}, {"password", kPassword}, {"tenantId", kOther}});
  ASSERT_EQ(other.status, 200) << other.body;
  const auto other_me = me(other.body["accessToken"]);
  EXPECT_EQ(other_me["tenantId"], kOther);
  EXPECT_EQ(other_me["roles"], nlohmann::json::array({"Parent"}));
  EXPECT_EQ(other_me["entityId"], kChild);
  EXPECT_EQ(other_me["memberships"].size(), 2u);

  // A refresh stays in its school.
  const auto refreshed =
      call("POST", "/api/v1/auth/refresh-token", {{"refreshToken", other.body["refreshToken"]}}).body;
  EXPECT_EQ(me(refreshed["accessToken"])["tenantId"], kOther);

  // A school the account has no role in: refused once the password is proven.
  const auto stranger = call("POST", "/api/v1/auth/login",
                             {{"phoneNumber", "0901000015"},
                              {"password", kPassword},
                              {"tenantId", "00000000-0000-4000-8000-0000000000c3"}});
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.body["title"], "NoMembership");
  // The role leaves the school: its session ends at the next refresh.
  db_.write([&](store::Transaction& tx) { remove_membership(tx, kChild); });
  EXPECT_EQ(refresh_status(refreshed["refreshToken"]), 401);
}

}  // namespace
}  // namespace emis::identity
