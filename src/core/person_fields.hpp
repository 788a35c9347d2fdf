// The fields that describe a person (a teacher, a guardian): read from a
// request body and checked the same way by every service, each problem
// reported under the field's name.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/errors.hpp"

namespace emis::core {

// Counts code points, so a Vietnamese name is measured as it reads.
std::size_t utf8_length(const std::string& text);

// A calendar date written YYYY-MM-DD, or nullopt.
std::optional<std::chrono::year_month_day> parse_date(const std::string& text);
// Whether someone born on `born` is at least `years` old today (a 29
// February birthday counts from 28 February).
bool is_at_least_years_old(std::chrono::year_month_day born, int years);

// Required `fullName`, trimmed, 2-255 characters.
std::optional<std::string> full_name_field(const nlohmann::json& body, FieldErrors& errors);
// Required `phoneNumber` in its E.164 form.
std::optional<std::string> phone_field(const nlohmann::json& body, const std::string& region,
                                       FieldErrors& errors);
// Optional `email`.
std::optional<std::string> email_field(const nlohmann::json& body, FieldErrors& errors);
// Optional `gender`: Male, Female, Other.
std::optional<std::string> gender_field(const nlohmann::json& body, FieldErrors& errors);
// Optional date `name` in the form YYYY-MM-DD.
std::optional<std::string> date_field(const nlohmann::json& body, const char* name, FieldErrors& errors);

}  // namespace emis::core
