// Accounts from the Teacher service's events: a created teacher gets a
// pending account, an updated one keeps it in sync, a deleted one disables
// it. Order-tolerant: a delete seen before its create leaves a tombstone.
#pragma once

#include <string>

#include "eventbus/handler_registry.hpp"
#include "identity/account_status.hpp"

namespace emis::identity {

void add_teacher_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects,
                          std::string phone_region);

}  // namespace emis::identity
