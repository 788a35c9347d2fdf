#include "identity/user_store.hpp"

#include "access/revoked_users.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "identity/sms_queue.hpp"
#include "store/row.hpp"

namespace emis::identity {
namespace {

constexpr const char* kColumns =
    "SELECT id, tenant_id, phone_number, email, full_name, role, status, entity_id, entity_type, "
    "password_hash, "
    "password_set_at, created_at, updated_at FROM users ";

User from_row(const soci::row& r) {
  User u;
  u.id = r.get<std::string>(0);
  u.tenant_id = r.get<std::string>(1);
  u.phone_number = r.get<std::string>(2);
  u.email = store::optional_text(r, 3);
  u.full_name = r.get<std::string>(4);
  u.role = r.get<std::string>(5);
  u.status = r.get<std::string>(6);
  u.entity_id = store::optional_text(r, 7);
  u.entity_type = store::optional_text(r, 8);
  u.password_hash = store::optional_text(r, 9);
  u.password_set_at = store::optional_text(r, 10);
  u.created_at = r.get<std::string>(11);
  u.updated_at = r.get<std::string>(12);
  return u;
}

template <class... Params>
std::vector<User> select_users(soci::session& s, const std::string& where, const Params&... params) {
  // A binary fold over soci's comma operator binds each parameter in turn.
  soci::rowset<soci::row> rows = ((s.prepare << kColumns + where), ..., soci::use(params));
  std::vector<User> users;
  for (const auto& r : rows) users.push_back(from_row(r));
  return users;
}

template <class... Params>
std::optional<User> select_user(soci::session& s, const std::string& where, const Params&... params) {
  auto users = select_users(s, where + " LIMIT 1", params...);
  if (users.empty()) return std::nullopt;
  return std::move(users.front());
}

}  // namespace

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
        "ALTER TABLE activation_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'Activation'"}}};
  auto with_access = access::revocation_migrations();
  migrations.insert(migrations.end(), with_access.begin(), with_access.end());
  auto with_sms = sms_queue_migrations();
  migrations.insert(migrations.end(), with_sms.begin(), with_sms.end());
  return migrations;
}

void insert_user(store::Transaction& tx, const User& u) {
  store::Nullable email(u.email), entity(u.entity_id), entity_type(u.entity_type), hash(u.password_hash),
      set_at(u.password_set_at);
  // DO NOTHING rather than a unique violation: a handler refuses the event and
  // goes on in the same transaction, which PostgreSQL would have aborted.
  soci::statement st =
      (tx.session().prepare
           << "INSERT INTO users (id, tenant_id, phone_number, email, full_name, role, status, entity_id, "
              "entity_type, password_hash, password_set_at, created_at, updated_at) VALUES (:id, :tenant, "
              ":phone, :email, :name, :role, :status, :entity, :etype, :hash, :set_at, :created, :updated) "
              "ON CONFLICT DO NOTHING",
       soci::use(u.id), soci::use(u.tenant_id), soci::use(u.phone_number), soci::use(email.value, email.ind),
       soci::use(u.full_name), soci::use(u.role), soci::use(u.status), soci::use(entity.value, entity.ind),
       soci::use(entity_type.value, entity_type.ind), soci::use(hash.value, hash.ind),
       soci::use(set_at.value, set_at.ind), soci::use(u.created_at), soci::use(u.updated_at));
  st.execute(true);
  if (st.get_affected_rows() == 0)
    throw core::DomainError(core::ErrorKind::conflict, "Duplicate phone number",
                            "A user with this phone number already exists in the tenant.",
                            {{"phoneNumber", "A user with this phone number already exists."}});
}

