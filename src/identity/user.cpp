#include "identity/user.hpp"

namespace emis::identity {

nlohmann::json to_json(const User& u) {
  const auto or_null = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", u.id},
          {"tenantId", u.tenant_id},
          {"phoneNumber", u.phone_number},
          {"email", or_null(u.email)},
          {"fullName", u.full_name},
          {"role", u.role},
          {"status", u.status},
          {"entityId", or_null(u.entity_id)},
          {"entityType", or_null(u.entity_type)},
          {"passwordSetAt", or_null(u.password_set_at)},
          {"createdAt", u.created_at},
          {"updatedAt", u.updated_at}};
}

}  // namespace emis::identity
