#include "identity/code_key.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "core/ids.hpp"

namespace emis::identity {

CodeKey::CodeKey(std::string secret) : secret_{std::move(secret)} {
  if (secret_.value.size() < kMinSecretSize)
    throw std::invalid_argument("the activation secret must be at least " + std::to_string(kMinSecretSize) +
                                " characters");
}

CodeKey CodeKey::from_config(const core::Config& config, const std::filesystem::path& data_dir) {
  if (auto secret = config.string("activation_secret", ""); !secret.empty())
    return CodeKey(std::move(secret));
  const std::filesystem::path path =
      config.string("activation_secret_file", (data_dir / "keys" / "activation-secret").string());
  if (!std::filesystem::exists(path)) {
    auth::ensure_private_directory(path.parent_path());
    const auth::SecretString fresh{core::random_hex(32)};
    if (auth::publish_private_file(path, fresh.value)) {
      spdlog::info("generated activation-code secret {}", path.string());
      return CodeKey(fresh.value);
    }
    // Another process created it between our check and our link: use theirs.
  }
  auto stored = auth::read_private_file(path, "activation secret");
  return CodeKey(std::move(stored.value));
}

std::string CodeKey::hash(std::string_view code) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret_.value.data()),
                              secret_.value.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(code.data()), code.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof(mac) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
  return hex;
}

}  // namespace emis::identity
