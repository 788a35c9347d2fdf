#include "identity/user_store.hpp"

#include "access/revoked_users.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "identity/account_merge.hpp"
#include "identity/sms_queue.hpp"
#include "store/row.hpp"
#include "store/statement_cache.hpp"

namespace emis::identity {
namespace {

constexpr const char* kColumns =
    "SELECT id, phone_number, email, full_name, status, password_hash, password_set_at, created_at, "
    "updated_at FROM users ";

User from_row(const soci::row& r) {
  User u;
  u.id = r.get<std::string>(0);
  u.phone_number = r.get<std::string>(1);
  u.email = store::optional_text(r, 2);
  u.full_name = r.get<std::string>(3);
  u.status = r.get<std::string>(4);
  u.password_hash = store::optional_text(r, 5);
  u.password_set_at = store::optional_text(r, 6);
  u.created_at = r.get<std::string>(7);
  u.updated_at = r.get<std::string>(8);
  return u;
}

std::vector<Membership> live_memberships(soci::session& s, const std::string& user_id) {
  std::vector<Membership> memberships;
  store::for_each_row(
      s,
      "SELECT tenant_id, role, entity_type, entity_id, created_at FROM memberships "
      "WHERE user_id = :u AND removed_at IS NULL ORDER BY seq",
      [&](const soci::row& r) {
        memberships.push_back({r.get<std::string>(0), r.get<std::string>(1), store::optional_text(r, 2),
                               store::optional_text(r, 3), r.get<std::string>(4)});
      },
      user_id);
  return memberships;
}

template <class... Params>
std::vector<User> select_users(soci::session& s, const std::string& where, const Params&... params) {
  std::vector<User> users;
  store::for_each_row(
      s, kColumns + where, [&](const soci::row& r) { users.push_back(from_row(r)); }, params...);
  for (auto& u : users) u.memberships = live_memberships(s, u.id);
  return users;
}

template <class... Params>
std::optional<User> select_user(soci::session& s, const std::string& where, const Params&... params) {
  auto users = select_users(s, where + " LIMIT 1", params...);
  if (users.empty()) return std::nullopt;
  return std::move(users.front());
}

[[noreturn]] void phone_taken() {
  throw core::DomainError(core::ErrorKind::conflict, "Duplicate phone number",
                          "Another account has this phone number.",
                          {{"phoneNumber", "Another account has this phone number."}});
}

// Live first, then the newest: the account a phone stands for today. The id
// breaks a tie within a millisecond (one process makes ids in increasing order).
constexpr const char* kLiveFirst = " ORDER BY status = 'Disabled', created_at DESC, id DESC";

}  // namespace

// A membership's columns as migration 8121 made them; 8125 rebuilds the
// table with a sequence in front. A migration that has run on a stored
// database never changes, so neither does this: a new column comes in a
// migration of its own.
constexpr const char* kMembershipColumns =
    "user_id TEXT NOT NULL REFERENCES users (id), tenant_id TEXT NOT NULL, role TEXT NOT NULL, "
    "entity_type TEXT, entity_id TEXT UNIQUE, created_at TEXT NOT NULL, removed_at TEXT";

std::vector<store::Migration> identity_migrations() {
  std::vector<store::Migration> migrations{
      {1,
       "users and tombstones",
       {"CREATE TABLE users ("
        " id TEXT PRIMARY KEY,"
        " tenant_id TEXT NOT NULL,"
        " phone_number TEXT NOT NULL,"
        " email TEXT,"
        " full_name TEXT NOT NULL,"
        " role TEXT NOT NULL,"
        " status TEXT NOT NULL,"
        " entity_id TEXT UNIQUE,"
        " entity_type TEXT,"
        " password_hash TEXT,"
        " password_set_at TEXT,"
        " created_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)",
        // A disabled account keeps its phone but no longer holds it: a new
        // teacher with that phone gets an account of its own.
        "CREATE UNIQUE INDEX users_tenant_phone ON users (tenant_id, phone_number) WHERE status <> "
        "'Disabled'",
        "CREATE INDEX users_phone ON users (phone_number)",
        "CREATE TABLE entity_tombstones ("
        " entity_id TEXT PRIMARY KEY,"
        " tenant_id TEXT NOT NULL,"
        " deleted_at TEXT NOT NULL)"}},
      {2,
       "refresh tokens",
       {// Only a hash of each token is kept; a family is one login's chain of rotations.
        "CREATE TABLE refresh_tokens ("
        " token_hash TEXT PRIMARY KEY,"
        " user_id TEXT NOT NULL REFERENCES users (id),"
        " family_id TEXT NOT NULL,"
        " created_at TEXT NOT NULL,"
        " expires_at_s INTEGER NOT NULL,"
        " rotated_at TEXT,"
        " revoked_at TEXT)",
        "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)",
        "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)"}},
      {3,
       "activation codes",
       {// One live code per user: issuing a new one replaces the old.
        "CREATE TABLE activation_codes ("
        " user_id TEXT PRIMARY KEY REFERENCES users (id),"
        " code_hash TEXT NOT NULL,"
        " expires_at_s INTEGER NOT NULL,"
        " failed_attempts INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL)"}},
      {4,
       "pending entity updates",
       {// Changes to an entity whose create has not arrived yet (they travel
        // on another topic); applied when the account is created.
        "CREATE TABLE pending_entity_updates ("
        " entity_id TEXT PRIMARY KEY,"
        " changes TEXT NOT NULL)"}},
      {8101,
       "revoked users from disabled accounts",
       {// Accounts disabled before the access module's table (8001)
        // existed; numbered after it so that it runs after it.
        "INSERT INTO revoked_users (user_id, revoked, changed_at_ms) "
        "SELECT id, 1, 0 FROM users WHERE status = 'Disabled' ON CONFLICT DO NOTHING"}},
      {8102,
       "keyed activation code hashes",
       {// Codes are now stored under a server secret (CodeKey); the earlier
        // unkeyed hashes can never match again. Codes live 72 hours at
        // most, so an administrator simply issues new ones.
        "DELETE FROM activation_codes"}},
      {8111,
       "code purposes",
       {// Activation and password-reset codes share the table (one live code
        // per account); the purpose keeps them from standing in for each other.
        "ALTER TABLE activation_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'Activation'"}},
      {8121,
       "memberships",
       {// An account's roles move from the users row (one tenant, role and
        // entity, columns now kept only as the first membership's) to a
        // membership each. A membership whose entity was deleted is kept,
        // marked removed, so that the tenant's administrators still find
        // the account. A disabled account of an entity counts as deleted:
        // tombstones are pruned after days, and a live membership would
        // hold the phone for good; an administrator's disabling of a
        // teacher or parent account is undone by deleting and adding it
        // again. Disabled administrators keep theirs.
        std::string("CREATE TABLE memberships (") + kMembershipColumns + ")",
        "CREATE INDEX memberships_user ON memberships (user_id)",
        "INSERT INTO memberships (user_id, tenant_id, role, entity_type, entity_id, created_at, removed_at) "
        "SELECT u.id, u.tenant_id, u.role, u.entity_type, u.entity_id, u.created_at, "
        "CASE WHEN u.status = 'Disabled' AND u.entity_id IS NOT NULL THEN u.updated_at END FROM users u",
        // One account per phone across tenants from now on (8123).
        "DROP INDEX users_tenant_phone"}},
      {8122,
       "one account per person",
       {// The accounts of a merge that the other services have not been told
        // of yet: the one kept (retired = 0) and those disabled, with a
        // tenant their UserDisabled can name.
        "CREATE TABLE merged_accounts (user_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,"
        " retired INTEGER NOT NULL)"},
       merge_duplicate_accounts},
      {8123,
       "one live account per phone",
       {"CREATE UNIQUE INDEX users_live_phone ON users (phone_number) WHERE status <> 'Disabled'"}},
      {8124,
       "refresh tokens keep their tenant",
       {// A token refreshes into the tenant its login chose; NULL (tokens
        // from before) is the account's home tenant.
        "ALTER TABLE refresh_tokens ADD COLUMN tenant_id TEXT"}},
      {8125,
       "memberships in the order they were granted",
       {// created_at has milliseconds: two memberships granted in the same
        // one would fall back to tenant and role order. A sequence keeps the
        // order they were granted in (the oldest is the home tenant's). The
        // table is rebuilt because SQLite cannot add a key column.
        std::string("CREATE TABLE memberships_ordered (seq INTEGER PRIMARY KEY, ") + kMembershipColumns + ")",
        "INSERT INTO memberships_ordered (user_id, tenant_id, role, entity_type, entity_id, created_at, "
        "removed_at) SELECT user_id, tenant_id, role, entity_type, entity_id, created_at, removed_at "
        "FROM memberships ORDER BY created_at, tenant_id, role",
        "DROP TABLE memberships", "ALTER TABLE memberships_ordered RENAME TO memberships",
        "CREATE INDEX memberships_user ON memberships (user_id)"}}};
  auto with_access = access::revocation_migrations();
  migrations.insert(migrations.end(), with_access.begin(), with_access.end());
  auto with_sms = sms_queue_migrations();
  migrations.insert(migrations.end(), with_sms.begin(), with_sms.end());
  return migrations;
}

void insert_user(store::Transaction& tx, const User& u) {
  store::Nullable email(u.email), hash(u.password_hash), set_at(u.password_set_at);
  // The legacy tenant and role columns hold the first membership's.
  const auto first = u.memberships.empty() ? Membership{} : u.memberships.front();
  // DO NOTHING rather than a unique violation: a handler refuses the event and
  // goes on in the same transaction, which PostgreSQL would have aborted.
  const auto inserted = tx.run(
      "INSERT INTO users (id, tenant_id, phone_number, email, full_name, role, status, "
      "password_hash, "
      "password_set_at, created_at, updated_at) VALUES (:id, :tenant, :phone, :email, :name, :role, "
      ":status, :hash, :set_at, :created, :updated) ON CONFLICT DO NOTHING",
      soci::use(u.id), soci::use(first.tenant_id), soci::use(u.phone_number),
      soci::use(email.value, email.ind), soci::use(u.full_name), soci::use(first.role), soci::use(u.status),
      soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind), soci::use(u.created_at),
      soci::use(u.updated_at));
  if (inserted == 0) phone_taken();
  for (const auto& m : u.memberships) add_membership(tx, u.id, m);
}

