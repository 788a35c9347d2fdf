// The console's onboarding read model on a real database: built only from
// events, whatever order they arrive in, and read per tenant.
#include <gtest/gtest.h>

#include "console/event_story.hpp"
#include "console/onboarding_view.hpp"
#include "contracts/identity_events.hpp"
#include "contracts/teacher_events.hpp"
#include "eventbus/schema.hpp"
#include "support/event_delivery.hpp"
#include "support/test_env.hpp"

namespace emis::console {
namespace {

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";
constexpr const char* kOtherTenant = "00000000-0000-4000-8000-000000000002";
constexpr const char* kTeacher = "11111111-1111-4111-8111-111111111111";
constexpr const char* kUser = "22222222-2222-4222-8222-222222222222";

class ConsoleOnboardingView : public ::testing::Test {
 protected:
  ConsoleOnboardingView() : db_({dir_.file("console.db")}), handlers_(eventbus::TopicNaming{}), view_(db_) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(onboarding_migrations());
    add_onboarding_handlers(handlers_);
  }

  // Delivers one event as the consumer would, as if it happened `seconds_ago`.
  template <class Event>
  void deliver(const Event& e, int seconds_ago) {
    testing::deliver_event(db_, handlers_, e, std::chrono::seconds(seconds_ago));
  }

  template <class Event>
  void account(const std::string& status, int seconds_ago) {
    Event e;
    e.user_id = kUser;
    e.tenant_id = kTenant;
    e.entity_id = kTeacher;
    e.entity_type = "Teacher";
    e.status = status;
    deliver(e, seconds_ago);
  }

  void created(int seconds_ago) {
    deliver(contracts::TeacherCreated{kTeacher, kTenant, "+84912345678", "Le Thi Lan", ""}, seconds_ago);
  }

  std::string status() {
    const auto entries = view_.statuses(kTenant, {kTeacher});
    return entries.empty() ? "(none)" : entries.front().status;
  }

  testing::ScratchDir dir_;
  store::Database db_;
  eventbus::HandlerRegistry handlers_;
  OnboardingView view_;
};

TEST_F(ConsoleOnboardingView, FollowsATeacherFromCreationToActive) {
  created(30);
  EXPECT_EQ(status(), "None");
  account<contracts::UserAccountCreated>("PendingActivation", 20);
  EXPECT_EQ(status(), "PendingActivation");
  account<contracts::UserActivated>("Active", 10);
  EXPECT_EQ(status(), "Active");
  const auto entry = view_.statuses(kTenant, {kTeacher}).front();
  EXPECT_EQ(entry.full_name, "Le Thi Lan");
  EXPECT_EQ(entry.user_id, kUser);
}

TEST_F(ConsoleOnboardingView, AccountEventsBeforeTheCreateAreKept) {
  account<contracts::UserActivated>("Active", 10);
  account<contracts::UserAccountCreated>("PendingActivation", 20);  // older, arrives later
  created(30);
  EXPECT_EQ(status(), "Active");
  EXPECT_EQ(view_.statuses(kTenant, {kTeacher}).front().full_name, "Le Thi Lan");
}

TEST_F(ConsoleOnboardingView, ADeletedTeacherLeavesTheViewAndAnotherTenantSeesNothing) {
  created(30);
  account<contracts::UserAccountCreated>("PendingActivation", 20);
  EXPECT_TRUE(view_.statuses(kOtherTenant, {kTeacher}).empty());
  EXPECT_EQ(view_.overview(kOtherTenant).counts.at("PendingActivation"), 0);
  const auto overview = view_.overview(kTenant);
  EXPECT_EQ(overview.counts.at("PendingActivation"), 1);
  ASSERT_EQ(overview.longest_pending.size(), 1u);
  deliver(contracts::TeacherDeleted{kTeacher, kTenant}, 5);
  EXPECT_EQ(status(), "(none)");
  EXPECT_EQ(view_.overview(kTenant).counts.at("PendingActivation"), 0);
}

TEST_F(ConsoleOnboardingView, RecordsTheTeachersStoryFoundByTeacherIdOrEventKey) {
  created(30);
  account<contracts::UserAccountCreated>("PendingActivation", 20);
  account<contracts::UserActivated>("Active", 10);
  for (const std::string query : {kTeacher, kUser}) {
    const auto story = find_story(db_, query);
    EXPECT_EQ(story.teacher_id, kTeacher);
    ASSERT_EQ(story.events.size(), 3u);
    EXPECT_EQ(story.events[0].event_type, "TeacherCreatedIntegrationEvent");
    EXPECT_EQ(story.events[1].event_type, "UserAccountCreatedIntegrationEvent");
    EXPECT_EQ(story.events[2].event_type, "UserActivatedIntegrationEvent");
  }
  EXPECT_TRUE(find_story(db_, "00000000-0000-4000-8000-0000000000ff").events.empty());
}

TEST_F(ConsoleOnboardingView, ADeclinedAccountShowsFailedWithItsReasonUntilALaterSuccess) {
  created(30);
  deliver(contracts::AccountProvisioningFailed{kTenant, kTeacher, "Teacher", "phone held by another account"},
          20);
  auto entry = view_.statuses(kTenant, {kTeacher}).front();
  EXPECT_EQ(entry.status, "Failed");
  EXPECT_EQ(entry.status_reason, "phone held by another account");
  EXPECT_EQ(view_.overview(kTenant).counts.at("Failed"), 1);
  EXPECT_EQ(find_story(db_, kTeacher).events.back().event_type, "AccountProvisioningFailedIntegrationEvent");
  // A parent's failure is not the teacher's.
  deliver(contracts::AccountProvisioningFailed{kTenant, kTeacher, "Parent", "other"}, 15);
  EXPECT_EQ(view_.statuses(kTenant, {kTeacher}).front().status_reason, "phone held by another account");
  account<contracts::UserAccountCreated>("PendingActivation", 10);
  entry = view_.statuses(kTenant, {kTeacher}).front();
  EXPECT_EQ(entry.status, "PendingActivation");
  EXPECT_EQ(entry.status_reason, "");
  EXPECT_EQ(entry.user_id, kUser);
  EXPECT_EQ(view_.overview(kTenant).counts.at("Failed"), 0);
}

TEST_F(ConsoleOnboardingView, AnOlderFailureArrivingLateLeavesTheLaterStatus) {
  created(30);
  account<contracts::UserAccountCreated>("PendingActivation", 10);
  deliver(contracts::AccountProvisioningFailed{kTenant, kTeacher, "Teacher", "late"}, 20);
  EXPECT_EQ(status(), "PendingActivation");
}

}  // namespace
}  // namespace emis::console
