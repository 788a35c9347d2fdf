// The users and memberships tables and the tombstones of deleted entities:
// every SQL statement of the Identity service's accounts.
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

// The account row and its memberships. Throws a conflict DomainError when a
// live account has the phone.
void insert_user(store::Transaction& tx, const User& user);
// The person's fields and the status (not the memberships). Throws a
// conflict DomainError when the change would give a second live account the
// phone.
void update_user(store::Transaction& tx, const User& user);
// Swaps the password hash for an upgraded one of the same password, unless
// the password changed meanwhile (the hash is no longer `old_hash`).
void replace_password_hash(store::Transaction& tx, const std::string& user_id, const std::string& old_hash,
                           const std::string& new_hash);

void add_membership(store::Transaction& tx, const std::string& user_id, const Membership& membership);
// Gives the live membership of `entity_id` to another account.
void move_membership(store::Transaction& tx, const std::string& entity_id, const std::string& to_user_id);
// Forgets the live membership of `entity_id` (it is about to be stored again
// with a new account).
void delete_membership(store::Transaction& tx, const std::string& entity_id);
// Marks the live membership of `entity_id` removed; false when there was none.
bool remove_membership(store::Transaction& tx, const std::string& entity_id);

std::optional<User> find_user_by_id(soci::session& s, const std::string& id);
// Takes the account's row lock until the transaction ends and reads it again
// into `user`, so that decisions on its memberships (is this the last one?)
// see every commit before it, not what two instances each read at once. On
// PostgreSQL only: on SQLite the writer holds the whole database, and what
// this transaction read is current already.
void lock_user(store::Transaction& tx, User& user);
// An account that is or was a member of the tenant: what its administrators
// may see.
std::optional<User> find_user_in_tenant(soci::session& s, const std::string& tenant_id,
                                        const std::string& id);
std::optional<User> find_user_by_phone_in_tenant(soci::session& s, const std::string& tenant_id,
                                                 const std::string& phone);
// The account that holds `phone`: the live one, or one an administrator
// disabled that still has memberships. A disabled account without any
// (every entity of it deleted) has let the phone go.
std::optional<User> find_phone_holder(soci::session& s, const std::string& phone);
// The account with a live membership for the entity.
std::optional<User> find_user_by_entity(soci::session& s, const std::string& entity_id);
// Every account with this phone, live ones first (set-password and login
// try them in turn).
std::vector<User> find_users_by_phone(soci::session& s, const std::string& phone);
bool any_user(soci::session& s);

// A deleted entity whose create may still arrive late; the late create must
// not bring the account back.
void add_tombstone(store::Transaction& tx, const std::string& entity_id, const std::string& tenant_id);
bool has_tombstone(soci::session& s, const std::string& entity_id);
// Deletes up to `limit` tombstones older than `cutoff`; returns how many.
long long prune_tombstones(store::Transaction& tx, std::chrono::system_clock::time_point cutoff, int limit);

// What a create for `entity_id` has to know, read in one statement (it runs
// once per TeacherCreated): was the entity deleted, has it (had it) a
// membership, and are changes waiting for it.
struct EntityState {
  bool tombstoned = false;
  bool has_membership = false;
  bool pending_update = false;
};
EntityState entity_state(store::Transaction& tx, const std::string& entity_id);

// Changes to an entity that arrived before its create, merged field by field.
void save_pending_update(store::Transaction& tx, const std::string& entity_id, const nlohmann::json& changes);
std::optional<nlohmann::json> take_pending_update(store::Transaction& tx, const std::string& entity_id);

}  // namespace emis::identity
