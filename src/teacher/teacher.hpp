// The teacher as the Teacher service keeps it, and the administrator's input
// for creating or fully updating one.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace emis::teacher {

// What an administrator may set. Validated and normalised by parse_teacher_input.
struct TeacherInput {
  std::string full_name;     // trimmed, 2-255 characters
  std::string phone_number;  // E.164
  std::optional<std::string> email;
  std::optional<std::string> gender;         // Male, Female, Other
  std::optional<std::string> date_of_birth;  // YYYY-MM-DD, at least 18 years ago
  std::optional<std::string> hire_date;      // YYYY-MM-DD
  std::optional<nlohmann::json> address;     // an object of strings
  std::string status = "Active";             // Active, Inactive
};

struct Teacher {
  std::string id;
  std::string tenant_id;
  TeacherInput fields;
  std::optional<std::string> user_id;
  std::string account_status = "None";               // None, PendingActivation, Active, Disabled, Failed
  std::optional<std::string> account_status_reason;  // why it Failed
  std::string created_at;
  std::string updated_at;
};

nlohmann::json to_json(const Teacher& teacher);

// Reads and validates a create or full-update body. Unknown fields are
// ignored; every invalid field is reported at once (DomainError validation).
TeacherInput parse_teacher_input(const nlohmann::json& body, const std::string& phone_region);

}  // namespace emis::teacher
