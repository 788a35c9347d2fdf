#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/sodium.hpp"

namespace emis::auth {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// libsodium wants a NUL-terminated hash that fits crypto_pwhash_STRBYTES.
bool as_c_string(std::string_view hash, std::string& out) {
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos) return false;
  out.assign(hash);
  return true;
}

}  // namespace

std::string hash_password(std::string_view password) {
  core::ensure_sodium_initialised();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kPasswordOpsLimit, kPasswordMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("Argon2id hashing failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  core::ensure_sodium_initialised();
  std::string c_hash;
  if (!as_c_string(hash, c_hash)) return false;
  return crypto_pwhash_str_verify(c_hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash) {
  core::ensure_sodium_initialised();
  std::string c_hash;
  // libsodium's check compares only the cost parameters, so an Argon2i
  // hash with the same costs would pass it; the prefix check catches that.
  if (!hash.starts_with(kArgon2idPrefix) || !as_c_string(hash, c_hash)) return true;
  return crypto_pwhash_str_needs_rehash(c_hash.c_str(), kPasswordOpsLimit, kPasswordMemLimit) != 0;
}

}  // namespace emis::auth
