// Reading the string members of a JSON object, one way for request bodies
// and events alike: what is there (absent, not a string, blank, text), and
// for requests the words every API reports a bad field with.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/errors.hpp"

namespace emis::core {

// Whether surrounding whitespace counts: names are trimmed, passwords and
// codes are taken as typed.
enum class Whitespace { keep, trim };

struct StringField {
  enum class State { absent, not_string, blank, present };
  State state = State::absent;
  std::string value;  // the text (trimmed if asked) when blank or present
};

// Absent covers a missing member and null; blank is "" (or, trimmed, only
// whitespace).
StringField string_field(const nlohmann::json& object, const char* name, Whitespace whitespace);

// The text of an optional request field: nullopt when absent or blank;
// "'name' must be a string." in `errors` for another type.
std::optional<std::string> optional_text(const nlohmann::json& body, const char* name, FieldErrors& errors,
                                         Whitespace whitespace = Whitespace::trim);

// As optional_text, and "'name' is required." when absent or blank.
std::optional<std::string> required_text(const nlohmann::json& body, const char* name, FieldErrors& errors,
                                         Whitespace whitespace = Whitespace::trim);

}  // namespace emis::core