void update_user(store::Transaction& tx, const User& u) {
  store::Nullable email(u.email), hash(u.password_hash), set_at(u.password_set_at);
  // Checked first, for the same reason as in insert_user; the unique index
  // still catches a concurrent writer (and then the whole transaction fails).
  int taken = 0;
  if (u.status != status::disabled)
    tx.run("SELECT COUNT(*) FROM users WHERE phone_number = :phone AND id <> :id AND status <> 'Disabled'",
           soci::use(u.phone_number), soci::use(u.id), soci::into(taken));
  if (taken > 0) phone_taken();
  try {
    tx.run(
        "UPDATE users SET phone_number = :phone, email = :email, full_name = :name, status = :status, "
        "password_hash = :hash, password_set_at = :set_at, updated_at = :updated WHERE id = :id",
        soci::use(u.phone_number), soci::use(email.value, email.ind), soci::use(u.full_name),
        soci::use(u.status), soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind),
        soci::use(u.updated_at), soci::use(u.id));
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e)) phone_taken();
    throw;
  }
}

void replace_password_hash(store::Transaction& tx, const std::string& user_id, const std::string& old_hash,
                           const std::string& new_hash) {
  tx.run("UPDATE users SET password_hash = :new WHERE id = :id AND password_hash = :old", soci::use(new_hash),
         soci::use(user_id), soci::use(old_hash));
}

