// Integration events the Identity service publishes (domain "identity"):
// the lifecycle of a user account, keyed by user id.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "eventbus/envelope.hpp"
#include "eventbus/event_type.hpp"

namespace emis::contracts {

// The fields every account lifecycle event carries.
struct UserAccountState {
  std::string user_id;
  std::string tenant_id;
  std::string entity_id;    // the teacher's id; empty for accounts of no entity
  std::string entity_type;  // "Teacher"
  std::string status;       // PendingActivation, Active, Disabled

  std::string key() const { return user_id; }
  nlohmann::json to_json() const;
  static UserAccountState read(const nlohmann::json& j);
};

template <const char* ClassName>
struct UserAccountEvent : UserAccountState {
  static constexpr eventbus::EventType type{"identity", ClassName, 1};
  static UserAccountEvent from_json(const nlohmann::json& j) { return {UserAccountState::read(j)}; }
};

inline constexpr char kUserAccountCreated[] = "UserAccountCreatedIntegrationEvent";
inline constexpr char kUserActivated[] = "UserActivatedIntegrationEvent";
inline constexpr char kUserDisabled[] = "UserDisabledIntegrationEvent";

using UserAccountCreated = UserAccountEvent<kUserAccountCreated>;
using UserActivated = UserAccountEvent<kUserActivated>;
using UserDisabled = UserAccountEvent<kUserDisabled>;

// Identity declined an entity's event for a business reason (its phone is
// not valid, it belongs to another account...): the event was handled, and
// the owning service shows accountStatus Failed with the reason until a
// later success replaces it. Keyed by the entity.
struct AccountProvisioningFailed {
  static constexpr eventbus::EventType type{"identity", "AccountProvisioningFailedIntegrationEvent", 1};
  std::string tenant_id;
  std::string entity_id;
  std::string entity_type;  // "Teacher", "Parent"
  std::string reason;

  std::string key() const { return entity_id; }
  nlohmann::json to_json() const;
  static AccountProvisioningFailed from_json(const nlohmann::json& j);
};

// Followers of these events apply the latest change by when Identity made it
// (events of one teacher come on several topics, in any order); when two carry
// the same instant, the status further along in onboarding wins.
// When the change was made: the event's occurredOn, or now for an event
// without a readable one (then it counts as the latest).
std::int64_t account_changed_at_ms(const eventbus::IncomingEvent& in);
// None 0, PendingActivation 1, Active 2, Disabled 3 (Failed 0, so a success replaces it).
int account_status_rank(const std::string& status);
// True when a change to `status` made at `at_ms` replaces the shown `current`
// made at `current_at_ms`: a later change wins; of two in the same millisecond,
// the status further along.
bool account_change_supersedes(std::int64_t at_ms, const std::string& status, std::int64_t current_at_ms,
                               const std::string& current);

}  // namespace emis::contracts
