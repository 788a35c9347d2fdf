#include "auth/key_set.hpp"

#include <stdexcept>

#include "auth/signing_key.hpp"

namespace emis::auth {
namespace {

bool member_is(const nlohmann::json& jwk, const char* name, std::string_view expected) {
  const auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
}

// "use" and "alg" are optional in a JWK; when present they must allow
// ES256 signatures, or the key is meant for something else.
bool usable_for_es256(const nlohmann::json& jwk) {
  return (!jwk.contains("use") || member_is(jwk, "use", "sig")) &&
         (!jwk.contains("alg") || member_is(jwk, "alg", "ES256"));
}

}  // namespace

KeySet KeySet::from_jwks(const nlohmann::json& jwks) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    throw std::invalid_argument("JWKS has no \"keys\" array");
  }
  KeySet set;
  for (const auto& jwk : jwks["keys"]) {
    if (!jwk.is_object()) throw std::invalid_argument("JWKS entry is not an object");
    if (!member_is(jwk, "kty", "EC") || !member_is(jwk, "crv", "P-256") || !usable_for_es256(jwk)) continue;
    PublicKey key = PublicKey::from_jwk(jwk);
    if (set.find(key.kid()) != nullptr) throw std::invalid_argument("JWKS has a duplicate kid");
    set.add(key);
  }
  return set;
}

nlohmann::json KeySet::to_jwks() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& [kid, key] : keys_) keys.push_back(key.jwk());
  return {{"keys", std::move(keys)}};
}

void KeySet::add(const PublicKey& key) { keys_.insert_or_assign(key.kid(), key); }

void KeySet::add(const SigningKey& key) { add(key.public_key()); }

const PublicKey* KeySet::find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace emis::auth
