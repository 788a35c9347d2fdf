// The Teacher service following Identity's account events on a real SQLite
// file: the status it shows settles on the latest change whatever order the
// events come in (an account can come back from Disabled), and the tokens
// of a disabled account are refused until it is enabled again.
#include <gtest/gtest.h>

#include "contracts/identity_events.hpp"
#include "core/clock.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/schema.hpp"
#include "support/event_delivery.hpp"
#include "support/test_env.hpp"
#include "teacher/account_handlers.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";
constexpr const char* kTeacher = "11111111-1111-4111-8111-111111111111";
constexpr const char* kUser = "22222222-2222-4222-8222-222222222222";

class TeacherAccountHandlers : public ::testing::Test {
 protected:
  TeacherAccountHandlers() : db_({dir_.file("teacher.db")}), handlers_(eventbus::TopicNaming{}) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(teacher_migrations());
    db_.migrate(access::revocation_migrations());
    add_account_handlers(handlers_, revoked_);
    Teacher t;
    t.id = kTeacher;
    t.tenant_id = kTenant;
    t.fields.full_name = "Le Thi Lan";
    t.fields.phone_number = "+84912345678";
    t.created_at = t.updated_at = core::now_iso8601();
    db_.write([&](store::Transaction& tx) { insert_teacher(tx, t); });
  }

  // Delivers one event as the consumer would, as if Identity made the
  // change `seconds_ago` seconds ago.
  template <class Event>
  void deliver(const std::string& status, int seconds_ago, const std::string& entity_id = kTeacher) {
    Event e;
    e.user_id = kUser;
    e.tenant_id = kTenant;
    e.entity_id = entity_id;
    e.entity_type = entity_id.empty() ? "" : "Teacher";
    e.status = status;
    testing::deliver_event(db_, handlers_, e, std::chrono::seconds(seconds_ago));
  }

  std::string account_status() {
    return db_.read([](soci::session& s) { return find_teacher(s, kTenant, kTeacher)->account_status; });
  }

  testing::ScratchDir dir_;
  store::Database db_;
  access::RevokedUsers revoked_;
  eventbus::HandlerRegistry handlers_;
};

TEST_F(TeacherAccountHandlers, DisableThenEnableBringsTheAccountAndItsTokensBack) {
  deliver<contracts::UserActivated>("Active", 30);
  deliver<contracts::UserDisabled>("Disabled", 20);
  EXPECT_EQ(account_status(), "Disabled");
  EXPECT_TRUE(revoked_.contains(kUser));
  deliver<contracts::UserActivated>("Active", 10);
  EXPECT_EQ(account_status(), "Active");
  EXPECT_FALSE(revoked_.contains(kUser));
}

TEST_F(TeacherAccountHandlers, AnOlderEventArrivingLaterChangesNothing) {
  deliver<contracts::UserActivated>("Active", 10);   // the enable ...
  deliver<contracts::UserDisabled>("Disabled", 20);  // ... overtook the disable
  deliver<contracts::UserAccountCreated>("PendingActivation", 30);
  EXPECT_EQ(account_status(), "Active");
  EXPECT_FALSE(revoked_.contains(kUser));
}

TEST_F(TeacherAccountHandlers, AccountsWithoutATeacherAreRevokedToo) {
  deliver<contracts::UserDisabled>("Disabled", 5, "");  // e.g. a SchoolAdmin
  EXPECT_TRUE(revoked_.contains(kUser));
  EXPECT_EQ(account_status(), "None");
  access::RevokedUsers restarted;
  restarted.load(db_);
  EXPECT_TRUE(restarted.contains(kUser));
}

}  // namespace
}  // namespace emis::teacher
