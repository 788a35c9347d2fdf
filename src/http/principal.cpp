#include "http/principal.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "core/ids.hpp"

namespace emis::http {

Principal authenticate(const Request& request, const TokenVerifier& verify) {
  const auto header = request.header("Authorization");
  if (!header) core::throw_unauthorized("A bearer token is required.");
  constexpr std::string_view scheme = "Bearer ";
  if (header->size() <= scheme.size() || strncasecmp(header->c_str(), scheme.data(), scheme.size()) != 0)
    core::throw_unauthorized("The Authorization header must use the Bearer scheme.");
  return verify(std::string_view(*header).substr(scheme.size()));
}

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::is_entity(std::string_view role, std::string_view entity_id) const {
  return std::any_of(entities.begin(), entities.end(),
                     [&](const PrincipalEntity& e) { return e.role == role && e.entity_id == entity_id; });
}

std::string Principal::roles_text() const {
  std::string text;
  for (const auto& role : roles) text += (text.empty() ? "" : ",") + role;
  return text;
}

Principal require_role(const Request& request, const TokenVerifier& verify, const std::string& role) {
  auto principal = authenticate(request, verify);
  if (!principal.has_role(role)) core::throw_forbidden("This operation requires the " + role + " role.");
  return principal;
}

namespace {
bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

std::string traceparent_of(const Request& request) {
  // version "00" - trace-id (32 hex) - parent-id (16 hex) - flags (2 hex)
  if (const auto tp = request.header("traceparent"); tp && tp->size() == 55) {
    const std::string_view v(*tp);
    if (v[2] == '-' && v[35] == '-' && v[52] == '-' && lower_hex(v.substr(0, 2)) && v.substr(0, 2) != "ff" &&
        lower_hex(v.substr(3, 32)) && !all_zero(v.substr(3, 32)) && lower_hex(v.substr(36, 16)) &&
        !all_zero(v.substr(36, 16)) && lower_hex(v.substr(53, 2)))
      return *tp;
  }
  return "00-" + core::random_hex(16) + "-" + core::random_hex(8) + "-01";
}

}  // namespace emis::http
