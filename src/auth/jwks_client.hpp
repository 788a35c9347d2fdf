// Token verification for services that do not hold the signing key: the
// issuer's JWKS is fetched over HTTP, cached, and refetched when a token
// names a key the cache does not know (key rotation). Tokens it has
// verified are remembered until they expire, so a client's next request with
// the same token skips the signature check (VerifiedTokenCache).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "auth/key_set.hpp"
#include "auth/verified_token_cache.hpp"

namespace emis::auth {

struct JwksClientOptions {
  std::chrono::milliseconds timeout{2000};  // per fetch (connect and transfer)
  // At most one fetch per interval, whatever tokens arrive: otherwise every
  // token with a made-up kid would make us call the issuer, turning this
  // service into an amplifier against it.
  std::chrono::seconds min_refresh_interval{10};
  // The cache is refetched after this long so that keys the issuer has
  // withdrawn stop being trusted; if that fetch fails the old set is kept.
  std::chrono::seconds max_age{600};
  // The clock for the two intervals above; std::chrono::steady_clock when
  // empty (tests move it by hand).
  std::function<std::chrono::steady_clock::time_point()> clock;
  // How many verified tokens are remembered (see VerifiedTokenCache).
  std::size_t verified_tokens = 4096;
};

class JwksClient {
 public:
  // Fetches from `jwks_url` (http or https, e.g.
  // "http://identity:5002/.well-known/jwks.json") on first use, not here,
  // so a service can start before its issuer. A comma-separated list names
  // several instances of the issuer (they share their keys): a fetch tries
  // them in turn, starting with the one that answered last. Throws
  // std::invalid_argument for another scheme.
  explicit JwksClient(std::string jwks_url, JwksClientOptions options = {});

  // Verifies against a fixed set and never fetches (the identity service
  // itself, tests).
  explicit JwksClient(KeySet keys);

  JwksClient(const JwksClient&) = delete;
  JwksClient& operator=(const JwksClient&) = delete;

  // verify_token() against the cached keys. An UnknownKeyId leads to one
  // refresh (subject to min_refresh_interval) and one retry. If no key set
  // could be fetched yet, throws DomainError(unauthorized) whose detail says
  // the signing keys are unavailable. Thread-safe; blocks for at most about
  // one fetch timeout when it has to fetch.
  Claims verify(std::string_view token, const VerifyOptions& opts);

  // Fetches the JWKS now unless a fetch was attempted within
  // min_refresh_interval. True if a new key set was installed. Never throws
  // for a fetch failure (it is logged once per outage).
  bool refresh();

  // The current key set, or nullptr before the first successful fetch.
  std::shared_ptr<const KeySet> keys() const;

  // How many verified tokens are remembered now.
  std::size_t verified_tokens() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Cache {
    std::shared_ptr<const KeySet> keys;
    TimePoint fetched_at{};
  };

  Cache snapshot() const;
  std::shared_ptr<const KeySet> usable_keys();
  TimePoint now() const;

  const std::string url_;          // empty for a fixed key set
  std::vector<std::string> urls_;  // url_ split at commas
  std::size_t preferred_ = 0;      // guarded by fetch_mutex_
  const JwksClientOptions options_;

  mutable std::shared_mutex cache_mutex_;  // guards cache_
  Cache cache_;
  VerifiedTokenCache verified_;

  std::mutex fetch_mutex_;  // one fetch at a time; guards the members below
  std::optional<TimePoint> last_attempt_;
  bool outage_logged_ = false;
};

}  // namespace emis::auth
