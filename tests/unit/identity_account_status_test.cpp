// Disabling and enabling through the Identity API in-process: a disabled
// account's access token is refused at once, and an activation code issued
// before the disable does not work after the enable.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "identity/bootstrap.hpp"
#include "support/identity_api_fixture.hpp"

namespace emis::identity {
namespace {

constexpr const char* kPassword = "Correct-Horse-9";
constexpr const char* kAdminPhone = "0901000021";

class IdentityAccountStatus : public testing::IdentityApiFixture {
 protected:
  IdentityAccountStatus() {
    create_admin(db_, {kAdminPhone, kPassword});
    admin_token_ = login(kAdminPhone, kPassword)["accessToken"];
  }

  std::string pending_user(const std::string& phone) {
    User u;
    u.id = core::new_uuid();
    u.phone_number = phone;
    u.full_name = "Pham Van Binh";
    u.status = status::pending_activation;
    u.created_at = u.updated_at = core::now_iso8601();
    u.memberships.push_back({kDefaultTenantId, role::teacher, "Teacher", core::new_uuid(), u.created_at});
    db_.write([&](store::Transaction& tx) { insert_user(tx, u); });
    return u.id;
  }

  long post_as_admin(const std::string& path) { return call("POST", path, nullptr, admin_token_).status; }

  std::string admin_token_;
};

TEST_F(IdentityAccountStatus, ADisabledAccountsTokenIsRefusedAtOnceAndWorksAfterEnable) {
  const auto other = create_admin(db_, {"0901000022", kPassword});
  const std::string token = login("0901000022", kPassword)["accessToken"];
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nullptr, token).status, 200);
  EXPECT_EQ(post_as_admin("/api/v1/users/" + other + "/disable"), 200);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nullptr, token).status, 401);
  EXPECT_EQ(post_as_admin("/api/v1/users/" + other + "/enable"), 200);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nullptr, token).status, 200);
}

TEST_F(IdentityAccountStatus, ACodeIssuedBeforeTheDisableDiesWithIt) {
  const auto id = pending_user("+84912000023");
  const auto issued = call("POST", "/api/v1/users/" + id + "/activation-code", nullptr, admin_token_);
  ASSERT_EQ(issued.status, 201);
  EXPECT_EQ(post_as_admin("/api/v1/users/" + id + "/disable"), 200);
  const auto enabled = call("POST", "/api/v1/users/" + id + "/enable", nullptr, admin_token_);
  EXPECT_EQ(enabled.status, 200);
  EXPECT_EQ(enabled.body["status"], "PendingActivation");
  const auto set = call("POST", "/api/v1/auth/set-password",
                        {{"phoneNumber", "+84912000023"},
                         {"activationCode", issued.body["activationCode"]},
                         {"newPassword", "A-New-Passw0rd"}});
  EXPECT_EQ(set.status, 400);
}

TEST_F(IdentityAccountStatus, EveryChangeIsAuditedAndOnlyOwnTenantSeesIt) {
  const auto id = pending_user("+84912000024");
  EXPECT_EQ(post_as_admin("/api/v1/users/" + id + "/disable"), 200);
  EXPECT_EQ(post_as_admin("/api/v1/users/" + id + "/activation-code"), 409);
  const auto page = call("GET", "/api/v1/audit?pageSize=10", nullptr, admin_token_);
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.body["totalCount"], 2);
  EXPECT_EQ(page.body["items"][0]["action"], "user.activation_code.issue");
  EXPECT_EQ(page.body["items"][0]["outcome"], "Refused");
  EXPECT_EQ(page.body["items"][1]["action"], "user.disable");
  EXPECT_EQ(page.body["items"][1]["outcome"], "Succeeded");
  EXPECT_EQ(page.body["items"][1]["targetId"], id);

  create_admin(db_, {"0901000025", kPassword, "00000000-0000-4000-8000-0000000000d4"});
  const std::string foreign = login("0901000025", kPassword)["accessToken"];
  EXPECT_EQ(call("GET", "/api/v1/audit", nullptr, foreign).body["totalCount"], 0);
  EXPECT_EQ(call("POST", "/api/v1/users/" + id + "/enable", nullptr, foreign).status, 404);
}

}  // namespace
}  // namespace emis::identity
