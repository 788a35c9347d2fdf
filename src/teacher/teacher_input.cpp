#include <chrono>
#include <regex>

#include "core/errors.hpp"
#include "core/json_fields.hpp"
#include "core/phone.hpp"
#include "teacher/teacher.hpp"

namespace emis::teacher {
namespace {

// Counts code points, so a Vietnamese name is measured as it reads.
std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
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

std::chrono::year_month_day today() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

using core::optional_text;
using core::required_text;

std::optional<std::string> optional_date(const nlohmann::json& body, const char* name,
                                         core::FieldErrors& errors) {
  auto text = optional_text(body, name, errors);
  if (text && !parse_date(*text)) {
    errors.add(name, std::string("'") + name + "' must be a date in the form YYYY-MM-DD.");
    return std::nullopt;
  }
  return text;
}

}  // namespace

TeacherInput parse_teacher_input(const nlohmann::json& body, const std::string& phone_region) {
  core::FieldErrors errors;
  TeacherInput in;

  if (const auto name = required_text(body, "fullName", errors)) {
    if (const auto len = utf8_length(*name); len < 2 || len > 255)
      errors.add("fullName", "'fullName' must be between 2 and 255 characters.");
    else
      in.full_name = *name;
  }

  if (const auto phone = required_text(body, "phoneNumber", errors)) {
    if (auto e164 = core::normalize_phone(*phone, phone_region))
      in.phone_number = *e164;
    else
      errors.add("phoneNumber", "'phoneNumber' is not a valid phone number.");
  }

  in.email = optional_text(body, "email", errors);
  static const std::regex email_form(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
  if (in.email && (in.email->size() > 254 || !std::regex_match(*in.email, email_form)))
    errors.add("email", "'email' is not a valid email address.");

  in.gender = optional_text(body, "gender", errors);
  if (in.gender && *in.gender != "Male" && *in.gender != "Female" && *in.gender != "Other")
    errors.add("gender", "'gender' must be one of Male, Female, Other.");

  in.date_of_birth = optional_date(body, "dateOfBirth", errors);
  if (in.date_of_birth) {
    const auto born = *parse_date(*in.date_of_birth);
    const auto now = today();
    const std::chrono::year_month_day adult{
        born.year() + std::chrono::years{18}, born.month(),
        born.month() == std::chrono::February && born.day() == std::chrono::day{29} ? std::chrono::day{28}
                                                                                    : born.day()};
    if (std::chrono::sys_days{adult} > std::chrono::sys_days{now})
      errors.add("dateOfBirth", "A teacher must be at least 18 years old.");
  }
  in.hire_date = optional_date(body, "hireDate", errors);

  if (const auto it = body.find("address"); it != body.end() && !it->is_null()) {
    bool ok = it->is_object() && it->size() <= 16;
    if (ok)
      for (const auto& [key, value] : it->items())
        ok = ok && (value.is_string() || value.is_null()) && key.size() <= 64;
    if (ok)
      in.address = *it;
    else
      errors.add("address", "'address' must be an object of at most 16 string fields.");
  }

  if (auto status = optional_text(body, "status", errors)) {
    if (*status != "Active" && *status != "Inactive")
      errors.add("status", "'status' must be Active or Inactive.");
    else
      in.status = *status;
  }

  errors.throw_if_any();
  return in;
}

nlohmann::json to_json(const Teacher& t) {
  const auto or_null = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", t.id},
          {"tenantId", t.tenant_id},
          {"fullName", t.fields.full_name},
          {"phoneNumber", t.fields.phone_number},
          {"email", or_null(t.fields.email)},
          {"gender", or_null(t.fields.gender)},
          {"dateOfBirth", or_null(t.fields.date_of_birth)},
          {"hireDate", or_null(t.fields.hire_date)},
          {"address", or_null(t.fields.address)},
          {"status", t.fields.status},
          {"userId", or_null(t.user_id)},
          {"accountStatus", t.account_status},
          {"createdAt", t.created_at},
          {"updatedAt", t.updated_at}};
}

}  // namespace emis::teacher
