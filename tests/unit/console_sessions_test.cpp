// Console sessions: the cookie names an opaque session, writes need its CSRF
// token, and nothing else gets in.
#include <gtest/gtest.h>

#include "console/sessions.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::console {
namespace {

nlohmann::json login_answer(const std::string& access = "access",
                            std::chrono::seconds lifetime = std::chrono::minutes(15)) {
  return {{"accessToken", access},
          {"refreshToken", "refresh-" + access},
          {"expiresAt", core::to_iso8601(std::chrono::system_clock::now() + lifetime)},
          {"user", {{"id", "u1"}, {"tenantId", "t1"}, {"fullName", "Admin"}, {"roles", {"SchoolAdmin"}}}}};
}

http::Request with_cookie(const std::string& cookie) {
  http::Request r;
  r.headers["Cookie"] = cookie;
  return r;
}

// A refresher that must not be called.
std::optional<nlohmann::json> no_refresh(const std::string&) {
  ADD_FAILURE() << "unexpected refresh";
  return std::nullopt;
}

core::ErrorKind kind_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const core::DomainError& e) {
    return e.kind();
  }
  return core::ErrorKind::internal;
}

TEST(ConsoleSessions, TheCookieFindsTheSessionAndItsTokens) {
  Sessions sessions(no_refresh);
  const auto opened = sessions.open(login_answer());
  const auto found = sessions.require(with_cookie("theme=dark; emis_console_session=" + opened.id + "; x=1"));
  EXPECT_EQ(found.access_token, "access");
  EXPECT_EQ(found.tenant_id, "t1");
  EXPECT_TRUE(found.has_role("SchoolAdmin"));
  EXPECT_NE(found.csrf_token, found.id);
  const auto cookie = session_cookie(opened);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
}

TEST(ConsoleSessions, WithoutAKnownCookieTheAnswerIsUnauthorized) {
  Sessions sessions(no_refresh);
  sessions.open(login_answer());
  EXPECT_EQ(kind_of([&] { sessions.require(http::Request{}); }), core::ErrorKind::unauthorized);
  EXPECT_EQ(kind_of([&] { sessions.require(with_cookie("emis_console_session=guess")); }),
            core::ErrorKind::unauthorized);
}

TEST(ConsoleSessions, AWriteNeedsTheCsrfTokenOfItsSession) {
  Sessions sessions(no_refresh);
  const auto opened = sessions.open(login_answer());
  auto request = with_cookie("emis_console_session=" + opened.id);
  EXPECT_EQ(kind_of([&] { sessions.require_write(request); }), core::ErrorKind::forbidden);
  request.headers[kCsrfHeader] = "wrong";
  EXPECT_EQ(kind_of([&] { sessions.require_write(request); }), core::ErrorKind::forbidden);
  request.headers[kCsrfHeader] = opened.csrf_token;
  EXPECT_EQ(sessions.require_write(request).user_id, "u1");
}

TEST(ConsoleSessions, ClosingEndsTheSession) {
  Sessions sessions(no_refresh);
  const auto opened = sessions.open(login_answer());
  sessions.close(opened.id);
  EXPECT_EQ(kind_of([&] { sessions.require(with_cookie("emis_console_session=" + opened.id)); }),
            core::ErrorKind::unauthorized);
}

TEST(ConsoleSessions, AnAccessTokenAboutToExpireIsRefreshedOnceWithItsRefreshToken) {
  std::vector<std::string> presented;
  Sessions sessions([&](const std::string& refresh_token) -> std::optional<nlohmann::json> {
    presented.push_back(refresh_token);
    return login_answer("access-2");
  });
  const auto opened = sessions.open(login_answer("access-1", std::chrono::seconds(10)));
  const auto request = with_cookie("emis_console_session=" + opened.id);
  EXPECT_EQ(sessions.require(request).access_token, "access-2");
  EXPECT_EQ(sessions.require(request).access_token, "access-2");
  EXPECT_EQ(presented, std::vector<std::string>{"refresh-access-1"});
  EXPECT_EQ(sessions.require(request).csrf_token, opened.csrf_token);  // the session stays the same
}

TEST(ConsoleSessions, ARefusedRefreshSignsOut) {
  Sessions sessions([](const std::string&) -> std::optional<nlohmann::json> { return std::nullopt; });
  const auto opened = sessions.open(login_answer("access-1", std::chrono::seconds(-5)));
  const auto request = with_cookie("emis_console_session=" + opened.id);
  EXPECT_EQ(kind_of([&] { sessions.require(request); }), core::ErrorKind::unauthorized);
  EXPECT_EQ(kind_of([&] { sessions.require(request); }), core::ErrorKind::unauthorized);
}

}  // namespace
}  // namespace emis::console
