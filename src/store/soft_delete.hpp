// Deleting a tenant's row by marking it: the row keeps its history (and
// frees what partial unique indexes "WHERE deleted_at IS NULL" hold).
#pragma once

#include <string>

#include "store/transaction.hpp"

namespace emis::store {

// Sets deleted_at and updated_at of the live row `id` of `tenant_id` in
// `table` (a fixed name of the caller's schema); false when there is none.
bool soft_delete(Transaction& tx, const std::string& table, const std::string& tenant_id,
                 const std::string& id);

}  // namespace emis::store
