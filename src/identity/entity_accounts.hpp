// The accounts of entities other services own (a teacher, a parent). A
// person has one account, found by phone across every school; each entity
// is a membership of it. An entity's create adds its membership (making the
// account when the phone has none), its deletion removes it, and the
// account is disabled when none is left. Order-tolerant: a delete seen
// before its create leaves a tombstone, and the late create adds nothing.
// A create Identity declines for a business reason is handled, not
// dead-lettered: it publishes AccountProvisioningFailed so the owning
// service can show why. The reasons: the phone is not valid, or its account
// was disabled by an administrator (a second account would let the person
// around the lock).
#pragma once

#include <optional>
#include <string>

#include "eventbus/outbox.hpp"
#include "identity/account_status.hpp"
#include "identity/user.hpp"

namespace emis::identity {

struct EntityAccount {
  std::string entity_id;
  std::string entity_type;  // "Teacher", "Parent"
  std::string role;         // the account's role for it
  std::string tenant_id;
  std::string phone_number;  // as the owner sent it
  std::string full_name;
  std::string email;  // empty when none
};

// The account that now holds the entity's membership, if `made` it is a new
// one (its first code is due).
struct Provisioned {
  User account;
  bool made = false;
};

// Adds the entity's membership to the account of its phone, or to a new
// PendingActivation account; nullopt when nothing was added (the entity has
// a membership already, was deleted, or the create was declined and
// announced).
std::optional<Provisioned> provision_account(store::Transaction& tx, eventbus::Outbox& outbox,
                                             const EntityAccount& entity, const std::string& region,
                                             const std::string& traceparent);

// The entity's phone changed to `phone` (E.164). An account whose only
// membership this is simply changes its phone (the person took a new
// number); otherwise the membership moves to the account of the new phone,
// made if needed, and an account left without memberships is disabled.
// Returns the account made for it, if one was.
std::optional<User> change_entity_phone(store::Transaction& tx, const AccountEffects& effects, User& account,
                                        const std::string& entity_id, const std::string& phone,
                                        const std::string& traceparent);

// Tombstones the entity and removes its membership; disables the account
// when it was the last.
void retire_entity_account(store::Transaction& tx, const AccountEffects& effects,
                           const std::string& entity_id, const std::string& tenant_id,
                           const std::string& traceparent);

}  // namespace emis::identity
