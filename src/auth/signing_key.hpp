// The identity service's ES256 private key. It is generated once into the
// data directory and reused on every start, so tokens survive restarts and
// the published JWKS stays stable.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/ecdsa_signature.hpp"
#include "auth/public_key.hpp"

namespace emis::auth {

class SigningKey {
 public:
  static constexpr const char* kFileName = "jwt-signing-key.pem";

  // Reads dir/jwt-signing-key.pem, or, if there is none, generates a key
  // and writes it there with mode 0600 (creating dir with mode 0700). An
  // existing file that cannot be read as a P-256 private key is an error,
  // never silently replaced: that would invalidate every issued token.
  static SigningKey load_or_create(const std::filesystem::path& dir);

  // A fresh key held only in memory (tests, tools).
  static SigningKey generate();

  // A PKCS#8 or SEC 1 PEM private key; throws std::invalid_argument unless
  // it is an EC P-256 key.
  static SigningKey from_pem(std::string_view pem);

  // RFC 7638 JWK thumbprint of the public key.
  const std::string& kid() const noexcept { return public_key_.kid(); }
  const PublicKey& public_key() const noexcept { return public_key_; }
  nlohmann::json public_jwk() const { return public_key_.jwk(); }

  // ES256 signature of `signing_input` in JWS form (r||s, 64 bytes).
  Es256Signature sign(std::string_view signing_input) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key);

  std::string to_pem() const;

  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_key_;
};

}  // namespace emis::auth
