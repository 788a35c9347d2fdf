#include "identity/account_merge.hpp"

#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "identity/account_events.hpp"
#include "identity/activation.hpp"
#include "identity/refresh_tokens.hpp"
#include "identity/user_store.hpp"
#include "store/row.hpp"

namespace emis::identity {
namespace {

struct Duplicate {
  std::string id;
  std::optional<std::string> password_hash;
  std::optional<std::string> password_set_at;
};

std::vector<std::string> phones_with_duplicates(soci::session& s) {
  std::vector<std::string> phones;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT phone_number FROM users WHERE status <> 'Disabled' GROUP BY phone_number "
                    "HAVING COUNT(*) > 1");
  for (const auto& phone : rows) phones.push_back(phone);
  return phones;
}

// The phone's live accounts, oldest first.
std::vector<Duplicate> live_accounts(soci::session& s, const std::string& phone) {
  std::vector<Duplicate> accounts;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT id, password_hash, password_set_at FROM users WHERE phone_number = :p "
                    "AND status <> 'Disabled' ORDER BY created_at, id",
       soci::use(phone));
  for (const auto& r : rows)
    accounts.push_back({r.get<std::string>(0), store::optional_text(r, 1), store::optional_text(r, 2)});
  return accounts;
}

// Sessions and codes of an account whose password or existence changed.
void end_sessions(store::Transaction& tx, const std::string& user_id) {
  revoke_user_tokens(tx, user_id);
  discard_activation_code(tx, user_id);
}

void merge(store::Transaction& tx, const std::vector<Duplicate>& accounts) {
  auto& s = tx.session();
  const auto& survivor = accounts.front();
  const auto now = core::now_iso8601();
  const auto now_ms = core::unix_millis(std::chrono::system_clock::now());
  std::vector<const Duplicate*> with_password;
  for (const auto& a : accounts)
    if (a.password_hash) with_password.push_back(&a);
  for (auto it = accounts.begin() + 1; it != accounts.end(); ++it) {
    s << "UPDATE memberships SET user_id = :to WHERE user_id = :from", soci::use(survivor.id),
        soci::use(it->id);
    s << "UPDATE users SET status = 'Disabled', updated_at = :now WHERE id = :id", soci::use(now),
        soci::use(it->id);
    s << "INSERT INTO revoked_users (user_id, revoked, changed_at_ms) VALUES (:id, 1, :at) "
         "ON CONFLICT (user_id) DO UPDATE SET revoked = 1, changed_at_ms = excluded.changed_at_ms",
        soci::use(it->id), soci::use(now_ms);
    end_sessions(tx, it->id);
  }
  const Duplicate* kept = with_password.size() == 1 ? with_password.front() : nullptr;
  store::Nullable hash(kept ? kept->password_hash : std::nullopt),
      set_at(kept ? kept->password_set_at : std::nullopt);
  const std::string status = kept ? status::active : status::pending_activation;
  s << "UPDATE users SET status = :status, password_hash = :hash, password_set_at = :set_at, updated_at = "
       ":now "
       "WHERE id = :id",
      soci::use(status), soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind), soci::use(now),
      soci::use(survivor.id);
  if (kept != &survivor) end_sessions(tx, survivor.id);
  s << "INSERT INTO merged_accounts (user_id) VALUES (:id) ON CONFLICT DO NOTHING", soci::use(survivor.id);
  spdlog::info("merged {} accounts of one phone into {} ({})", accounts.size(), survivor.id,
               kept ? "its one password kept" : "it asks for a new activation");
}

}  // namespace

void merge_duplicate_accounts(store::Transaction& tx) {
  auto& s = tx.session();
  for (const auto& phone : phones_with_duplicates(s)) merge(tx, live_accounts(s, phone));
}

void announce_merged_accounts(store::Database& db, eventbus::Outbox& outbox) {
  db.write([&](store::Transaction& tx) {
    auto& s = tx.session();
    std::vector<std::string> ids;
    {
      soci::rowset<std::string> rows = (s.prepare << "SELECT user_id FROM merged_accounts");
      for (const auto& id : rows) ids.push_back(id);
    }
    for (const auto& id : ids) {
      // Another instance starting at the same time may have announced it.
      soci::statement forget =
          (s.prepare << "DELETE FROM merged_accounts WHERE user_id = :id", soci::use(id));
      forget.execute(true);
      if (forget.get_affected_rows() == 0) continue;
      if (const auto user = find_user_by_id(s, id))
        for (const auto& m : user->memberships)
          publish_account<contracts::UserAccountCreated>(tx, outbox, *user, m, {});
    }
  });
}

}  // namespace emis::identity
