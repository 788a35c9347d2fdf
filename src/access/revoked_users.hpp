// The accounts whose access tokens a service refuses although they are
// validly signed and unexpired: disabled accounts. A JWT cannot be recalled,
// so every service keeps the set itself (Identity from its own disable and
// enable, the others from Identity's UserDisabled / UserActivated events).
//
// The set lives in the service's database (table revoked_users, one row per
// account whose state is known, written in the transaction that changed it)
// and in memory, where every request checks it without touching the
// database. The memory follows this instance's commits at once and the
// table every `sync` interval, which brings in what other instances sharing
// the database committed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "store/database.hpp"

namespace emis::access {

std::vector<store::Migration> revocation_migrations();

class RevokedUsers {
 public:
  RevokedUsers() = default;
  RevokedUsers(const RevokedUsers&) = delete;
  RevokedUsers& operator=(const RevokedUsers&) = delete;
  ~RevokedUsers();

  bool contains(std::string_view user_id) const;

  // Records in `tx` that the account's tokens are refused (revoked) or
  // accepted again, as of `changed_at_ms` (Unix milliseconds of the change).
  // An older change than the one recorded is ignored, so events arriving out
  // of order settle on the latest. Memory follows once `tx` commits.
  void record(store::Transaction& tx, const std::string& user_id, bool revoked, std::int64_t changed_at_ms);

  // Replaces the in-memory set with the table's revoked accounts, unless
  // this instance committed a change meanwhile (then the next load does).
  void load(store::Database& db);

  // Reloads from `db` every `interval` on a thread of its own until destroyed.
  void sync(store::Database& db, std::chrono::milliseconds interval);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  void set(const std::string& user_id, bool revoked);

  mutable std::shared_mutex mutex_;
  std::unordered_set<std::string, Hash, std::equal_to<>> ids_;
  std::uint64_t changes_ = 0;  // this instance's commits applied so far
  std::jthread sync_;          // last: stopped and joined before the set goes away
};

}  // namespace emis::access
