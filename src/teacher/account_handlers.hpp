// Keeps each teacher's userId and accountStatus in step with Identity's
// account lifecycle events.
#pragma once

#include "eventbus/handler_registry.hpp"

namespace emis::teacher {

void add_account_handlers(eventbus::HandlerRegistry& handlers);

}  // namespace emis::teacher
