// Integration events the Student service publishes (domain "student"): a
// student keyed by studentId, a parent (one per phone per tenant) keyed by
// parentId. ParentCreated is the seed's ParentCreatedIntegrationEvent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "contracts/json_fields.hpp"
#include "eventbus/event_type.hpp"

namespace emis::contracts {

struct StudentCreated {
  static constexpr eventbus::EventType type{"student", "StudentCreatedIntegrationEvent", 1};
  std::string student_id;
  std::string tenant_id;
  std::string full_name;
  std::vector<std::string> parent_ids;

  std::string key() const { return student_id; }
  nlohmann::json to_json() const;
  static StudentCreated from_json(const nlohmann::json& j);
};

// Carries the fields that changed; absent ones did not.
struct StudentUpdated {
  static constexpr eventbus::EventType type{"student", "StudentUpdatedIntegrationEvent", 1};
  std::string student_id;
  std::string tenant_id;
  std::optional<std::string> full_name;
  std::optional<std::vector<std::string>> parent_ids;

  std::string key() const { return student_id; }
  nlohmann::json to_json() const;
  static StudentUpdated from_json(const nlohmann::json& j);
};

struct ParentCreated {
  static constexpr eventbus::EventType type{"student", "ParentCreatedIntegrationEvent", 1};
  std::string parent_id;
  std::string tenant_id;
  std::string phone_number;  // E.164
  std::string full_name;
  std::string email;  // empty when none
  std::vector<std::string> student_ids;

  std::string key() const { return parent_id; }
  nlohmann::json to_json() const;
  static ParentCreated from_json(const nlohmann::json& j);
};

// The removal of an entity, by its id (`IdField`) and tenant.
template <const char* ClassName, const char* IdField>
struct StudentDomainRemoval {
  static constexpr eventbus::EventType type{"student", ClassName, 1};
  std::string id;
  std::string tenant_id;

  std::string key() const { return id; }
  nlohmann::json to_json() const { return {{IdField, id}, {"tenantId", tenant_id}}; }
  static StudentDomainRemoval from_json(const nlohmann::json& j) {
    return {required_string(j, IdField), required_string(j, "tenantId")};
  }
};

inline constexpr char kStudentDeleted[] = "StudentDeletedIntegrationEvent";
inline constexpr char kParentDeleted[] = "ParentDeletedIntegrationEvent";
inline constexpr char kStudentIdField[] = "studentId";
inline constexpr char kParentIdField[] = "parentId";

using StudentDeleted = StudentDomainRemoval<kStudentDeleted, kStudentIdField>;
// A parent's last child was removed: the parent is gone from the tenant.
using ParentDeleted = StudentDomainRemoval<kParentDeleted, kParentIdField>;

}  // namespace emis::contracts
