// The console's read model of onboarding (CQRS): one row per teacher, built
// only from the events the console consumes (TeacherCreated/Updated/Deleted
// and Identity's account lifecycle, AccountProvisioningFailed included), never from another service's
// database. Events of one teacher arrive on different topics in any order, so every handler is
// order-tolerant: an account event before its TeacherCreated leaves a row the create fills in, and a status
// only moves to a later one.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eventbus/handler_registry.hpp"
#include "store/database.hpp"

namespace emis::console {

// The read model's tables, the recorded event stories (event_story.hpp) included.
std::vector<store::Migration> onboarding_migrations();
void add_onboarding_handlers(eventbus::HandlerRegistry& handlers);

struct OnboardingEntry {
  std::string teacher_id;
  std::string full_name;
  std::string phone_number;
  std::string status;  // None, PendingActivation, Active, Disabled, Failed
  std::string user_id;
  std::int64_t status_at_ms = 0;
  std::string status_reason;  // why Identity declined the account (Failed)
};

struct OnboardingOverview {
  std::map<std::string, long long> counts;  // by status, deleted teachers left out
  std::vector<OnboardingEntry> longest_pending;
};

class OnboardingView {
 public:
  explicit OnboardingView(store::Database& db) : db_(db) {}

  // The entries of these teachers in `tenant`; unknown ids are left out.
  std::vector<OnboardingEntry> statuses(const std::string& tenant, const std::vector<std::string>& ids) const;
  OnboardingOverview overview(const std::string& tenant, int longest = 5) const;
  // Which of these E.164 phones a teacher of `tenant` already has.
  std::set<std::string> existing_phones(const std::string& tenant,
                                        const std::vector<std::string>& phones) const;

 private:
  store::Database& db_;
};

}  // namespace emis::console
