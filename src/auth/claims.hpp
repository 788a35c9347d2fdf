// The claims of an EMIS access token and their JWT names (camelCase, as the
// original .NET services used them).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace emis::auth {

// An entity the token's account stands for in the token's tenant.
struct EntityClaim {
  std::string role;
  std::string entity_type;  // "Teacher", "Parent"
  std::string entity_id;

  bool operator==(const EntityClaim&) const = default;
};

struct Claims {
  std::string sub;  // user id
  std::string tenant_id;
  std::vector<std::string> roles;  // in the token's tenant; services authorize on these
  std::string phone;
  std::string name;
  std::vector<EntityClaim> entities;
  std::string iss;
  std::string aud;
  std::string jti;
  std::int64_t iat = 0;  // seconds since the Unix epoch
  std::int64_t exp = 0;

  bool operator==(const Claims&) const = default;
};

// JSON names: sub, tenantId, roles, phone, name, entities [{role,
// entityType, entityId}], iss, aud, iat, exp, jti; and for clients of the
// one-role tokens before them, role (the first of roles) and entityId (the
// first entity's, omitted without one).
void to_json(nlohmann::json& j, const Claims& c);

// Requires sub (non-empty), iss, aud (a single string: this service never
// issues an audience array), iat and exp (integers); the other members are
// optional; roles falls back to [role] for a token without it. Throws std::invalid_argument otherwise.
void from_json(const nlohmann::json& j, Claims& c);

}  // namespace emis::auth
