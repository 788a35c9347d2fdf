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
    std::vector<http::PrincipalEntity> entities;
    for (const auto& e : claims.entities) entities.push_back({e.role, e.entity_type, e.entity_id});
    return http::Principal{claims.sub,  claims.tenant_id,    claims.roles, claims.phone,
                           claims.name, std::move(entities), claims.jti,   claims.exp};
  };
}

}  // namespace emis::host
