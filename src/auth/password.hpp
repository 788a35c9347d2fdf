// Password hashing with Argon2id (libsodium), at or above OWASP's minimum
// for Argon2id: 19 MiB of memory, 2 iterations, 1 lane. Hashes are stored
// as the self-describing PHC string, so parameters can be raised later and
// old hashes upgraded on the next successful login.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace emis::auth {

inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr std::size_t kPasswordMemLimit = 19u * 1024u * 1024u;

// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a random salt.
// Deliberately slow (tens of milliseconds): call it off the event loop.
// Throws std::runtime_error if the memory cannot be allocated.
std::string hash_password(std::string_view password);

// Constant-time comparison inside libsodium; false for a wrong password
// and for a hash it cannot parse.
bool verify_password(std::string_view hash, std::string_view password);

// True unless `hash` is Argon2id with exactly the parameters above.
bool password_needs_rehash(std::string_view hash);

}  // namespace emis::auth
