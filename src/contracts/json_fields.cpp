#include "contracts/json_fields.hpp"

#include "core/json_fields.hpp"
#include "eventbus/errors.hpp"

namespace emis::contracts {

using State = core::StringField::State;

std::string required_string(const nlohmann::json& j, const char* name) {
  auto field = core::string_field(j, name, core::Whitespace::keep);
  if (field.state != State::present)
    throw eventbus::PermanentError("malformed",
                                   std::string("field '") + name + "' must be a non-empty string");
  return std::move(field.value);
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* name) {
  auto field = core::string_field(j, name, core::Whitespace::keep);
  if (field.state == State::not_string)
    throw eventbus::PermanentError("malformed", std::string("field '") + name + "' must be a string");
  if (field.state == State::absent) return std::nullopt;
  return std::move(field.value);
}

}  // namespace emis::contracts
