// An ES256 (ECDSA P-256 + SHA-256) public key: what a verifier needs to
// check a token, and what the JWKS publishes.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "auth/ecdsa_signature.hpp"

namespace emis::auth {

class PublicKey {
 public:
  using Coordinate = std::span<const unsigned char, kEs256CoordinateSize>;

  // From the affine coordinates of a P-256 point (big-endian). Throws
  // std::invalid_argument if the point is not on the curve, which stops
  // invalid-curve attacks through a hostile JWKS. An empty kid means "use
  // the RFC 7638 thumbprint".
  static PublicKey from_coordinates(Coordinate x, Coordinate y, std::string kid = {});

  // From a JWK with kty "EC" and crv "P-256"; throws std::invalid_argument
  // for anything else or for a malformed member.
  static PublicKey from_jwk(const nlohmann::json& jwk);

  const std::string& kid() const noexcept { return kid_; }

  // {kty, crv, x, y, kid, use: "sig", alg: "ES256"}
  nlohmann::json jwk() const;

  // True only for a valid 64-byte r||s signature of `signed_text`. Never
  // throws for a bad signature; OpenSSL's verification is used as is.
  bool verify(std::string_view signed_text, std::span<const unsigned char> signature) const;

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, std::string x, std::string y, std::string kid);

  // EVP_PKEY is safe to share between threads for verification (each call
  // uses its own EVP_MD_CTX), so copies of a PublicKey share one.
  std::shared_ptr<EVP_PKEY> key_;
  std::string x_;  // base64url
  std::string y_;  // base64url
  std::string kid_;
};

// RFC 7638 JWK thumbprint of an EC key: base64url(SHA-256 of the members
// crv, kty, x, y in that order, without whitespace).
std::string ec_jwk_thumbprint(std::string_view x_b64, std::string_view y_b64);

}  // namespace emis::auth
