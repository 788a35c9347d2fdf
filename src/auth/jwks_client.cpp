#include "auth/jwks_client.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "auth/errors.hpp"
#include "auth/http_get.hpp"

namespace emis::auth {

JwksClient::JwksClient(std::string jwks_url, JwksClientOptions options)
    : url_(std::move(jwks_url)), options_(std::move(options)), verified_(options_.verified_tokens) {
  for (std::size_t start = 0; start <= url_.size();) {
    const auto comma = std::min(url_.find(',', start), url_.size());
    urls_.push_back(url_.substr(start, comma - start));
    start = comma + 1;
  }
  for (const auto& url : urls_)
    if (!url.starts_with("http://") && !url.starts_with("https://"))
      throw std::invalid_argument("JWKS URL must be http:// or https://");
}

JwksClient::JwksClient(KeySet keys)
    : cache_{std::make_shared<const KeySet>(std::move(keys)), {}}, verified_(options_.verified_tokens) {}

JwksClient::TimePoint JwksClient::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

JwksClient::Cache JwksClient::snapshot() const {
  std::shared_lock lock(cache_mutex_);
  return cache_;
}

std::shared_ptr<const KeySet> JwksClient::keys() const { return snapshot().keys; }

std::size_t JwksClient::verified_tokens() const { return verified_.size(); }

bool JwksClient::refresh() {
  if (url_.empty()) return false;
  // Serialising fetches means a burst of requests with a new kid causes one
  // fetch; the others wait for it and then find the throttle closed.
  std::lock_guard fetch_lock(fetch_mutex_);
  const TimePoint started = now();
  if (last_attempt_ && started - *last_attempt_ < options_.min_refresh_interval) return false;
  last_attempt_ = started;
  try {
    std::string body;
    for (std::size_t tried = 0;; ++tried) {
      try {
        body = http_get(urls_[preferred_], {.timeout = options_.timeout});
        break;
      } catch (const std::exception&) {
        if (tried + 1 >= urls_.size()) throw;
        preferred_ = (preferred_ + 1) % urls_.size();  // the next instance
      }
    }
    auto keys = std::make_shared<const KeySet>(KeySet::from_jwks(nlohmann::json::parse(body)));
    {
      std::unique_lock lock(cache_mutex_);
      cache_ = {std::move(keys), started};
    }
    // Entries name the set that verified them and no longer match; free them.
    verified_.clear();
    if (outage_logged_) spdlog::info("JWKS {} is available again", url_);
    outage_logged_ = false;
    return true;
  } catch (const std::exception& e) {
    if (!outage_logged_) spdlog::error("cannot load JWKS from {}: {}", url_, e.what());
    outage_logged_ = true;
    return false;
  }
}

std::shared_ptr<const KeySet> JwksClient::usable_keys() {
  Cache cache = snapshot();
  if (!url_.empty() && (!cache.keys || now() - cache.fetched_at >= options_.max_age)) {
    refresh();
    cache = snapshot();
  }
  if (!cache.keys) reject_token("token signing keys are unavailable");
  return cache.keys;
}

Claims JwksClient::verify(std::string_view token, const VerifyOptions& opts) {
  std::shared_ptr<const KeySet> keys = usable_keys();
  const std::int64_t now = core::unix_seconds(opts.now.value_or(std::chrono::system_clock::now()));
  const std::int64_t leeway = opts.leeway.count();
  if (auto claims = verified_.find(token, keys, now, leeway);
      claims && claims->iss == opts.issuer && claims->aud == opts.audience)
    return std::move(*claims);
  Claims claims;
  try {
    claims = verify_token(token, *keys, opts);
  } catch (const UnknownKeyId&) {
    if (url_.empty()) throw;
    refresh();
    // Compare with the set we used rather than trusting refresh()'s result:
    // a concurrent caller may have installed the new keys while we waited.
    std::shared_ptr<const KeySet> fresh = this->keys();
    if (fresh == keys) throw;
    keys = std::move(fresh);
    claims = verify_token(token, *keys, opts);
  }
  verified_.insert(token, std::move(keys), claims, now, leeway);
  return claims;
}

}  // namespace emis::auth
