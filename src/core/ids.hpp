// Identifiers: random (version 4) UUIDs from libsodium's CSPRNG.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace emis::core {

std::string new_uuid();

// True for the canonical 8-4-4-4-12 lowercase or uppercase hex form.
bool is_uuid(std::string_view text) noexcept;

// Random URL-safe text of `bytes` random bytes (base64url, no padding).
std::string random_token(std::size_t bytes);

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

}  // namespace emis::core
