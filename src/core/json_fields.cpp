#include "core/json_fields.hpp"

namespace emis::core {
namespace {

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

StringField string_field(const nlohmann::json& object, const char* name, Whitespace whitespace) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) return {StringField::State::not_string, {}};
  auto value = it->get<std::string>();
  if (whitespace == Whitespace::trim) value = trimmed(value);
  return {value.empty() ? StringField::State::blank : StringField::State::present, std::move(value)};
}

std::optional<std::string> optional_text(const nlohmann::json& body, const char* name, FieldErrors& errors,
                                         Whitespace whitespace) {
  auto field = string_field(body, name, whitespace);
  if (field.state == StringField::State::not_string)
    errors.add(name, std::string("'") + name + "' must be a string.");
  if (field.state != StringField::State::present) return std::nullopt;
  return std::move(field.value);
}

std::optional<std::string> required_text(const nlohmann::json& body, const char* name, FieldErrors& errors,
                                         Whitespace whitespace) {
  const auto state = string_field(body, name, whitespace).state;
  if (state == StringField::State::absent || state == StringField::State::blank) {
    errors.add(name, std::string("'") + name + "' is required.");
    return std::nullopt;
  }
  return optional_text(body, name, errors, whitespace);
}

}  // namespace emis::core
