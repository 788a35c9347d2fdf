// Who is signed in to the console. The browser holds only an opaque session
// id in an HttpOnly, SameSite=Strict cookie, so page scripts never see a
// token; the session keeps the Identity tokens server side, and a CSRF token
// that every state-changing request must repeat in a header. Sessions live in
// this process's memory: a restarted console asks everyone to sign in again.
#pragma once

#include <chrono>
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

  bool has_role(const std::string& role) const;
};

inline constexpr const char* kSessionCookie = "emis_console_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

class Sessions {
 public:
  explicit Sessions(std::chrono::minutes lifetime = std::chrono::minutes(60)) : lifetime_(lifetime) {}

  // Starts a session for a login answer of Identity ({accessToken, refreshToken, user}).
  Session open(const nlohmann::json& login);
  void close(const std::string& id);

  // The request's session; throws unauthorized (401) without a live one.
  Session require(const http::Request& request) const;
  // As require, and for a write the CSRF header must match (403 otherwise).
  Session require_write(const http::Request& request) const;

 private:
  std::chrono::minutes lifetime_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Session> by_id_;
};

// The session cookie's Set-Cookie value, and the one that clears it.
std::string session_cookie(const Session& session);
std::string cleared_session_cookie();
// The value of cookie `name` in the request's Cookie header, if any.
std::optional<std::string> cookie_value(const http::Request& request, const std::string& name);

}  // namespace emis::console
