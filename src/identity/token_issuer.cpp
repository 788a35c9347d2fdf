#include "identity/token_issuer.hpp"

#include <sodium.h>

#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "identity/refresh_tokens.hpp"

namespace emis::identity {

std::string secret_hash(const std::string& secret) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[sizeof(digest) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return hex;
}

nlohmann::json TokenIssuer::issue(store::Transaction& tx, const User& user, const std::string& tenant_id,
                                  const std::string& family_id) const {
  const auto now = std::chrono::system_clock::now();
  auth::Claims claims;
  claims.sub = user.id;
  claims.tenant_id = tenant_id;
  claims.roles = user.roles_in(tenant_id);
  claims.phone = user.phone_number;
  claims.name = user.full_name;
  for (const auto& m : user.memberships)
    if (m.tenant_id == tenant_id && m.entity_id)
      claims.entities.push_back({m.role, m.entity_type.value_or(""), *m.entity_id});
  claims.iss = settings_.issuer;
  claims.aud = settings_.audience;
  claims.jti = core::new_uuid();
  claims.iat = core::unix_seconds(now);
  claims.exp = claims.iat + settings_.access_lifetime.count();
  const auto access_token = auth::issue_token(key_, claims);

  const auto refresh_token = core::random_token(32);
  const auto family = family_id.empty() ? core::new_uuid() : family_id;
  const long long refresh_expires = claims.iat + settings_.refresh_lifetime.count();
  const auto created = core::to_iso8601(now);
  const auto token_hash = secret_hash(refresh_token);  // named: SOCI binds by reference
  tx.session() << "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at_s, "
                  "tenant_id) VALUES (:h, :u, :f, :c, :e, :t)",
      soci::use(token_hash), soci::use(user.id), soci::use(family), soci::use(created),
      soci::use(refresh_expires), soci::use(tenant_id);

  return {{"accessToken", access_token},
          {"refreshToken", refresh_token},
          {"expiresAt",
           core::to_iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(claims.exp)))},
          {"tokenType", "Bearer"},
          {"user", to_json(user, tenant_id, MembershipScope::all)}};
}

TokenIssuer::Rotation TokenIssuer::rotate(store::Transaction& tx, const std::string& refresh_token) const {
  const auto hash = secret_hash(refresh_token);
  std::string user_id, family_id, rotated, revoked, tenant_id;
  long long expires = 0;
  soci::indicator rotated_ind = soci::i_null, revoked_ind = soci::i_null, found = soci::i_null,
                  tenant_ind = soci::i_null;
  tx.session() << "SELECT user_id, family_id, expires_at_s, rotated_at, revoked_at, tenant_id FROM "
                  "refresh_tokens WHERE token_hash = :h",
      soci::use(hash), soci::into(user_id, found), soci::into(family_id), soci::into(expires),
      soci::into(rotated, rotated_ind), soci::into(revoked, revoked_ind), soci::into(tenant_id, tenant_ind);
  if (found != soci::i_ok) return {{}, {}, {}, "The refresh token is not valid."};
  if (tenant_ind != soci::i_ok) tenant_id.clear();
  const auto now = std::chrono::system_clock::now();
  const auto now_text = core::to_iso8601(now);
  if (rotated_ind == soci::i_ok && revoked_ind != soci::i_ok) {
    // A used token came back: whoever holds the family may be an attacker.
    revoke_token_family(tx, family_id);
    return {user_id, family_id, tenant_id,
            "The refresh token was already used; its session has been revoked."};
  }
  if (revoked_ind == soci::i_ok || rotated_ind == soci::i_ok)
    return {user_id, family_id, tenant_id, "The refresh token was revoked."};
  if (expires <= core::unix_seconds(now))
    return {user_id, family_id, tenant_id, "The refresh token has expired."};
  tx.session() << "UPDATE refresh_tokens SET rotated_at = :now WHERE token_hash = :h", soci::use(now_text),
      soci::use(hash);
  return {user_id, family_id, tenant_id, {}};
}

bool TokenIssuer::revoke(store::Transaction& tx, const std::string& refresh_token,
                         const std::string& user_id) const {
  const auto hash = secret_hash(refresh_token);  // named: SOCI binds by reference
  std::string family_id;
  soci::indicator found = soci::i_null;
  tx.session() << "SELECT family_id FROM refresh_tokens WHERE token_hash = :h AND user_id = :u",
      soci::use(hash), soci::use(user_id), soci::into(family_id, found);
  if (found != soci::i_ok) return false;
  revoke_token_family(tx, family_id);
  return true;
}

}  // namespace emis::identity
