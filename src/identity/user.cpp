#include "identity/user.hpp"

#include <algorithm>

namespace emis::identity {
namespace {

nlohmann::json or_null(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json to_json(const Membership& m) {
  return {{"tenantId", m.tenant_id},
          {"role", m.role},
          {"entityType", or_null(m.entity_type)},
          {"entityId", or_null(m.entity_id)}};
}

}  // namespace

bool User::member_of(const std::string& tenant_id) const {
  return std::any_of(memberships.begin(), memberships.end(),
                     [&](const Membership& m) { return m.tenant_id == tenant_id; });
}

bool User::only_in(const std::string& tenant_id) const {
  return !memberships.empty() && std::all_of(memberships.begin(), memberships.end(),
                                             [&](const Membership& m) { return m.tenant_id == tenant_id; });
}

std::vector<std::string> User::roles_in(const std::string& tenant_id) const {
  std::vector<std::string> roles;
  for (const auto& m : memberships)
    if (m.tenant_id == tenant_id && std::find(roles.begin(), roles.end(), m.role) == roles.end())
      roles.push_back(m.role);
  return roles;
}

std::string User::home_tenant() const {
  return memberships.empty() ? std::string() : memberships.front().tenant_id;
}

nlohmann::json to_json(const User& u, const std::string& tenant_id, MembershipScope scope) {
  const auto roles = u.roles_in(tenant_id);
  const auto entity = std::find_if(u.memberships.begin(), u.memberships.end(), [&](const Membership& m) {
    return m.tenant_id == tenant_id && m.entity_id;
  });
  auto memberships = nlohmann::json::array();
  for (const auto& m : u.memberships)
    if (scope == MembershipScope::all || m.tenant_id == tenant_id) memberships.push_back(to_json(m));
  const bool has_entity = entity != u.memberships.end();
  return {{"id", u.id},
          {"tenantId", tenant_id},
          {"phoneNumber", u.phone_number},
          {"email", or_null(u.email)},
          {"fullName", u.full_name},
          {"role", roles.empty() ? nlohmann::json() : nlohmann::json(roles.front())},
          {"roles", roles},
          {"memberships", std::move(memberships)},
          {"status", u.status},
          {"entityId", has_entity ? or_null(entity->entity_id) : nlohmann::json()},
          {"entityType", has_entity ? or_null(entity->entity_type) : nlohmann::json()},
          {"passwordSetAt", or_null(u.password_set_at)},
          {"createdAt", u.created_at},
          {"updatedAt", u.updated_at}};
}

}  // namespace emis::identity
