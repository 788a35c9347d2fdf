#include "auth/jwt.hpp"

#include <stdexcept>

#include "auth/base64url.hpp"

namespace emis::auth {
namespace {

constexpr std::string_view kAlgorithm = "ES256";

struct TokenParts {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // header_b64 "." payload_b64
};

TokenParts split(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  // Exactly three parts: JWE (five parts) and anything else is malformed.
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    reject_token("malformed token");
  }
  return {token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1),
          token.substr(0, second)};
}

nlohmann::json decode_json_object(std::string_view b64, const char* what) {
  const auto text = base64url_decode(b64);
  if (!text) reject_token(std::string("malformed token ") + what);
  auto json = nlohmann::json::parse(*text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) reject_token(std::string("malformed token ") + what);
  return json;
}

// Returns the kid after checking everything in the header that does not
// need a key, so a forged header never reaches a key lookup (or a JWKS
// refresh). jku, x5u and jwk header members are ignored: keys come only
// from our own key set, never from the token.
std::string check_header(const nlohmann::json& header) {
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != kAlgorithm) {
    reject_token("token algorithm is not accepted");
  }
  // RFC 7515 §4.1.11: extensions marked critical must be understood; we
  // understand none.
  if (header.contains("crit")) reject_token("token has unsupported critical header parameters");
  const auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    reject_token("token has no key id");
  }
  return kid->get<std::string>();
}

std::int64_t seconds_of(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) return 0;
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX)) {
    reject_token(std::string("malformed token claim ") + name);
  }
  return it->get<std::int64_t>();
}

void check_times(const nlohmann::json& payload, const Claims& claims, const VerifyOptions& opts) {
  const std::int64_t now = core::unix_seconds(opts.now.value_or(std::chrono::system_clock::now()));
  const std::int64_t leeway = opts.leeway.count();
  // RFC 7519 §4.1.4: the token is valid only *before* exp. Written as
  // now - leeway so a huge exp cannot overflow.
  if (claims.exp <= now - leeway) reject_token("token has expired");
  if (claims.iat > now + leeway) reject_token("token is not yet valid (issued in the future)");
  if (payload.contains("nbf") && seconds_of(payload, "nbf") > now + leeway) {
    reject_token("token is not yet valid");
  }
}

}  // namespace

std::string issue_token(const SigningKey& key, const Claims& claims) {
  const nlohmann::json header{{"alg", kAlgorithm}, {"typ", "JWT"}, {"kid", key.kid()}};
  const nlohmann::json payload = claims;
  std::string token = base64url_encode(header.dump());
  token += '.';
  token += base64url_encode(payload.dump());
  const Es256Signature signature = key.sign(token);
  token += '.';
  token += base64url_encode(signature);
  return token;
}

Claims verify_token(std::string_view token, const KeySet& keys, const VerifyOptions& opts) {
  if (opts.issuer.empty() || opts.audience.empty()) {
    throw std::invalid_argument("verify_token needs an issuer and an audience");
  }
  if (token.empty() || token.size() > kMaxTokenLength) reject_token("malformed token");

  // 1. Structure and header, without any key.
  const TokenParts parts = split(token);
  const std::string kid = check_header(decode_json_object(parts.header_b64, "header"));
  const auto signature = base64url_decode(parts.signature_b64);
  if (!signature || signature->size() != kEs256SignatureSize) reject_token("malformed token signature");

  // 2. Key and signature. The payload is parsed only once it is known to
  // come from the issuer.
  const PublicKey* key = keys.find(kid);
  if (key == nullptr) throw UnknownKeyId(kid);
  const std::span sig(reinterpret_cast<const unsigned char*>(signature->data()), signature->size());
  if (!key->verify(parts.signing_input, sig)) reject_token("token signature is invalid");

  // 3. Claims.
  const nlohmann::json payload = decode_json_object(parts.payload_b64, "payload");
  Claims claims;
  try {
    payload.get_to(claims);
  } catch (const std::invalid_argument& e) {
    reject_token(std::string("malformed token claims: ") + e.what());
  }
  check_times(payload, claims, opts);
  if (claims.iss != opts.issuer) reject_token("token issuer is not accepted");
  if (claims.aud != opts.audience) reject_token("token audience is not accepted");
  return claims;
}

}  // namespace emis::auth
