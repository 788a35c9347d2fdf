#include "console/sessions.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"

namespace emis::console {
namespace {

[[noreturn]] void throw_signed_out() {
  throw core::DomainError(core::ErrorKind::unauthorized, "Not signed in", "Sign in to use the console.");
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// Refreshed this long before the access token expires, so that it does not
// expire on its way to a service.
constexpr auto kRefreshMargin = std::chrono::seconds(60);

void take_tokens(Session& s, const nlohmann::json& login) {
  s.access_token = login.value("accessToken", "");
  s.refresh_token = login.value("refreshToken", "");
  const auto expires = core::parse_iso8601(login.value("expiresAt", ""));
  // Without a readable expiry, a refresh before every request is safe, if slow.
  s.access_expires = expires.value_or(std::chrono::system_clock::now());
}

bool needs_refresh(const Session& s) {
  return s.access_expires - kRefreshMargin <= std::chrono::system_clock::now();
}

}  // namespace

bool Session::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Session Sessions::open(const nlohmann::json& login) {
  Session s;
  s.id = core::random_token(32);
  s.csrf_token = core::random_token(32);
  const auto user = login.value("user", nlohmann::json::object());
  s.user_id = user.value("id", "");
  s.tenant_id = user.value("tenantId", "");
  s.full_name = user.value("fullName", "");
  if (user.contains("roles") && user["roles"].is_array()) {
    for (const auto& role : user["roles"])
      if (role.is_string()) s.roles.push_back(role.get<std::string>());
  } else if (user.contains("role") && user["role"].is_string()) {
    s.roles.push_back(user["role"].get<std::string>());
  }
  s.expires = std::chrono::steady_clock::now() + lifetime_;
  take_tokens(s, login);
  std::lock_guard lock(mutex_);
  // Expired sessions go when new ones come, so the map stays as small as the signed-in crowd.
  std::erase_if(by_id_, [now = std::chrono::steady_clock::now()](const auto& entry) {
    return entry.second.expires < now;
  });
  by_id_[s.id] = s;
  return s;
}

void Sessions::close(const std::string& id) {
  std::lock_guard lock(mutex_);
  by_id_.erase(id);
}

Session Sessions::require(const http::Request& request) const {
  const auto id = cookie_value(request, kSessionCookie);
  if (!id) throw_signed_out();
  {
    std::lock_guard lock(mutex_);
    const auto found = by_id_.find(*id);
    if (found == by_id_.end() || found->second.expires < std::chrono::steady_clock::now()) throw_signed_out();
    if (!needs_refresh(found->second)) return found->second;
  }
  return refreshed(*id);
}

Session Sessions::refreshed(const std::string& id) const {
  std::lock_guard refreshing(refresh_mutex_);
  Session current;
  {
    std::lock_guard lock(mutex_);
    const auto found = by_id_.find(id);
    if (found == by_id_.end()) throw_signed_out();
    if (!needs_refresh(found->second)) return found->second;  // another request refreshed it
    current = found->second;
  }
  const auto login = refresher_(current.refresh_token);
  std::lock_guard lock(mutex_);
  if (!login || !login->is_object()) {
    by_id_.erase(id);
    throw_signed_out();
  }
  take_tokens(current, *login);
  by_id_[id] = current;
  return current;
}

Session Sessions::require_write(const http::Request& request) const {
  auto session = require(request);
  if (request.header(kCsrfHeader).value_or("") != session.csrf_token)
    throw core::DomainError(core::ErrorKind::forbidden, "Missing CSRF token",
                            "A change needs the X-CSRF-Token header of the session.");
  return session;
}

std::string session_cookie(const Session& session) {
  return std::string(kSessionCookie) + "=" + session.id + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string cleared_session_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::optional<std::string> cookie_value(const http::Request& request, const std::string& name) {
  const auto header = request.header("Cookie");
  if (!header) return std::nullopt;
  std::size_t start = 0;
  while (start <= header->size()) {
    const auto end = std::min(header->find(';', start), header->size());
    const auto pair = trimmed(header->substr(start, end - start));
    const auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace emis::console
