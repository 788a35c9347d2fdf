// Accounts from the Teacher service's events: a created teacher gets a
// pending account, an updated one keeps it in sync, a deleted one disables
// it. Order-tolerant: a delete seen before its create leaves a tombstone.
#pragma once

#include <string>

#include "eventbus/handler_registry.hpp"
#include "identity/account_status.hpp"
#include "identity/code_delivery.hpp"

namespace emis::identity {

// With `first_code`, a new account's first activation code is sent to it.
void add_teacher_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects,
                          std::string phone_region, const CodeDelivery* first_code = nullptr);

}  // namespace emis::identity
