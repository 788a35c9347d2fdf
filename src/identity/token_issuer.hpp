// Issues the token pair a login or a refresh answers with: a 15-minute ES256
// access token and a random refresh token stored only as its hash. Refresh
// tokens rotate on use; presenting a rotated one again revokes its family.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/signing_key.hpp"
#include "identity/user.hpp"
#include "store/transaction.hpp"

namespace emis::identity {

struct TokenSettings {
  std::string issuer = "emis-identity";
  std::string audience = "emis";
  std::chrono::seconds access_lifetime{15 * 60};
  std::chrono::seconds refresh_lifetime{14 * 24 * 3600};
};

class TokenIssuer {
 public:
  TokenIssuer(const auth::SigningKey& key, TokenSettings settings)
      : key_(key), settings_(std::move(settings)) {}

  // {accessToken, refreshToken, expiresAt, tokenType, user} for the
  // account's roles and entities in `tenant_id`; the user lists every
  // membership. The refresh token keeps the tenant, and starts a new family
  // unless `family_id` continues one.
  nlohmann::json issue(store::Transaction& tx, const User& user, const std::string& tenant_id,
                       const std::string& family_id = {}) const;

  // Rotates a refresh token: returns the user it belongs to and marks it used.
  // Reuse of a rotated token revokes the whole family (it was stolen or
  // replayed). A failure is returned, not thrown, so that the revocation
  // commits before the caller answers 401.
  struct Rotation {
    std::string user_id;
    std::string family_id;
    std::string tenant_id;  // empty for a token from before tenants were kept
    std::string failure;    // empty on success
  };
  Rotation rotate(store::Transaction& tx, const std::string& refresh_token) const;
  // Revokes the family of `refresh_token` when it belongs to `user_id`
  // (logout ends only the caller's own sessions); false, and nothing
  // changed, for an unknown token or another user's.
  bool revoke(store::Transaction& tx, const std::string& refresh_token, const std::string& user_id) const;

  const TokenSettings& settings() const noexcept { return settings_; }

 private:
  const auth::SigningKey& key_;
  TokenSettings settings_;
};

// SHA-256 of a secret, hex; what is stored instead of refresh tokens (256
// random bits each: a key adds nothing against an offline search).
std::string secret_hash(const std::string& secret);

}  // namespace emis::identity
