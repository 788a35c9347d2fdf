#include "contracts/teacher_events.hpp"

#include "contracts/json_fields.hpp"

namespace emis::contracts {

nlohmann::json TeacherCreated::to_json() const {
  return {{"teacherId", teacher_id},
          {"tenantId", tenant_id},
          {"phoneNumber", phone_number},
          {"fullName", full_name},
          {"email", email.empty() ? nlohmann::json(nullptr) : nlohmann::json(email)}};
}

TeacherCreated TeacherCreated::from_json(const nlohmann::json& j) {
  return {required_string(j, "teacherId"), required_string(j, "tenantId"), required_string(j, "phoneNumber"),
          required_string(j, "fullName"), optional_string(j, "email").value_or("")};
}

nlohmann::json TeacherUpdated::to_json() const {
  nlohmann::json j{{"teacherId", teacher_id}, {"tenantId", tenant_id}};
  if (phone_number) j["phoneNumber"] = *phone_number;
  if (full_name) j["fullName"] = *full_name;
  if (email) j["email"] = *email;
  return j;
}

TeacherUpdated TeacherUpdated::from_json(const nlohmann::json& j) {
  return {required_string(j, "teacherId"), required_string(j, "tenantId"), optional_string(j, "phoneNumber"),
          optional_string(j, "fullName"), optional_string(j, "email")};
}

nlohmann::json TeacherDeleted::to_json() const {
  return {{"teacherId", teacher_id}, {"tenantId", tenant_id}};
}

TeacherDeleted TeacherDeleted::from_json(const nlohmann::json& j) {
  return {required_string(j, "teacherId"), required_string(j, "tenantId")};
}

}  // namespace emis::contracts
