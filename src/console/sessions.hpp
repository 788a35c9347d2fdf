// Who is signed in to the console. The browser holds only an opaque session
// id in an HttpOnly, SameSite=Strict cookie, so page scripts never see a
// token; the session keeps the Identity tokens server side, and a CSRF token
// that every state-changing request must repeat in a header. Sessions live in
// this process's memory: a restarted console asks everyone to sign in again.
// Access tokens live minutes, sessions longer: a session whose access token
// is about to expire gets a new one with its refresh token (Identity rotates
// it) before the request goes on, one refresh at a time, so two requests
// never present the same refresh token (which Identity treats as theft).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace emis::console {

struct Session {
  std::string id;
  std::string csrf_token;
  std::string access_token;
  std::string refresh_token;
  std::string user_id;
  std::string tenant_id;
  std::string full_name;
  std::vector<std::string> roles;
  std::chrono::steady_clock::time_point expires;
  std::chrono::system_clock::time_point access_expires;

  bool has_role(const std::string& role) const;
};

inline constexpr const char* kSessionCookie = "emis_console_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Trades a refresh token for a new login answer; nullopt when Identity refuses.
using TokenRefresher = std::function<std::optional<nlohmann::json>(const std::string& refresh_token)>;

class Sessions {
 public:
  explicit Sessions(TokenRefresher refresher, std::chrono::minutes lifetime = std::chrono::minutes(60))
      : refresher_(std::move(refresher)), lifetime_(lifetime) {}

  // Starts a session for a login answer of Identity ({accessToken, refreshToken, user}).
  Session open(const nlohmann::json& login);
  void close(const std::string& id);

  // The request's session, its access token fresh; throws unauthorized (401)
  // without a live one.
  Session require(const http::Request& request) const;
  // As require, and for a write the CSRF header must match (403 otherwise).
  Session require_write(const http::Request& request) const;

 private:
  Session refreshed(const std::string& id) const;

  TokenRefresher refresher_;
  std::chrono::minutes lifetime_;
  mutable std::mutex refresh_mutex_;  // held across a refresh; taken before mutex_
  mutable std::mutex mutex_;
  mutable std::map<std::string, Session> by_id_;
};

// The session cookie's Set-Cookie value, and the one that clears it.
std::string session_cookie(const Session& session);
std::string cleared_session_cookie();
// The value of cookie `name` in the request's Cookie header, if any.
std::optional<std::string> cookie_value(const http::Request& request, const std::string& name);

}  // namespace emis::console
