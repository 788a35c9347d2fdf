// Accounts from the Student service's parents: a created parent gets a
// pending account with role Parent, a deleted one (its last child gone)
// disables it. The same rules as teachers' (identity/entity_accounts.hpp).
#pragma once

#include <string>

#include "eventbus/handler_registry.hpp"
#include "identity/account_status.hpp"
#include "identity/code_delivery.hpp"

namespace emis::identity {

// With `first_code`, a new account's first activation code is sent to it.
void add_parent_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects,
                         std::string phone_region, const CodeDelivery* first_code = nullptr);

}  // namespace emis::identity
