// The event bus's own tables, migrated into each service's database:
// outbox (events committed with the state change, waiting for the relay) and
// inbox (ids of events already handled, so a redelivery changes nothing).
// Their migration versions start at 9000 to stay clear of the services' own.
#pragma once

#include <vector>

#include "store/database.hpp"

namespace emis::eventbus {

std::vector<store::Migration> schema_migrations();

}  // namespace emis::eventbus
