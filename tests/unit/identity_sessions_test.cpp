// Sessions on the Identity API in-process: logout ends only the caller's own
// session.
#include <gtest/gtest.h>

#include "identity/bootstrap.hpp"
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

}  // namespace
}  // namespace emis::identity
