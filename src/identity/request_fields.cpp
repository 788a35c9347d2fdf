#include "identity/request_fields.hpp"

namespace emis::identity {

std::string required_field(const nlohmann::json& body, const char* name, core::FieldErrors& errors) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    errors.add(name, std::string("'") + name + "' is required.");
    return {};
  }
  if (!it->is_string()) {
    errors.add(name, std::string("'") + name + "' must be a string.");
    return {};
  }
  return it->get<std::string>();
}

}  // namespace emis::identity
