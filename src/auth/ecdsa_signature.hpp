// JWS (RFC 7518 §3.4) carries an ES256 signature as the fixed-size
// concatenation r||s, while OpenSSL produces and expects ASN.1 DER. These
// convert between the two.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <vector>

namespace emis::auth {

inline constexpr std::size_t kEs256CoordinateSize = 32;
inline constexpr std::size_t kEs256SignatureSize = 2 * kEs256CoordinateSize;

using Es256Signature = std::array<unsigned char, kEs256SignatureSize>;

// Throws std::runtime_error if `der` is not a DER ECDSA signature whose r
// and s fit in 32 bytes.
Es256Signature raw_from_der(std::span<const unsigned char> der);

std::vector<unsigned char> der_from_raw(std::span<const unsigned char, kEs256SignatureSize> raw);

}  // namespace emis::auth
