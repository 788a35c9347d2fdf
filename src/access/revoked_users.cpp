#include "access/revoked_users.hpp"

#include <spdlog/spdlog.h>

namespace emis::access {

std::vector<store::Migration> revocation_migrations() {
  // Versions 8001+: the range of this module in every service's database.
  return {{8001,
           "revoked users",
           {"CREATE TABLE revoked_users ("
            " user_id TEXT PRIMARY KEY,"
            " revoked INTEGER NOT NULL,"
            " changed_at_ms BIGINT NOT NULL)",
            "CREATE INDEX revoked_users_revoked ON revoked_users (revoked)"}}};
}

RevokedUsers::~RevokedUsers() = default;

bool RevokedUsers::contains(std::string_view user_id) const {
  std::shared_lock lock(mutex_);
  return ids_.find(user_id) != ids_.end();
}

void RevokedUsers::set(const std::string& user_id, bool revoked) {
  std::unique_lock lock(mutex_);
  ++changes_;
  if (revoked)
    ids_.insert(user_id);
  else
    ids_.erase(user_id);
}

void RevokedUsers::record(store::Transaction& tx, const std::string& user_id, bool revoked,
                          std::int64_t changed_at_ms) {
  const int flag = revoked ? 1 : 0;
  const long long at = changed_at_ms;
  tx.session() << "INSERT INTO revoked_users (user_id, revoked, changed_at_ms) VALUES (:u, :r, :at) "
                  "ON CONFLICT (user_id) DO UPDATE SET revoked = excluded.revoked, "
                  "changed_at_ms = excluded.changed_at_ms "
                  "WHERE excluded.changed_at_ms >= revoked_users.changed_at_ms",
      soci::use(user_id), soci::use(flag), soci::use(at);
  // What the row says now, which an older change left as it was.
  int now_revoked = 0;
  tx.session() << "SELECT revoked FROM revoked_users WHERE user_id = :u", soci::use(user_id),
      soci::into(now_revoked);
  tx.after_commit([this, user_id, now_revoked] { set(user_id, now_revoked != 0); });
}

void RevokedUsers::load(store::Database& db) {
  std::uint64_t changes_before = 0;
  {
    std::shared_lock lock(mutex_);
    changes_before = changes_;
  }
  auto ids = db.read([](soci::session& s) {
    std::unordered_set<std::string, Hash, std::equal_to<>> loaded;
    soci::rowset<std::string> rows = (s.prepare << "SELECT user_id FROM revoked_users WHERE revoked = 1");
    for (const auto& id : rows) loaded.insert(id);
    return loaded;
  });
  std::unique_lock lock(mutex_);
  // A commit of this instance that landed while we read may be missing from
  // what we read: keep the memory as it is; the next round reads it.
  if (changes_ != changes_before) return;
  ids_.swap(ids);
}

void RevokedUsers::sync(store::Database& db, std::chrono::milliseconds interval) {
  sync_ = std::jthread([this, &db, interval](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any wake;
    std::unique_lock lock(m);
    while (true) {
      // Returns at the interval, or at once when the stop is requested.
      wake.wait_for(lock, stop, interval, [] { return false; });
      if (stop.stop_requested()) return;
      try {
        load(db);
      } catch (const std::exception& e) {
        // The set in memory stays as it was; the next round tries again.
        spdlog::warn("cannot reload revoked users: {}", e.what());
      }
    }
  });
}

}  // namespace emis::access
