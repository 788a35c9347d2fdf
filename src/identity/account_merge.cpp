#include "identity/account_merge.hpp"

#include <spdlog/spdlog.h>

#include <tuple>

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
  std::string tenant_id;  // the one tenant the account had
  std::string role;
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
      (s.prepare << "SELECT id, tenant_id, role, password_hash, password_set_at FROM users WHERE "
                    "phone_number = :p AND status <> 'Disabled' ORDER BY created_at, id",
       soci::use(phone));
  for (const auto& r : rows)
    accounts.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                        store::optional_text(r, 3), store::optional_text(r, 4)});
  return accounts;
}

// The password the merged account keeps: the only one there is; with
// several, an administrator's (so that a school is never left without a
// way in: only an administrator issues codes); else none.
const Duplicate* kept_password(const std::vector<Duplicate>& accounts) {
  std::vector<const Duplicate*> with_password;
  for (const auto& a : accounts)
    if (a.password_hash) with_password.push_back(&a);
  if (with_password.size() == 1) return with_password.front();
  for (const auto* a : with_password)
    if (a->role == "SchoolAdmin" || a->role == "Operator") return a;
  return nullptr;
}

void remember(store::Transaction& tx, const Duplicate& account, bool retired) {
  const int flag = retired ? 1 : 0;
  tx.session() << "INSERT INTO merged_accounts (user_id, tenant_id, retired) VALUES (:id, :t, :r) "
                  "ON CONFLICT DO NOTHING",
      soci::use(account.id), soci::use(account.tenant_id), soci::use(flag);
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
  for (auto it = accounts.begin() + 1; it != accounts.end(); ++it) {
    s << "UPDATE memberships SET user_id = :to WHERE user_id = :from", soci::use(survivor.id),
        soci::use(it->id);
    s << "UPDATE users SET status = 'Disabled', updated_at = :now WHERE id = :id", soci::use(now),
        soci::use(it->id);
    s << "INSERT INTO revoked_users (user_id, revoked, changed_at_ms) VALUES (:id, 1, :at) "
         "ON CONFLICT (user_id) DO UPDATE SET revoked = 1, changed_at_ms = excluded.changed_at_ms",
        soci::use(it->id), soci::use(now_ms);
    end_sessions(tx, it->id);
    remember(tx, *it, true);
  }
  const Duplicate* kept = kept_password(accounts);
  store::Nullable hash(kept ? kept->password_hash : std::nullopt),
      set_at(kept ? kept->password_set_at : std::nullopt);
  const std::string status = kept ? status::active : status::pending_activation;
  s << "UPDATE users SET status = :status, password_hash = :hash, password_set_at = :set_at, updated_at = "
       ":now "
       "WHERE id = :id",
      soci::use(status), soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind), soci::use(now),
      soci::use(survivor.id);
  if (kept != &survivor) end_sessions(tx, survivor.id);
  remember(tx, survivor, false);
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
    std::vector<std::tuple<std::string, std::string, bool>> merged;
    {
      // In one order, so that two instances starting at once take the rows'
      // locks in the same order.
      soci::rowset<soci::row> rows =
          (s.prepare << "SELECT user_id, tenant_id, retired FROM merged_accounts ORDER BY user_id");
      for (const auto& r : rows)
        merged.emplace_back(r.get<std::string>(0), r.get<std::string>(1), store::int64_column(r, 2) != 0);
    }
    for (const auto& [id, tenant_id, retired] : merged) {
      // Another instance starting at the same time may have announced it.
      soci::statement forget =
          (s.prepare << "DELETE FROM merged_accounts WHERE user_id = :id", soci::use(id));
      forget.execute(true);
      if (forget.get_affected_rows() == 0) continue;
      const auto user = find_user_by_id(s, id);
      if (!user) continue;
      if (retired)  // its tokens are refused everywhere; its entities belong to the kept account now
        publish_account<contracts::UserDisabled>(tx, outbox, *user, Membership{tenant_id, {}, {}, {}, {}},
                                                 {});
      else
        for (const auto& m : user->memberships)
          publish_account<contracts::UserAccountCreated>(tx, outbox, *user, m, {});
    }
  });
}

}  // namespace emis::identity
