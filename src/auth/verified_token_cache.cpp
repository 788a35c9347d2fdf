#include "auth/verified_token_cache.hpp"

#include <stdexcept>

namespace emis::auth {
namespace {
// As verify_token's exp check: valid only before exp, leeway tolerated.
bool current(const Claims& claims, std::int64_t now, std::int64_t leeway) {
  return claims.exp > now - leeway;
}
}  // namespace

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) throw std::invalid_argument("VerifiedTokenCache needs a capacity");
}

std::optional<Claims> VerifiedTokenCache::find(std::string_view token,
                                               const std::shared_ptr<const KeySet>& keys, std::int64_t now,
                                               std::int64_t leeway) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(token);
  if (it == entries_.end() || it->second.keys != keys || !current(it->second.claims, now, leeway))
    return std::nullopt;
  return it->second.claims;
}

void VerifiedTokenCache::insert(std::string_view token, std::shared_ptr<const KeySet> keys, Claims claims,
                                std::int64_t now, std::int64_t leeway) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_ && !entries_.contains(token)) {
    std::erase_if(entries_, [&](const auto& entry) { return !current(entry.second.claims, now, leeway); });
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  }
  entries_.insert_or_assign(std::string(token), Entry{std::move(keys), std::move(claims)});
}

void VerifiedTokenCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::size_t VerifiedTokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace emis::auth
