#include "store/soft_delete.hpp"

#include "core/clock.hpp"

namespace emis::store {

bool soft_delete(Transaction& tx, const std::string& table, const std::string& tenant_id,
                 const std::string& id) {
  const std::string now = core::now_iso8601();
  soci::statement st =
      (tx.session().prepare << "UPDATE " << table
                            << " SET deleted_at = :now, updated_at = :now2 "
                               "WHERE id = :id AND tenant_id = :tenant AND deleted_at IS NULL",
       soci::use(now), soci::use(now), soci::use(id), soci::use(tenant_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace emis::store
