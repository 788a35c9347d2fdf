// A token verifier that also refuses the tokens of revoked (disabled)
// accounts. It checks after the signature (and after the verified-token
// cache), so a cached token of an account disabled since is refused too.
#pragma once

#include "access/revoked_users.hpp"
#include "http/principal.hpp"

namespace emis::access {

// `revoked` must outlive the verifier.
http::TokenVerifier refusing_revoked(http::TokenVerifier verify, const RevokedUsers& revoked);

}  // namespace emis::access
