// Who is calling: the verified claims of the request's bearer token. The
// tenant of every read and write comes from here, never from the body.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace emis::http {

struct Principal {
  std::string user_id;
  std::string tenant_id;
  std::string role;
  std::string phone;
  std::string name;
  std::string entity_id;
  std::string token_id;  // jti
  long long expires_at = 0;
};

// Verifies a compact JWT and returns its principal; throws an unauthorized
// DomainError for anything it does not accept.
using TokenVerifier = std::function<Principal(std::string_view token)>;

// Reads "Authorization: Bearer <token>" and verifies it.
Principal authenticate(const Request& request, const TokenVerifier& verify);
// As authenticate, then requires `role` (403 otherwise).
Principal require_role(const Request& request, const TokenVerifier& verify, const std::string& role);

// The W3C traceparent of the request when well formed, else a new one, so
// every event caused by a request carries a trace.
std::string traceparent_of(const Request& request);

}  // namespace emis::http
