// The student and the parent as the Student service keeps them, and the
// administrator's input for creating or fully updating a student with its
// guardians.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace emis::student {

// One guardian as an administrator names it on a student.
struct GuardianInput {
  std::string full_name;     // trimmed, 2-255 characters
  std::string phone_number;  // E.164; the parent's identity in the tenant
  std::optional<std::string> email;
  std::string relationship;  // Father, Mother, Grandparent, ... (free text, 1-50 characters)
};

// What an administrator may set. Validated and normalised by parse_student_input.
struct StudentInput {
  std::string full_name;
  std::optional<std::string> student_code;
  std::optional<std::string> date_of_birth;  // YYYY-MM-DD, not in the future
  std::optional<std::string> gender;         // Male, Female, Other
  std::optional<std::string> class_name;
  std::vector<GuardianInput> guardians;  // 1-4, distinct phones
};

// A guardian on a student: the input and the parent it resolved to.
struct Guardian {
  std::string parent_id;
  GuardianInput fields;
};

struct Student {
  std::string id;
  std::string tenant_id;
  StudentInput fields;  // its guardians are in `guardians`
  std::vector<Guardian> guardians;
  std::string created_at;
  std::string updated_at;
};

// One parent per phone per tenant, linked to every child it guards.
struct Parent {
  std::string id;
  std::string tenant_id;
  std::string phone_number;
  std::string full_name;
  std::optional<std::string> email;
  std::vector<std::string> student_ids;
  std::optional<std::string> user_id;
  std::string account_status = "None";  // None, PendingActivation, Active, Disabled, Failed
  std::optional<std::string> account_status_reason;
  std::string created_at;
  std::string updated_at;
};

nlohmann::json to_json(const Student& student);
nlohmann::json to_json(const Parent& parent);

// Reads and validates a create or full-update body. Unknown fields are
// ignored; every invalid field is reported at once (DomainError validation),
// a guardian's as guardians[i].field.
StudentInput parse_student_input(const nlohmann::json& body, const std::string& phone_region);

}  // namespace emis::student