void update_user(store::Transaction& tx, const User& u) {
  store::Nullable email(u.email), hash(u.password_hash), set_at(u.password_set_at);
  // Checked first, for the same reason as in insert_user; the unique index
  // still catches a concurrent writer (and then the whole transaction fails).
  int taken = 0;
  if (u.status != status::disabled)
    tx.session() << "SELECT COUNT(*) FROM users WHERE tenant_id = :tenant AND phone_number = :phone "
                    "AND id <> :id AND status <> 'Disabled'",
        soci::use(u.tenant_id), soci::use(u.phone_number), soci::use(u.id), soci::into(taken);
  if (taken > 0)
    throw core::DomainError(core::ErrorKind::conflict, "Duplicate phone number",
                            "Another user in the tenant has this phone number.");
  try {
    tx.session()
        << "UPDATE users SET phone_number = :phone, email = :email, full_name = :name, status = :status, "
           "password_hash = :hash, password_set_at = :set_at, updated_at = :updated WHERE id = :id",
        soci::use(u.phone_number), soci::use(email.value, email.ind), soci::use(u.full_name),
        soci::use(u.status), soci::use(hash.value, hash.ind), soci::use(set_at.value, set_at.ind),
        soci::use(u.updated_at), soci::use(u.id);
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e))
      throw core::DomainError(core::ErrorKind::conflict, "Duplicate phone number",
                              "Another user in the tenant has this phone number.");
    throw;
  }
}

void replace_password_hash(store::Transaction& tx, const std::string& user_id, const std::string& old_hash,
                           const std::string& new_hash) {
  tx.session() << "UPDATE users SET password_hash = :new WHERE id = :id AND password_hash = :old",
      soci::use(new_hash), soci::use(user_id), soci::use(old_hash);
}

std::optional<User> find_user(soci::session& s, const std::string& tenant_id, const std::string& id) {
  return select_user(s, "WHERE id = :id AND tenant_id = :tenant", id, tenant_id);
}

std::optional<User> find_user_by_id(soci::session& s, const std::string& id) {
  return select_user(s, "WHERE id = :id", id);
}

std::optional<User> find_user_by_phone(soci::session& s, const std::string& tenant_id,
                                       const std::string& phone) {
  return select_user(s,
                     "WHERE tenant_id = :tenant AND phone_number = :phone "
                     "ORDER BY status = 'Disabled', created_at DESC",
                     tenant_id, phone);
}

std::optional<User> find_user_by_entity(soci::session& s, const std::string& entity_id) {
  return select_user(s, "WHERE entity_id = :entity", entity_id);
}

std::vector<User> find_users_by_phone(soci::session& s, const std::string& phone) {
  return select_users(s, "WHERE phone_number = :phone ORDER BY status = 'Disabled', created_at", phone);
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

long long prune_tombstones(store::Transaction& tx, std::chrono::system_clock::time_point cutoff) {
  // deleted_at is ISO-8601 UTC of one fixed format, so text order is time order.
  const std::string before = core::to_iso8601(cutoff);
  soci::statement remove =
      (tx.session().prepare << "DELETE FROM entity_tombstones WHERE deleted_at < :t", soci::use(before));
  remove.execute(true);
  return remove.get_affected_rows();
}

bool has_tombstone(soci::session& s, const std::string& entity_id) {
  int n = 0;
  s << "SELECT COUNT(*) FROM entity_tombstones WHERE entity_id = :e", soci::use(entity_id), soci::into(n);
  return n > 0;
}

EntityState entity_state(soci::session& s, const std::string& entity_id) {
  int tombstoned = 0, has_user = 0, pending = 0;
  s << "SELECT EXISTS (SELECT 1 FROM entity_tombstones WHERE entity_id = :e1), "
       "EXISTS (SELECT 1 FROM users WHERE entity_id = :e2), "
       "EXISTS (SELECT 1 FROM pending_entity_updates WHERE entity_id = :e3)",
      soci::use(entity_id), soci::use(entity_id), soci::use(entity_id), soci::into(tombstoned),
      soci::into(has_user), soci::into(pending);
  return {tombstoned != 0, has_user != 0, pending != 0};
}

}  // namespace emis::identity
