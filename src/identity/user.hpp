// A user account of the Identity service: one per person (one phone, one
// password) across every school, holding a membership per tenant, role and
// entity. Its lifecycle:
// PendingActivation -> Active (password set with an activation code) ->
// Disabled (its last membership was removed, or an administrator disabled
// it) -> back to Active or PendingActivation when an administrator enables it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

// What the account is to one school: a role there, and for the roles of
// entities other services own (a teacher, a parent), which entity.
struct Membership {
  std::string tenant_id;
  std::string role;
  std::optional<std::string> entity_type;  // "Teacher", "Parent"; none for a SchoolAdmin
  std::optional<std::string> entity_id;
  std::string created_at;

  bool operator==(const Membership&) const = default;
};

struct User {
  std::string id;
  std::string phone_number;  // E.164; one live account per phone system-wide
  std::optional<std::string> email;
  std::string full_name;
  std::string status;
  std::optional<std::string> password_hash;
  std::optional<std::string> password_set_at;
  std::string created_at;
  std::string updated_at;
  // The live memberships, oldest first. Removed ones (their entity was
  // deleted) are kept in the store only so that a tenant's administrators
  // still find the account they once had.
  std::vector<Membership> memberships;

  bool member_of(const std::string& tenant_id) const;
  // True when every live membership is in `tenant_id` (and there is one): the
  // account is that school's alone, and its administrators may act for it.
  bool only_in(const std::string& tenant_id) const;
  // The roles the account has in `tenant_id`, in membership order, each once.
  std::vector<std::string> roles_in(const std::string& tenant_id) const;
  // The tenant a login without a tenant signs in to: the oldest membership's;
  // empty when none is left.
  std::string home_tenant() const;
};

// Which memberships a view of the account shows.
enum class MembershipScope { all, tenant };

// The public view as seen from `tenant_id` (the token's or the
// administrator's tenant): `tenantId`, `roles` and the compatibility fields
// `role` (the first of them), `entityId` and `entityType` (the first
// entity's) are that tenant's; `memberships` lists every membership, or only
// that tenant's for an administrator. Never the password hash.
nlohmann::json to_json(const User& user, const std::string& tenant_id, MembershipScope scope);

}  // namespace emis::identity
