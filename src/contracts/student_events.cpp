#include "contracts/student_events.hpp"

#include "contracts/json_fields.hpp"
#include "eventbus/errors.hpp"

namespace emis::contracts {
namespace {

// A required array of ids (strings).
std::vector<std::string> required_ids(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_array())
    throw eventbus::PermanentError("malformed", std::string("field '") + name + "' must be an array");
  std::vector<std::string> ids;
  for (const auto& id : *it) {
    if (!id.is_string() || id.get_ref<const std::string&>().empty())
      throw eventbus::PermanentError("malformed", std::string("field '") + name + "' must hold ids");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json StudentCreated::to_json() const {
  return {
      {"studentId", student_id}, {"tenantId", tenant_id}, {"fullName", full_name}, {"parentIds", parent_ids}};
}

StudentCreated StudentCreated::from_json(const nlohmann::json& j) {
  return {required_string(j, "studentId"), required_string(j, "tenantId"), required_string(j, "fullName"),
          required_ids(j, "parentIds")};
}

nlohmann::json StudentUpdated::to_json() const {
  nlohmann::json j{{"studentId", student_id}, {"tenantId", tenant_id}};
  if (full_name) j["fullName"] = *full_name;
  if (parent_ids) j["parentIds"] = *parent_ids;
  return j;
}

StudentUpdated StudentUpdated::from_json(const nlohmann::json& j) {
  StudentUpdated e{required_string(j, "studentId"), required_string(j, "tenantId"),
                   optional_string(j, "fullName"), std::nullopt};
  if (j.contains("parentIds")) e.parent_ids = required_ids(j, "parentIds");
  return e;
}

nlohmann::json ParentCreated::to_json() const {
  return {{"parentId", parent_id}, {"tenantId", tenant_id},        {"phoneNumber", phone_number},
          {"fullName", full_name}, {"email", text_or_null(email)}, {"studentIds", student_ids}};
}

ParentCreated ParentCreated::from_json(const nlohmann::json& j) {
  return {required_string(j, "parentId"),           required_string(j, "tenantId"),
          required_string(j, "phoneNumber"),        required_string(j, "fullName"),
          optional_string(j, "email").value_or(""), required_ids(j, "studentIds")};
}

}  // namespace emis::contracts
