#include "access/revoked_users_gate.hpp"

#include "core/errors.hpp"

namespace emis::access {

http::TokenVerifier refusing_revoked(http::TokenVerifier verify, const RevokedUsers& revoked) {
  return [verify = std::move(verify), &revoked](std::string_view token) {
    auto principal = verify(token);
    if (revoked.contains(principal.user_id)) core::throw_unauthorized("The account is disabled.");
    return principal;
  };
}

}  // namespace emis::access
