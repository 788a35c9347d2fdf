// Tokens whose signature was already checked, by their exact bytes. A client
// sends the same access token with every request until it expires, and the
// ES256 check of it (an elliptic-curve verification) costs more than the
// rest of a request's authentication together, so a verifier looks here
// first. An entry serves only the exact token it was made for (a changed
// byte misses and is verified in full), only against the key set that
// verified it (a new JWKS misses), and only before the token's exp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/claims.hpp"
#include "auth/key_set.hpp"

namespace emis::auth {

class VerifiedTokenCache {
 public:
  // At most `capacity` tokens are kept (one per signed-in client is typical);
  // a full cache first drops expired tokens, then an arbitrary one.
  explicit VerifiedTokenCache(std::size_t capacity = 4096);

  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // The claims stored for exactly `token` when it was verified against
  // `keys`, if `now` (Unix seconds) is still before its exp plus `leeway`.
  // The issuer and audience are those the claims carry: the caller compares.
  std::optional<Claims> find(std::string_view token, const std::shared_ptr<const KeySet>& keys,
                             std::int64_t now, std::int64_t leeway) const;

  // Records that `token` verified against `keys` with these claims.
  void insert(std::string_view token, std::shared_ptr<const KeySet> keys, Claims claims, std::int64_t now,
              std::int64_t leeway);

  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const KeySet> keys;
    Claims claims;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace emis::auth
