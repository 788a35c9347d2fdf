// The claims of an EMIS access token and their JWT names (camelCase, as the
// original .NET services used them).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace emis::auth {

struct Claims {
  std::string sub;  // user id
  std::string tenant_id;
  std::string role;
  std::string phone;
  std::string name;
  std::string entity_id;    // the linked teacher etc.; empty for none
  std::string entity_type;  // "Teacher", "Parent"; empty for none
  std::string iss;
  std::string aud;
  std::string jti;
  std::int64_t iat = 0;  // seconds since the Unix epoch
  std::int64_t exp = 0;

  bool operator==(const Claims&) const = default;
};

// JSON names: sub, tenantId, role, phone, name, entityId (omitted when
// empty), iss, aud, iat, exp, jti; and roles [role] and entities
// [{role, entityType, entityId}] (empty without an entity), the contract's
// multi-role claims for the token's one membership.
void to_json(nlohmann::json& j, const Claims& c);

// Requires sub (non-empty), iss, aud (a single string: this service never
// issues an audience array), iat and exp (integers); the other
// members are optional strings. Throws std::invalid_argument otherwise.
void from_json(const nlohmann::json& j, Claims& c);

}  // namespace emis::auth
