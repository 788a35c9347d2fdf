// Who is calling: the verified claims of the request's bearer token. The
// tenant of every read and write comes from here, never from the body.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace emis::http {

// An entity the caller stands for in its tenant (a Parent's parent record).
struct PrincipalEntity {
  std::string role;
  std::string entity_type;
  std::string entity_id;
};

struct Principal {
  std::string user_id;
  std::string tenant_id;
  std::vector<std::string> roles;  // in `tenant_id`
  std::string phone;
  std::string name;
  std::vector<PrincipalEntity> entities;
  std::string token_id;  // jti
  long long expires_at = 0;

  bool has_role(std::string_view role) const;
  // True when the caller stands for the entity in the given role.
  bool is_entity(std::string_view role, std::string_view entity_id) const;
  // The roles as one text, for logs and audit entries ("Teacher,Parent").
  std::string roles_text() const;
};

// Verifies a compact JWT and returns its principal; throws an unauthorized
// DomainError for anything it does not accept.
using TokenVerifier = std::function<Principal(std::string_view token)>;

// Reads "Authorization: Bearer <token>" and verifies it.
Principal authenticate(const Request& request, const TokenVerifier& verify);
// As authenticate, then requires `role` among the roles (403 otherwise).
Principal require_role(const Request& request, const TokenVerifier& verify, const std::string& role);

// The W3C traceparent of the request when well formed, else a new one, so
// every event caused by a request carries a trace.
std::string traceparent_of(const Request& request);

}  // namespace emis::http
