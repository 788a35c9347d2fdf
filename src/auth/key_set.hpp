// The public keys a verifier trusts, by key id, and their JWKS form
// (RFC 7517 §5) as served at /.well-known/jwks.json.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/public_key.hpp"

namespace emis::auth {

class SigningKey;

class KeySet {
 public:
  KeySet() = default;

  // Takes the EC P-256 signature keys of a JWKS document. Keys of other
  // types or curves, and keys marked for another use or algorithm, are
  // skipped (a JWKS may legitimately carry them); a P-256 key that is
  // malformed, a duplicate kid, or a document without a "keys" array is
  // rejected with std::invalid_argument, since a half-read set would make
  // valid tokens fail in confusing ways.
  static KeySet from_jwks(const nlohmann::json& jwks);

  // {"keys": [...]} in kid order.
  nlohmann::json to_jwks() const;

  // Adds or replaces the key with the same kid.
  void add(const PublicKey& key);
  void add(const SigningKey& key);

  // nullptr if no key has this kid.
  const PublicKey* find(std::string_view kid) const;

  std::size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }

 private:
  std::map<std::string, PublicKey, std::less<>> keys_;
};

}  // namespace emis::auth