void add_membership(store::Transaction& tx, const std::string& user_id, const Membership& m) {
  store::Nullable entity_type(m.entity_type), entity(m.entity_id);
  tx.run(
      "INSERT INTO memberships (user_id, tenant_id, role, entity_type, entity_id, created_at) "
      "VALUES (:u, :t, :r, :et, :e, :c)",
      soci::use(user_id), soci::use(m.tenant_id), soci::use(m.role),
      soci::use(entity_type.value, entity_type.ind), soci::use(entity.value, entity.ind),
      soci::use(m.created_at));
}

void move_membership(store::Transaction& tx, const std::string& entity_id, const std::string& to_user_id) {
  tx.run("UPDATE memberships SET user_id = :u WHERE entity_id = :e AND removed_at IS NULL",
         soci::use(to_user_id), soci::use(entity_id));
}

void delete_membership(store::Transaction& tx, const std::string& entity_id) {
  tx.run("DELETE FROM memberships WHERE entity_id = :e AND removed_at IS NULL", soci::use(entity_id));
}

bool remove_membership(store::Transaction& tx, const std::string& entity_id) {
  const auto now = core::now_iso8601();
  return tx.run("UPDATE memberships SET removed_at = :now WHERE entity_id = :e AND removed_at IS NULL",
                soci::use(now), soci::use(entity_id)) > 0;
}

std::optional<User> find_user_by_id(soci::session& s, const std::string& id) {
  return select_user(s, "WHERE id = :id", id);
}

void lock_user(store::Transaction& tx, User& user) {
  if (tx.dialect() != store::Dialect::postgresql) return;
  std::string locked;
  tx.session() << "SELECT id FROM users WHERE id = :id FOR UPDATE", soci::use(user.id), soci::into(locked);
  if (auto current = find_user_by_id(tx.session(), user.id)) user = std::move(*current);
}

std::optional<User> find_user_in_tenant(soci::session& s, const std::string& tenant_id,
                                        const std::string& id) {
  return select_user(s,
                     "WHERE id = :id AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id "
                     "AND m.tenant_id = :tenant)",
                     id, tenant_id);
}

