#include "contracts/json_fields.hpp"

#include "eventbus/errors.hpp"

namespace emis::contracts {

std::string required_string(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw eventbus::PermanentError("malformed",
                                   std::string("field '") + name + "' must be a non-empty string");
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    throw eventbus::PermanentError("malformed", std::string("field '") + name + "' must be a string");
  return it->get<std::string>();
}

}  // namespace emis::contracts
