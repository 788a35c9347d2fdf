// Identifiers: time-ordered (version 7) UUIDs and random tokens, from libsodium's CSPRNG.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace emis::core {

// A UUID of version 7 (RFC 9562): the Unix time in milliseconds, a 12-bit
// counter, then 62 random bits. Ids one process makes sort in the order it
// made them, within a millisecond too, so rows listed by (created_at, id)
// come in the order they were created. And ids made one after another sort
// together, so each insert into an index keyed by them lands on the same few
// pages at its end, rather than on a random page of the whole index (as a
// version 4 id would): a commit writes a few pages instead of one per row.
std::string new_uuid();

// True for the canonical 8-4-4-4-12 lowercase or uppercase hex form.
bool is_uuid(std::string_view text) noexcept;

// Random URL-safe text of `bytes` random bytes (base64url, no padding).
std::string random_token(std::size_t bytes);

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

}  // namespace emis::core
