#include "contracts/identity_events.hpp"

#include "contracts/json_fields.hpp"
#include "core/clock.hpp"

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

std::int64_t account_changed_at_ms(const eventbus::IncomingEvent& in) {
  const auto at = core::parse_iso8601(in.occurred_on);
  return core::unix_millis(at.value_or(std::chrono::system_clock::now()));
}

int account_status_rank(const std::string& status) {
  if (status == "PendingActivation") return 1;
  if (status == "Active") return 2;
  if (status == "Disabled") return 3;
  return 0;
}

bool account_change_supersedes(std::int64_t at_ms, const std::string& status, std::int64_t current_at_ms,
                               const std::string& current) {
  if (at_ms != current_at_ms) return at_ms > current_at_ms;
  return account_status_rank(status) > account_status_rank(current);
}

}  // namespace emis::contracts
