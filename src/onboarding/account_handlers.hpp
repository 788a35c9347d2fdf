// Follows Identity's account lifecycle events: each owned entity's userId and
// accountStatus (Failed with its reason when Identity declined to provision
// it), and which accounts' tokens this service refuses (disabled
// ones, until they are enabled again).
#pragma once

#include "access/revoked_users.hpp"
#include "eventbus/handler_registry.hpp"
#include "onboarding/account_state.hpp"

namespace emis::onboarding {

void add_account_handlers(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked,
                          AccountOwner owner);

}  // namespace emis::onboarding
