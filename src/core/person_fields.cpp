#include "core/person_fields.hpp"

#include <regex>

#include "core/json_fields.hpp"
#include "core/phone.hpp"

namespace emis::core {

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

std::optional<std::chrono::year_month_day> parse_date(const std::string& text) {
  static const std::regex form(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch m;
  if (!std::regex_match(text, m, form)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{std::stoi(m[1])},
                                         std::chrono::month{static_cast<unsigned>(std::stoi(m[2]))},
                                         std::chrono::day{static_cast<unsigned>(std::stoi(m[3]))}};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool is_at_least_years_old(std::chrono::year_month_day born, int years) {
  const std::chrono::year_month_day today{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  const std::chrono::year_month_day birthday{
      born.year() + std::chrono::years{years}, born.month(),
      born.month() == std::chrono::February && born.day() == std::chrono::day{29} ? std::chrono::day{28}
                                                                                  : born.day()};
  return std::chrono::sys_days{birthday} <= std::chrono::sys_days{today};
}

std::optional<std::string> full_name_field(const nlohmann::json& body, FieldErrors& errors) {
  auto name = required_text(body, "fullName", errors);
  if (!name) return std::nullopt;
  if (const auto len = utf8_length(*name); len < 2 || len > 255) {
    errors.add("fullName", "'fullName' must be between 2 and 255 characters.");
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> phone_field(const nlohmann::json& body, const std::string& region,
                                       FieldErrors& errors) {
  const auto phone = required_text(body, "phoneNumber", errors);
  if (!phone) return std::nullopt;
  auto e164 = normalize_phone(*phone, region);
  if (!e164) errors.add("phoneNumber", "'phoneNumber' is not a valid phone number.");
  return e164;
}

std::optional<std::string> email_field(const nlohmann::json& body, FieldErrors& errors) {
  auto email = optional_text(body, "email", errors);
  static const std::regex email_form(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
  if (email && (email->size() > 254 || !std::regex_match(*email, email_form))) {
    errors.add("email", "'email' is not a valid email address.");
    return std::nullopt;
  }
  return email;
}

std::optional<std::string> gender_field(const nlohmann::json& body, FieldErrors& errors) {
  auto gender = optional_text(body, "gender", errors);
  if (gender && *gender != "Male" && *gender != "Female" && *gender != "Other") {
    errors.add("gender", "'gender' must be one of Male, Female, Other.");
    return std::nullopt;
  }
  return gender;
}

std::optional<std::string> date_field(const nlohmann::json& body, const char* name, FieldErrors& errors) {
  auto text = optional_text(body, name, errors);
  if (text && !parse_date(*text)) {
    errors.add(name, std::string("'") + name + "' must be a date in the form YYYY-MM-DD.");
    return std::nullopt;
  }
  return text;
}

}  // namespace emis::core
