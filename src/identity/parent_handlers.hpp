// Accounts from the Student service's parents: a created parent gets a
// pending account with role Parent, a deleted one (its last child gone)
// disables it. The same rules as teachers' (identity/entity_accounts.hpp).
#pragma once

#include <string>

#include "eventbus/handler_registry.hpp"
#include "identity/account_status.hpp"

namespace emis::identity {

void add_parent_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects,
                         std::string phone_region);

}  // namespace emis::identity
