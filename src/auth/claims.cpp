#include "auth/claims.hpp"

#include <stdexcept>

namespace emis::auth {
namespace {

void read_string(const nlohmann::json& j, const char* name, std::string& out, bool required) {
  const auto it = j.find(name);
  if (it == j.end()) {
    if (required) throw std::invalid_argument(std::string("claim '") + name + "' is missing");
    out.clear();
    return;
  }
  if (!it->is_string()) throw std::invalid_argument(std::string("claim '") + name + "' is not a string");
  out = it->get<std::string>();
}

void read_time(const nlohmann::json& j, const char* name, std::int64_t& out) {
  const auto it = j.find(name);
  if (it == j.end()) throw std::invalid_argument(std::string("claim '") + name + "' is missing");
  // Integers only: a float or a huge unsigned value would need rounding or
  // wrap around, and this service never issues either.
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX)) {
    throw std::invalid_argument(std::string("claim '") + name + "' is not an integer");
  }
  out = it->get<std::int64_t>();
}

}  // namespace

void to_json(nlohmann::json& j, const Claims& c) {
  j = nlohmann::json{{"sub", c.sub},     {"tenantId", c.tenant_id},
                     {"roles", c.roles}, {"phone", c.phone},
                     {"name", c.name},   {"iss", c.iss},
                     {"aud", c.aud},     {"iat", c.iat},
                     {"exp", c.exp},     {"jti", c.jti}};
  j["role"] = c.roles.empty() ? "" : c.roles.front();
  j["entities"] = nlohmann::json::array();
  for (const auto& e : c.entities)
    j["entities"].push_back({{"role", e.role}, {"entityType", e.entity_type}, {"entityId", e.entity_id}});
  if (!c.entities.empty()) j["entityId"] = c.entities.front().entity_id;
}

void from_json(const nlohmann::json& j, Claims& c) {
  if (!j.is_object()) throw std::invalid_argument("claims are not a JSON object");
  read_string(j, "sub", c.sub, true);
  if (c.sub.empty()) throw std::invalid_argument("claim 'sub' is empty");
  read_string(j, "tenantId", c.tenant_id, false);
  read_string(j, "phone", c.phone, false);
  read_string(j, "name", c.name, false);
  std::string role;  // checked even beside `roles`: nothing this service issues is malformed
  read_string(j, "role", role, false);
  c.roles.clear();
  if (const auto it = j.find("roles"); it != j.end()) {
    if (!it->is_array()) throw std::invalid_argument("claim 'roles' is not an array");
    for (const auto& role : *it) {
      if (!role.is_string()) throw std::invalid_argument("claim 'roles' holds a non-string");
      c.roles.push_back(role.get<std::string>());
    }
  } else if (!role.empty()) {
    c.roles.push_back(role);
  }
  c.entities.clear();
  if (const auto it = j.find("entities"); it != j.end()) {
    if (!it->is_array()) throw std::invalid_argument("claim 'entities' is not an array");
    for (const auto& e : *it) {
      if (!e.is_object()) throw std::invalid_argument("claim 'entities' holds a non-object");
      EntityClaim entity;
      read_string(e, "role", entity.role, false);
      read_string(e, "entityType", entity.entity_type, false);
      read_string(e, "entityId", entity.entity_id, true);
      c.entities.push_back(std::move(entity));
    }
  }
  read_string(j, "iss", c.iss, true);
  read_string(j, "aud", c.aud, true);
  read_string(j, "jti", c.jti, false);
  read_time(j, "iat", c.iat);
  read_time(j, "exp", c.exp);
}

}  // namespace emis::auth
