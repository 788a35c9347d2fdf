// A user account of the Identity service and its lifecycle:
// PendingActivation -> Active (password set with an activation code) ->
// Disabled (its teacher was deleted, or an administrator disabled it) ->
// back to Active or PendingActivation when an administrator enables it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace emis::identity {

namespace status {
inline constexpr const char* pending_activation = "PendingActivation";
inline constexpr const char* active = "Active";
inline constexpr const char* disabled = "Disabled";
}  // namespace status

namespace role {
inline constexpr const char* school_admin = "SchoolAdmin";
inline constexpr const char* teacher = "Teacher";
inline constexpr const char* parent = "Parent";
inline constexpr const char* operator_role = "Operator";  // platform role: the console's event flow
}  // namespace role

struct User {
  std::string id;
  std::string tenant_id;
  std::string phone_number;  // E.164
  std::optional<std::string> email;
  std::string full_name;
  std::string role;
  std::string status;
  std::optional<std::string> entity_id;
  std::optional<std::string> entity_type;
  std::optional<std::string> password_hash;
  std::optional<std::string> password_set_at;
  std::string created_at;
  std::string updated_at;
};

// The account's memberships [{tenantId, role, entityType, entityId}]. An
// account holds one today (its tenant, role and entity); the contract's
// shape already allows several.
nlohmann::json memberships_json(const User& user);

// The public view: never the password hash. `role` and the one-element
// `roles` and `memberships` describe the same membership.
nlohmann::json to_json(const User& user);

}  // namespace emis::identity
