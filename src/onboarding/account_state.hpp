// The account of an owned entity as its service shows it: the columns
// user_id, account_status, account_status_reason, account_changed_at_ms and
// updated_at of the entity's table.
#pragma once

#include <cstdint>
#include <string>

#include "store/transaction.hpp"

namespace emis::onboarding {

// Whose accounts a service follows: the entityType Identity names them by
// and the table that holds them (a fixed name of the service's schema).
struct AccountOwner {
  std::string entity_type;  // "Teacher", "Parent"
  std::string table;        // "teachers", "parents"
};

// What Identity said of the entity's account.
struct AccountState {
  std::string user_id;  // empty when Identity made none (Failed): the shown one stays
  std::string status;   // PendingActivation, Active, Disabled, Failed
  std::string reason;   // why it Failed; empty otherwise
};

// Shows the account's state as of `changed_at_ms` (Unix ms of Identity's
// change) unless a later change is shown already, so identity events
// arriving out of order settle on the latest. Of two changes in the same
// millisecond the further status wins (None, Failed < PendingActivation <
// Active < Disabled), so a success replaces a failure. Nothing happens for an entity the table does not hold.
void apply_account_state(store::Transaction& tx, const AccountOwner& owner, const std::string& entity_id,
                         const AccountState& state, std::int64_t changed_at_ms);

}  // namespace emis::onboarding
