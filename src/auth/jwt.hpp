// Issuing and verifying ES256 JWTs (RFC 7519, JWS compact form). The only
// accepted algorithm is ES256, fixed here and not taken from the token, so
// "none", HS256-with-the-public-key and algorithm-confusion tricks fail.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/claims.hpp"
#include "auth/errors.hpp"
#include "auth/key_set.hpp"
#include "auth/signing_key.hpp"
#include "core/clock.hpp"

namespace emis::auth {

// Longer inputs are refused unparsed; an EMIS token is well under 1 KiB.
inline constexpr std::size_t kMaxTokenLength = 8192;

struct VerifyOptions {
  std::string issuer;    // required: the iss claim must equal it
  std::string audience;  // required: the aud claim must equal it
  // Tolerated clock difference between issuer and verifier, applied to
  // exp, iat and nbf.
  std::chrono::seconds leeway{30};
  // The time to check against; the system clock when empty (tests set it).
  std::optional<core::SystemTime> now;
};

// Header {alg: "ES256", typ: "JWT", kid}, payload `claims` as given.
std::string issue_token(const SigningKey& key, const Claims& claims);

// Returns the claims of a token that is well formed, ES256-signed by a key
// in `keys`, current and meant for opts.issuer and opts.audience. Throws
// UnknownKeyId if the kid is not in `keys`, and core::DomainError(
// unauthorized, "Unauthorized", <reason>) for any other defect. Throws
// std::invalid_argument if opts has no issuer or audience (a verifier that
// checks neither is a configuration error, not a client's).
Claims verify_token(std::string_view token, const KeySet& keys, const VerifyOptions& opts);

}  // namespace emis::auth
