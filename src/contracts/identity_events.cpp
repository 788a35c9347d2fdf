#include "contracts/identity_events.hpp"

#include "contracts/json_fields.hpp"

namespace emis::contracts {

nlohmann::json UserAccountState::to_json() const {
  return {{"userId", user_id},
          {"tenantId", tenant_id},
          {"entityId", entity_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(entity_id)},
          {"entityType", entity_type.empty() ? nlohmann::json(nullptr) : nlohmann::json(entity_type)},
          {"status", status}};
}

UserAccountState UserAccountState::read(const nlohmann::json& j) {
  return {required_string(j, "userId"), required_string(j, "tenantId"),
          optional_string(j, "entityId").value_or(""), optional_string(j, "entityType").value_or(""),
          required_string(j, "status")};
}

nlohmann::json AccountProvisioningFailed::to_json() const {
  return {{"tenantId", tenant_id}, {"entityId", entity_id}, {"entityType", entity_type}, {"reason", reason}};
}

AccountProvisioningFailed AccountProvisioningFailed::from_json(const nlohmann::json& j) {
  return {required_string(j, "tenantId"), required_string(j, "entityId"), required_string(j, "entityType"),
          required_string(j, "reason")};
}

}  // namespace emis::contracts
