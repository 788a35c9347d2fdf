// Integration events the Teacher service publishes (domain "teacher"). Field
// names match the original .NET services' JSON (camelCase).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "eventbus/event_type.hpp"

namespace emis::contracts {

struct TeacherCreated {
  static constexpr eventbus::EventType type{"teacher", "TeacherCreatedIntegrationEvent", 1};
  std::string teacher_id;
  std::string tenant_id;
  std::string phone_number;  // E.164
  std::string full_name;
  std::string email;  // empty when none

  std::string key() const { return teacher_id; }
  nlohmann::json to_json() const;
  static TeacherCreated from_json(const nlohmann::json& j);
};

// Carries the fields that changed; absent ones did not.
struct TeacherUpdated {
  static constexpr eventbus::EventType type{"teacher", "TeacherUpdatedIntegrationEvent", 1};
  std::string teacher_id;
  std::string tenant_id;
  std::optional<std::string> phone_number;
  std::optional<std::string> full_name;
  std::optional<std::string> email;

  std::string key() const { return teacher_id; }
  nlohmann::json to_json() const;
  static TeacherUpdated from_json(const nlohmann::json& j);
};

struct TeacherDeleted {
  static constexpr eventbus::EventType type{"teacher", "TeacherDeletedIntegrationEvent", 1};
  std::string teacher_id;
  std::string tenant_id;

  std::string key() const { return teacher_id; }
  nlohmann::json to_json() const;
  static TeacherDeleted from_json(const nlohmann::json& j);
};

}  // namespace emis::contracts
