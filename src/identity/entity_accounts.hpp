// The account of an entity another service owns (a teacher, a parent): made
// PendingActivation when the entity is created, disabled when it is deleted.
// Order-tolerant: a delete seen before its create leaves a tombstone, and
// the late create makes no account. A create Identity declines for a
// business reason (a phone that is not valid or belongs to another live
// account in the tenant) is handled, not dead-lettered: it publishes
// AccountProvisioningFailed so the owning service can show why.
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

// The new account, or nullopt when none was made (the entity has one
// already, was deleted, or the create was declined and announced).
std::optional<User> provision_account(store::Transaction& tx, eventbus::Outbox& outbox,
                                      const EntityAccount& entity, const std::string& region,
                                      const std::string& traceparent);

// Tombstones the entity and disables its account, if it has one.
void retire_entity_account(store::Transaction& tx, const AccountEffects& effects,
                           const std::string& entity_id, const std::string& tenant_id,
                           const std::string& traceparent);

// Throws a conflict PermanentError when another live account of the tenant
// holds `phone`.
void reject_phone_taken(soci::session& s, const std::string& tenant_id, const std::string& phone,
                        const std::string& entity_id);

}  // namespace emis::identity
