// The server secret that activation codes are stored under: a code is kept
// only as HMAC-SHA256(secret, code), so whoever reads the database alone
// cannot try the 2^50 possible codes offline. Instances that share a
// database must share the secret: set EMIS_ACTIVATION_SECRET (config
// activation_secret, at least 32 characters) on all of them, or give them
// the same file. Without either, a random secret is created once in
// <data_dir>/keys/activation-secret (mode 0600) and kept.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "auth/private_file.hpp"
#include "core/config.hpp"

namespace emis::identity {

class CodeKey {
 public:
  static constexpr std::size_t kMinSecretSize = 32;

  // Throws std::invalid_argument for a secret shorter than kMinSecretSize.
  explicit CodeKey(std::string secret);

  // activation_secret when set, else the file activation_secret_file
  // (default <data_dir>/keys/activation-secret), created when missing.
  static CodeKey from_config(const core::Config& config, const std::filesystem::path& data_dir);

  // HMAC-SHA256 of `code` under the secret, as lowercase hex.
  std::string hash(std::string_view code) const;

 private:
  auth::SecretString secret_;
};

}  // namespace emis::identity
