// Follows Identity's account lifecycle events: each teacher's userId and
// accountStatus, and which accounts' tokens this service refuses (disabled
// ones, until they are enabled again).
#pragma once

#include "access/revoked_users.hpp"
#include "eventbus/handler_registry.hpp"
#include "onboarding/account_state.hpp"

namespace emis::teacher {

inline const onboarding::AccountOwner kAccountOwner{"Teacher", "teachers"};

void add_account_handlers(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked);

}  // namespace emis::teacher
