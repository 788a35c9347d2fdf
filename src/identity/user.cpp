#include "identity/user.hpp"

namespace emis::identity {

nlohmann::json memberships_json(const User& u) {
  return nlohmann::json::array(
      {{{"tenantId", u.tenant_id},
        {"role", u.role},
        {"entityType", u.entity_type ? nlohmann::json(*u.entity_type) : nlohmann::json()},
        {"entityId", u.entity_id ? nlohmann::json(*u.entity_id) : nlohmann::json()}}});
}

nlohmann::json to_json(const User& u) {
  const auto or_null = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", u.id},
          {"tenantId", u.tenant_id},
          {"phoneNumber", u.phone_number},
          {"email", or_null(u.email)},
          {"fullName", u.full_name},
          {"role", u.role},
          {"roles", nlohmann::json::array({u.role})},
          {"memberships", memberships_json(u)},
          {"status", u.status},
          {"entityId", or_null(u.entity_id)},
          {"entityType", or_null(u.entity_type)},
          {"passwordSetAt", or_null(u.password_set_at)},
          {"createdAt", u.created_at},
          {"updatedAt", u.updated_at}};
}

}  // namespace emis::identity
