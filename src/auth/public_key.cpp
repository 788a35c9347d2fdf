#include "auth/public_key.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "auth/base64url.hpp"
#include "auth/openssl_handles.hpp"

namespace emis::auth {
namespace {

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    ossl::throw_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

ossl::PkeyPtr p256_public_key(PublicKey::Coordinate x, PublicKey::Coordinate y) {
  // SEC 1 uncompressed point: 0x04 || x || y.
  std::array<unsigned char, 1 + 2 * kEs256CoordinateSize> point{};
  point[0] = 0x04;
  std::copy(x.begin(), x.end(), point.begin() + 1);
  std::copy(y.begin(), y.end(), point.begin() + 1 + kEs256CoordinateSize);

  char group[] = "P-256";
  const std::array params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) ossl::throw_error("cannot create EC key context");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params.data())) != 1) {
    ossl::clear_errors();
    throw std::invalid_argument("EC public key is not a point on P-256");
  }
  ossl::PkeyPtr key(raw);
  // Decoding already rejects points off the curve; the explicit check keeps
  // that guarantee independent of OpenSSL's decoder.
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ossl::clear_errors();
    throw std::invalid_argument("EC public key is not a valid P-256 point");
  }
  return key;
}

const std::string& string_member(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    throw std::invalid_argument(std::string("JWK member '") + name + "' is missing or not a string");
  }
  return it->get_ref<const std::string&>();
}

std::string coordinate_member(const nlohmann::json& jwk, const char* name) {
  auto bytes = base64url_decode(string_member(jwk, name));
  if (!bytes || bytes->size() != kEs256CoordinateSize) {
    throw std::invalid_argument(std::string("JWK member '") + name + "' is not a 32-byte base64url value");
  }
  return std::move(*bytes);
}

PublicKey::Coordinate as_coordinate(const std::string& bytes) {
  return PublicKey::Coordinate(reinterpret_cast<const unsigned char*>(bytes.data()), kEs256CoordinateSize);
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> key, std::string x, std::string y, std::string kid)
    : key_(std::move(key)), x_(std::move(x)), y_(std::move(y)), kid_(std::move(kid)) {}

PublicKey PublicKey::from_coordinates(Coordinate x, Coordinate y, std::string kid) {
  std::shared_ptr<EVP_PKEY> key(p256_public_key(x, y).release(), EVP_PKEY_free);
  std::string x_b64 = base64url_encode(x);
  std::string y_b64 = base64url_encode(y);
  if (kid.empty()) kid = ec_jwk_thumbprint(x_b64, y_b64);
  return PublicKey(std::move(key), std::move(x_b64), std::move(y_b64), std::move(kid));
}

PublicKey PublicKey::from_jwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) throw std::invalid_argument("JWK is not an object");
  if (string_member(jwk, "kty") != "EC" || string_member(jwk, "crv") != "P-256") {
    throw std::invalid_argument("JWK is not an EC P-256 key");
  }
  const std::string x = coordinate_member(jwk, "x");
  const std::string y = coordinate_member(jwk, "y");
  std::string kid;
  if (jwk.contains("kid")) {
    kid = string_member(jwk, "kid");
    if (kid.empty()) throw std::invalid_argument("JWK member 'kid' is empty");
  }
  return from_coordinates(as_coordinate(x), as_coordinate(y), std::move(kid));
}

nlohmann::json PublicKey::jwk() const {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", x_},       {"y", y_},
          {"kid", kid_}, {"use", "sig"},   {"alg", "ES256"}};
}

bool PublicKey::verify(std::string_view signed_text, std::span<const unsigned char> signature) const {
  // JWS fixes the ES256 signature at 64 bytes; anything else (a DER blob,
  // a truncated value) is refused before OpenSSL sees it.
  if (signature.size() != kEs256SignatureSize) return false;
  const std::vector<unsigned char> der = der_from_raw(signature.first<kEs256SignatureSize>());

  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    ossl::throw_error("cannot initialise ES256 verification");
  }
  const int rc =
      EVP_DigestVerify(ctx.get(), der.data(), der.size(),
                       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
  if (rc != 1) ossl::clear_errors();
  return rc == 1;
}

std::string ec_jwk_thumbprint(std::string_view x_b64, std::string_view y_b64) {
  // Built by hand: the member order and the absence of whitespace are part
  // of RFC 7638, and the base64url alphabet needs no JSON escaping.
  std::string canonical = R"({"crv":"P-256","kty":"EC","x":")";
  canonical += x_b64;
  canonical += R"(","y":")";
  canonical += y_b64;
  canonical += R"("})";
  return base64url_encode(sha256(canonical));
}

}  // namespace emis::auth
