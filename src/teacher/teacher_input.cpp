#include "core/errors.hpp"
#include "core/json_fields.hpp"
#include "core/person_fields.hpp"
#include "teacher/teacher.hpp"

namespace emis::teacher {

using core::optional_text;

TeacherInput parse_teacher_input(const nlohmann::json& body, const std::string& phone_region) {
  core::FieldErrors errors;
  TeacherInput in;

  if (auto name = core::full_name_field(body, errors)) in.full_name = std::move(*name);
  if (auto phone = core::phone_field(body, phone_region, errors)) in.phone_number = std::move(*phone);
  in.email = core::email_field(body, errors);
  in.gender = core::gender_field(body, errors);
  in.date_of_birth = core::date_field(body, "dateOfBirth", errors);
  if (in.date_of_birth && !core::is_at_least_years_old(*core::parse_date(*in.date_of_birth), 18))
    errors.add("dateOfBirth", "A teacher must be at least 18 years old.");
  in.hire_date = core::date_field(body, "hireDate", errors);

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
          {"accountStatusReason", or_null(t.account_status_reason)},
          {"createdAt", t.created_at},
          {"updatedAt", t.updated_at}};
}

}  // namespace emis::teacher
