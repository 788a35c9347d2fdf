// The Identity service's HTTP API: authentication (/api/v1/auth/...), user
// administration (/api/v1/users/...) and the JWKS for other services.
#pragma once

#include <memory>
#include <string>

#include "access/revoked_users.hpp"
#include "auth/key_set.hpp"
#include "eventbus/outbox.hpp"
#include "http/principal.hpp"
#include "http/server.hpp"
#include "identity/code_delivery.hpp"
#include "identity/code_key.hpp"
#include "identity/login_throttle.hpp"
#include "identity/token_issuer.hpp"
#include "store/database.hpp"

namespace emis::identity {

struct IdentityApiContext {
  store::Database& db;
  eventbus::Outbox& outbox;
  access::RevokedUsers& revoked;
  http::TokenVerifier verify;  // refuses the tokens of disabled accounts
  const TokenIssuer& tokens;
  const CodeKey& codes;  // activation codes are stored under it
  LoginThrottle& throttle;
  nlohmann::json jwks;
  std::string phone_region = "VN";
  // Set when a notifier is configured: codes are then sent to the user's
  // phone and never answered; without one they are answered (201).
  const CodeDelivery* delivery = nullptr;
};

void add_auth_routes(http::Server& server, const IdentityApiContext& context);
void add_user_routes(http::Server& server, const IdentityApiContext& context);

}  // namespace emis::identity