std::optional<User> find_user_by_phone_in_tenant(soci::session& s, const std::string& tenant_id,
                                                 const std::string& phone) {
  return select_user(s,
                     std::string("WHERE phone_number = :phone AND EXISTS (SELECT 1 FROM memberships m "
                                 "WHERE m.user_id = users.id AND m.tenant_id = :tenant)") +
                         kLiveFirst,
                     phone, tenant_id);
}

std::optional<User> find_phone_holder(soci::session& s, const std::string& phone) {
  return select_user(s,
                     std::string("WHERE phone_number = :phone AND (status <> 'Disabled' OR EXISTS (SELECT 1 "
                                 "FROM memberships m WHERE m.user_id = users.id AND m.removed_at IS NULL))") +
                         kLiveFirst,
                     phone);
}

std::optional<User> find_user_by_entity(soci::session& s, const std::string& entity_id) {
  return select_user(s,
                     "WHERE id = (SELECT m.user_id FROM memberships m WHERE m.entity_id = :entity "
                     "AND m.removed_at IS NULL)",
                     entity_id);
}

std::vector<User> find_users_by_phone(soci::session& s, const std::string& phone) {
  return select_users(s, std::string("WHERE phone_number = :phone") + kLiveFirst, phone);
}

bool any_user(soci::session& s) {
  int n = 0;
  s << "SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS any_user", soci::into(n);
  return n > 0;
}

void add_tombstone(store::Transaction& tx, const std::string& entity_id, const std::string& tenant_id) {
  const auto now = core::now_iso8601();
  tx.session() << "INSERT INTO entity_tombstones (entity_id, tenant_id, deleted_at) VALUES (:e, :t, :at) "
                  "ON CONFLICT DO NOTHING",
      soci::use(entity_id), soci::use(tenant_id), soci::use(now);
}

void save_pending_update(store::Transaction& tx, const std::string& entity_id,
                         const nlohmann::json& changes) {
  std::string stored;
  soci::indicator ind = soci::i_null;
  tx.session() << "SELECT changes FROM pending_entity_updates WHERE entity_id = :e", soci::use(entity_id),
      soci::into(stored, ind);
  auto merged = ind == soci::i_ok ? nlohmann::json::parse(stored) : nlohmann::json::object();
  merged.update(changes);  // later changes win, field by field
  const auto text = merged.dump();
  tx.session() << "INSERT INTO pending_entity_updates (entity_id, changes) VALUES (:e, :c) "
                  "ON CONFLICT (entity_id) DO UPDATE SET changes = excluded.changes",
      soci::use(entity_id), soci::use(text);
}

std::optional<nlohmann::json> take_pending_update(store::Transaction& tx, const std::string& entity_id) {
  std::string stored;
  soci::indicator ind = soci::i_null;
  tx.session() << "SELECT changes FROM pending_entity_updates WHERE entity_id = :e", soci::use(entity_id),
      soci::into(stored, ind);
  if (ind != soci::i_ok) return std::nullopt;
  tx.session() << "DELETE FROM pending_entity_updates WHERE entity_id = :e", soci::use(entity_id);
  return nlohmann::json::parse(stored);
}

long long prune_tombstones(store::Transaction& tx, std::chrono::system_clock::time_point cutoff, int limit) {
  // deleted_at is ISO-8601 UTC of one fixed format, so text order is time order.
  const std::string before = core::to_iso8601(cutoff);
  return tx.run(
      "DELETE FROM entity_tombstones WHERE entity_id IN (SELECT entity_id FROM entity_tombstones "
      "WHERE deleted_at < :t LIMIT :n)",
      soci::use(before), soci::use(limit));
}

bool has_tombstone(soci::session& s, const std::string& entity_id) {
  int n = 0;
  s << "SELECT COUNT(*) FROM entity_tombstones WHERE entity_id = :e", soci::use(entity_id), soci::into(n);
  return n > 0;
}

EntityState entity_state(store::Transaction& tx, const std::string& entity_id) {
  int tombstoned = 0, has_membership = 0, pending = 0;
  tx.run(
      "SELECT EXISTS (SELECT 1 FROM entity_tombstones WHERE entity_id = :e1), "
      "EXISTS (SELECT 1 FROM memberships WHERE entity_id = :e2), "
      "EXISTS (SELECT 1 FROM pending_entity_updates WHERE entity_id = :e3)",
      soci::use(entity_id), soci::use(entity_id), soci::use(entity_id), soci::into(tombstoned),
      soci::into(has_membership), soci::into(pending));
  return {tombstoned != 0, has_membership != 0, pending != 0};
}

}  // namespace emis::identity
