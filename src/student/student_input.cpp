#include <set>

#include "core/errors.hpp"
#include "core/json_fields.hpp"
#include "core/person_fields.hpp"
#include "student/student.hpp"

namespace emis::student {
namespace {

constexpr std::size_t kMaxGuardians = 4;

std::optional<std::string> short_text(const nlohmann::json& body, const char* name, std::size_t max,
                                      core::FieldErrors& errors) {
  auto text = core::optional_text(body, name, errors);
  if (text && core::utf8_length(*text) > max) {
    errors.add(name, std::string("'") + name + "' must be at most " + std::to_string(max) + " characters.");
    return std::nullopt;
  }
  return text;
}

GuardianInput parse_guardian(const nlohmann::json& body, const std::string& region,
                             core::FieldErrors& errors) {
  GuardianInput in;
  if (auto name = core::full_name_field(body, errors)) in.full_name = std::move(*name);
  if (auto phone = core::phone_field(body, region, errors)) in.phone_number = std::move(*phone);
  in.email = core::email_field(body, errors);
  if (auto relationship = core::required_text(body, "relationship", errors)) {
    if (core::utf8_length(*relationship) > 50)
      errors.add("relationship", "'relationship' must be at most 50 characters.");
    else
      in.relationship = std::move(*relationship);
  }
  return in;
}

std::vector<GuardianInput> parse_guardians(const nlohmann::json& body, const std::string& region,
                                           core::FieldErrors& errors) {
  std::vector<GuardianInput> guardians;
  const auto it = body.find("guardians");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > kMaxGuardians) {
    errors.add("guardians", "'guardians' must be an array of 1 to 4 guardians.");
    return guardians;
  }
  std::set<std::string> phones;
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_object()) {
      errors.add("guardians[" + std::to_string(i) + "]", "A guardian must be an object.");
      continue;
    }
    core::FieldErrors own;
    auto guardian = parse_guardian((*it)[i], region, own);
    const auto prefix = "guardians[" + std::to_string(i) + "].";
    if (!guardian.phone_number.empty() && !phones.insert(guardian.phone_number).second)
      own.add("phoneNumber", "Two guardians of one student cannot share a phone number.");
    errors.add_all(own, prefix);
    guardians.push_back(std::move(guardian));
  }
  return guardians;
}

}  // namespace

StudentInput parse_student_input(const nlohmann::json& body, const std::string& phone_region) {
  core::FieldErrors errors;
  StudentInput in;
  if (auto name = core::full_name_field(body, errors)) in.full_name = std::move(*name);
  in.student_code = short_text(body, "studentCode", 50, errors);
  in.date_of_birth = core::date_field(body, "dateOfBirth", errors);
  if (in.date_of_birth && !core::is_at_least_years_old(*core::parse_date(*in.date_of_birth), 0))
    errors.add("dateOfBirth", "'dateOfBirth' cannot be in the future.");
  in.gender = core::gender_field(body, errors);
  in.class_name = short_text(body, "className", 50, errors);
  in.guardians = parse_guardians(body, phone_region, errors);
  errors.throw_if_any();
  return in;
}

namespace {
nlohmann::json or_null(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}
}  // namespace

nlohmann::json to_json(const Student& s) {
  nlohmann::json guardians = nlohmann::json::array();
  for (const auto& g : s.guardians)
    guardians.push_back({{"parentId", g.parent_id},
                         {"fullName", g.fields.full_name},
                         {"phoneNumber", g.fields.phone_number},
                         {"email", or_null(g.fields.email)},
                         {"relationship", g.fields.relationship}});
  return {{"id", s.id},
          {"tenantId", s.tenant_id},
          {"fullName", s.fields.full_name},
          {"studentCode", or_null(s.fields.student_code)},
          {"dateOfBirth", or_null(s.fields.date_of_birth)},
          {"gender", or_null(s.fields.gender)},
          {"className", or_null(s.fields.class_name)},
          {"guardians", guardians},
          {"createdAt", s.created_at},
          {"updatedAt", s.updated_at}};
}

nlohmann::json to_json(const Parent& p) {
  return {{"id", p.id},
          {"tenantId", p.tenant_id},
          {"fullName", p.full_name},
          {"phoneNumber", p.phone_number},
          {"email", or_null(p.email)},
          {"studentIds", p.student_ids},
          {"userId", or_null(p.user_id)},
          {"accountStatus", p.account_status},
          {"accountStatusReason", or_null(p.account_status_reason)},
          {"createdAt", p.created_at},
          {"updatedAt", p.updated_at}};
}

}  // namespace emis::student
