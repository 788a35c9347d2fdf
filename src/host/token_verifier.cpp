#include "host/token_verifier.hpp"

namespace emis::host {

auth::VerifyOptions verify_options(const core::Config& config) {
  auth::VerifyOptions o;
  o.issuer = config.string("jwt_issuer", "emis-identity");
  o.audience = config.string("jwt_audience", "emis");
  return o;
}

http::TokenVerifier make_token_verifier(std::shared_ptr<auth::JwksClient> keys, auth::VerifyOptions options) {
  return [keys = std::move(keys), options = std::move(options)](std::string_view token) {
    const auto claims = keys->verify(token, options);
    return http::Principal{claims.sub,  claims.tenant_id, claims.role, claims.phone,
                           claims.name, claims.entity_id, claims.jti,  claims.exp};
  };
}

}  // namespace emis::host
