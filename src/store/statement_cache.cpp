#include "store/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>

namespace emis::store {
namespace {

// Caches by the connection (backend) they serve. Written when a Database
// opens or closes, read by every cached query.
std::shared_mutex registry_mutex;
std::unordered_map<const void*, StatementCache*>& registry() {
  static std::unordered_map<const void*, StatementCache*> caches;
  return caches;
}
// How many caches exist. A process on PostgreSQL has none, and its queries
// then skip the lock and the lookup. Relaxed is enough: a Database makes its
// caches in its constructor, before any other thread can reach its sessions.
std::atomic<std::size_t> live_caches{0};

}  // namespace

StatementCache::StatementCache(soci::session& session) : session_(session) {
  std::unique_lock lock(registry_mutex);
  registry()[session_.get_backend()] = this;
  ++live_caches;
}

StatementCache::~StatementCache() {
  std::unique_lock lock(registry_mutex);
  registry().erase(session_.get_backend());
  --live_caches;
}

StatementCache* StatementCache::of(soci::session& session) {
  if (live_caches.load(std::memory_order_relaxed) == 0) return nullptr;
  std::shared_lock lock(registry_mutex);
  const auto found = registry().find(session.get_backend());
  return found == registry().end() ? nullptr : found->second;
}

StatementCache::RunEnd::~RunEnd() {
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st_.get_backend());
  if (backend->stmt_ != nullptr) sqlite_api::sqlite3_reset(backend->stmt_);
  st_.bind_clean_up();
}

soci::statement& StatementCache::statement(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    auto st = std::make_unique<soci::statement>(session_);
    st->alloc();
    st->prepare(sql);
    slot = std::move(st);
  }
  return *slot;
}

}  // namespace emis::store
