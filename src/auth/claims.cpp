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
  j = nlohmann::json{{"sub", c.sub},   {"tenantId", c.tenant_id},
                     {"role", c.role}, {"phone", c.phone},
                     {"name", c.name}, {"iss", c.iss},
                     {"aud", c.aud},   {"iat", c.iat},
                     {"exp", c.exp},   {"jti", c.jti}};
  if (!c.entity_id.empty()) j["entityId"] = c.entity_id;
  // The contract's multi-role claims, for the token's one role: services
  // authorize on `roles`, a Parent reaches its children through `entities`.
  j["roles"] = nlohmann::json::array({c.role});
  j["entities"] = nlohmann::json::array();
  if (!c.entity_id.empty() && !c.entity_type.empty())
    j["entities"].push_back({{"role", c.role}, {"entityType", c.entity_type}, {"entityId", c.entity_id}});
}

void from_json(const nlohmann::json& j, Claims& c) {
  if (!j.is_object()) throw std::invalid_argument("claims are not a JSON object");
  read_string(j, "sub", c.sub, true);
  if (c.sub.empty()) throw std::invalid_argument("claim 'sub' is empty");
  read_string(j, "tenantId", c.tenant_id, false);
  read_string(j, "role", c.role, false);
  read_string(j, "phone", c.phone, false);
  read_string(j, "name", c.name, false);
  read_string(j, "entityId", c.entity_id, false);
  if (const auto it = j.find("entities");
      it != j.end() && it->is_array() && !it->empty() && (*it)[0].is_object())
    read_string((*it)[0], "entityType", c.entity_type, false);
  read_string(j, "iss", c.iss, true);
  read_string(j, "aud", c.aud, true);
  read_string(j, "jti", c.jti, false);
  read_time(j, "iat", c.iat);
  read_time(j, "exp", c.exp);
}

}  // namespace emis::auth
