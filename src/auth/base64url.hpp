// base64url without padding (RFC 4648 §5), the encoding JWS and JWK use for
// every binary field.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace emis::auth {

std::string base64url_encode(std::span<const unsigned char> bytes);
std::string base64url_encode(std::string_view bytes);

// Strict: padding, whitespace, characters outside the URL-safe alphabet and
// non-zero trailing bits are all rejected, so one value has exactly one
// encoding (a token cannot be altered without changing its signed text).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace emis::auth
