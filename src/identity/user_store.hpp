// The users table and the tombstones of deleted entities: every SQL
// statement of the Identity service's accounts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "identity/user.hpp"
#include "store/database.hpp"

namespace emis::identity {

// The whole schema of the service's accounts, the access module's revoked
// users included.
std::vector<store::Migration> identity_migrations();

// Throws a conflict DomainError when the phone is taken in the tenant.
void insert_user(store::Transaction& tx, const User& user);
void update_user(store::Transaction& tx, const User& user);
// Swaps the password hash for an upgraded one of the same password, unless
// the password changed meanwhile (the hash is no longer `old_hash`).
void replace_password_hash(store::Transaction& tx, const std::string& user_id, const std::string& old_hash,
                           const std::string& new_hash);

std::optional<User> find_user(soci::session& s, const std::string& tenant_id, const std::string& id);
std::optional<User> find_user_by_id(soci::session& s, const std::string& id);
std::optional<User> find_user_by_phone(soci::session& s, const std::string& tenant_id,
                                       const std::string& phone);
std::optional<User> find_user_by_entity(soci::session& s, const std::string& entity_id);
// Every account with this phone, across tenants (login names no tenant).
std::vector<User> find_users_by_phone(soci::session& s, const std::string& phone);
bool any_user(soci::session& s);

// A deleted entity whose create may still arrive late; the late create must
// not bring the account back.
void add_tombstone(store::Transaction& tx, const std::string& entity_id, const std::string& tenant_id);
bool has_tombstone(soci::session& s, const std::string& entity_id);
// Deletes tombstones older than `cutoff`; returns how many.
long long prune_tombstones(store::Transaction& tx, std::chrono::system_clock::time_point cutoff);

// What a create for `entity_id` has to know, read in one statement (it runs
// once per TeacherCreated): was the entity deleted, has it an account, and
// are changes waiting for it.
struct EntityState {
  bool tombstoned = false;
  bool has_user = false;
  bool pending_update = false;
};
EntityState entity_state(soci::session& s, const std::string& entity_id);

// Changes to an entity that arrived before its create, merged field by field.
void save_pending_update(store::Transaction& tx, const std::string& entity_id, const nlohmann::json& changes);
std::optional<nlohmann::json> take_pending_update(store::Transaction& tx, const std::string& entity_id);

}  // namespace emis::identity
