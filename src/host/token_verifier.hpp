// Turns the auth module's JWT verification into the HTTP layer's principal.
// The issuer and audience come from config (jwt_issuer, jwt_audience), the
// same on the issuing and on every verifying service.
#pragma once

#include <memory>

#include "auth/jwks_client.hpp"
#include "auth/jwt.hpp"
#include "core/config.hpp"
#include "http/principal.hpp"

namespace emis::host {

auth::VerifyOptions verify_options(const core::Config& config);
http::TokenVerifier make_token_verifier(std::shared_ptr<auth::JwksClient> keys, auth::VerifyOptions options);

}  // namespace emis::host
