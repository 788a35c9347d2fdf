// The account state machine driven by teacher events, on a real SQLite file:
// creation, redelivery, updates, deletes, and the orders events can arrive in.
#include <gtest/gtest.h>

#include "contracts/student_events.hpp"
#include "contracts/teacher_events.hpp"
#include "eventbus/errors.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/schema.hpp"
#include "identity/parent_handlers.hpp"
#include "identity/teacher_handlers.hpp"
#include "identity/user_store.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

using contracts::TeacherCreated;
using contracts::TeacherDeleted;
using contracts::TeacherUpdated;

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";

class IdentityHandlers : public ::testing::Test {
 protected:
  IdentityHandlers()
      : db_({testing::test_database_url(dir_, "identity.db")}),
        outbox_({}, {}),
        handlers_(eventbus::TopicNaming{}) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(identity_migrations());
    add_teacher_handlers(handlers_, {outbox_, revoked_}, "VN");
    add_parent_handlers(handlers_, {outbox_, revoked_}, "VN");
  }

  // Delivers one event as the consumer would, minus Kafka and the inbox.
  template <class Event>
  void deliver(const Event& e) {
    const auto message = eventbus::encode(e, {});
    eventbus::RawMessage raw{message.topic, 0, 0, message.key, message.value, message.headers};
    auto incoming = eventbus::decode(raw);
    const auto& handler = handlers_.resolve(incoming);
    db_.write([&](store::Transaction& tx) { handler(tx, incoming); });
  }

  std::optional<User> user_of(const std::string& teacher_id) {
    return db_.read([&](soci::session& s) { return find_user_by_entity(s, teacher_id); });
  }

  std::vector<std::string> outbox_types() {
    return db_.read([](soci::session& s) {
      std::vector<std::string> types(100);
      s << "SELECT event_type FROM outbox ORDER BY seq", soci::into(types);
      return types;
    });
  }

  std::string last_outbox_value() {
    return db_.read([](soci::session& s) {
      std::string value;
      s << "SELECT value FROM outbox ORDER BY seq DESC LIMIT 1", soci::into(value);
      return value;
    });
  }

  testing::ScratchDir dir_;
  store::Database db_;
  eventbus::Outbox outbox_;
  access::RevokedUsers revoked_;
  eventbus::HandlerRegistry handlers_;
};

const TeacherCreated kLan{"11111111-1111-4111-8111-111111111111", kTenant, "+84912345678", "Le Thi Lan",
                          "lan@school.vn"};

TEST_F(IdentityHandlers, CreatedTeacherGetsAPendingAccountAndItIsAnnounced) {
  deliver(kLan);
  const auto u = user_of(kLan.teacher_id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, "PendingActivation");
  EXPECT_EQ(u->role, "Teacher");
  EXPECT_EQ(u->tenant_id, kTenant);
  EXPECT_EQ(u->phone_number, "+84912345678");
  EXPECT_EQ(u->entity_type, "Teacher");
  EXPECT_FALSE(u->password_hash);
  EXPECT_EQ(outbox_types(), std::vector<std::string>{"UserAccountCreatedIntegrationEvent"});
}

TEST_F(IdentityHandlers, TheSameTeacherAgainChangesNothing) {
  deliver(kLan);
  const auto first = user_of(kLan.teacher_id);
  deliver(kLan);  // a new event id: the inbox would not catch it
  EXPECT_EQ(user_of(kLan.teacher_id)->id, first->id);
  EXPECT_EQ(outbox_types().size(), 1u);
}

TEST_F(IdentityHandlers, SamePhoneForAnotherTeacherIsDeclinedAndAnnounced) {
  deliver(kLan);
  auto other = kLan;
  other.teacher_id = "22222222-2222-4222-8222-222222222222";
  other.phone_number = "0912345678";  // the same number, national form
  deliver(other);                     // handled: no dead letter
  EXPECT_FALSE(user_of(other.teacher_id));
  EXPECT_EQ(outbox_types(), (std::vector<std::string>{"UserAccountCreatedIntegrationEvent",
                                                      "AccountProvisioningFailedIntegrationEvent"}));
  EXPECT_NE(last_outbox_value().find(user_of(kLan.teacher_id)->id), std::string::npos);  // names the holder
}

TEST_F(IdentityHandlers, SamePhoneInAnotherTenantIsAnotherAccount) {
  deliver(kLan);
  auto other = kLan;
  other.teacher_id = "33333333-3333-4333-8333-333333333333";
  other.tenant_id = "00000000-0000-4000-8000-000000000002";
  deliver(other);
  EXPECT_TRUE(user_of(other.teacher_id));
}

TEST_F(IdentityHandlers, InvalidPhoneIsDeclinedAndAnnounced) {
  auto bad = kLan;
  bad.phone_number = "0123456789";
  deliver(bad);
  EXPECT_FALSE(user_of(bad.teacher_id));
  EXPECT_EQ(outbox_types(), std::vector<std::string>{"AccountProvisioningFailedIntegrationEvent"});
  const auto failed = nlohmann::json::parse(last_outbox_value());
  EXPECT_EQ(failed["entityId"], bad.teacher_id);
  EXPECT_EQ(failed["entityType"], "Teacher");
  EXPECT_NE(failed["reason"].get<std::string>().find("not valid"), std::string::npos);
}

TEST_F(IdentityHandlers, DeleteDisablesAndAnnounces) {
  deliver(kLan);
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  EXPECT_EQ(user_of(kLan.teacher_id)->status, "Disabled");
  EXPECT_TRUE(revoked_.contains(user_of(kLan.teacher_id)->id));  // its access tokens too
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});             // again: no second announcement
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"UserAccountCreatedIntegrationEvent", "UserDisabledIntegrationEvent"}));
}

TEST_F(IdentityHandlers, DeleteBeforeCreateLeavesATombstone) {
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  deliver(kLan);
  EXPECT_FALSE(user_of(kLan.teacher_id));
  EXPECT_TRUE(outbox_types().empty());
}

TEST_F(IdentityHandlers, DisabledAccountFreesItsPhoneForANewTeacher) {
  deliver(kLan);
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  auto next = kLan;
  next.teacher_id = "44444444-4444-4444-8444-444444444444";
  deliver(next);
  ASSERT_TRUE(user_of(next.teacher_id));
  EXPECT_EQ(user_of(next.teacher_id)->status, "PendingActivation");
  const auto by_phone =
      db_.read([](soci::session& s) { return find_user_by_phone(s, kTenant, "+84912345678"); });
  EXPECT_EQ(by_phone->entity_id, next.teacher_id);  // the live account, not the disabled one
}

TEST_F(IdentityHandlers, UpdateKeepsTheAccountInSync) {
  deliver(kLan);
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::string("0987654321"), std::string("Le Thi Lan Anh"),
                         std::string("")});
  const auto u = user_of(kLan.teacher_id);
  EXPECT_EQ(u->phone_number, "+84987654321");
  EXPECT_EQ(u->full_name, "Le Thi Lan Anh");
  EXPECT_FALSE(u->email);
}

TEST_F(IdentityHandlers, UpdateBeforeCreateIsAppliedWhenTheCreateArrives) {
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::nullopt, std::string("First Change"), std::nullopt});
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::nullopt, std::string("Second Change"),
                         std::string("new@school.vn")});
  deliver(kLan);
  const auto u = user_of(kLan.teacher_id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->full_name, "Second Change");
  EXPECT_EQ(u->email, "new@school.vn");
  EXPECT_EQ(u->phone_number, "+84912345678");
}

TEST_F(IdentityHandlers, EntityStateReadsTombstoneAccountAndPendingChangesAtOnce) {
  const auto state_of = [&](const std::string& id) {
    return db_.read([&](soci::session& s) { return entity_state(s, id); });
  };
  const auto none = state_of(kLan.teacher_id);
  EXPECT_FALSE(none.tombstoned || none.has_user || none.pending_update);
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::nullopt, std::string("Early"), std::nullopt});
  EXPECT_TRUE(state_of(kLan.teacher_id).pending_update);
  deliver(kLan);
  const auto created = state_of(kLan.teacher_id);
  EXPECT_TRUE(created.has_user);
  EXPECT_FALSE(created.pending_update);  // taken by the create
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  EXPECT_TRUE(state_of(kLan.teacher_id).tombstoned);
}

TEST_F(IdentityHandlers, ARefusedPhoneLeavesTheTransactionUsableForOtherEvents) {
  // Several events may share a transaction: the refused insert must undo
  // only itself.
  deliver(kLan);
  auto taken = kLan;
  taken.teacher_id = "55555555-5555-4555-8555-555555555555";
  auto other = kLan;
  other.teacher_id = "66666666-6666-4666-8666-666666666666";
  other.phone_number = "+84911111111";
  auto created = eventbus::decode([&] {
    const auto m = eventbus::encode(taken, {});
    return eventbus::RawMessage{m.topic, 0, 0, m.key, m.value, m.headers};
  }());
  auto next = eventbus::decode([&] {
    const auto m = eventbus::encode(other, {});
    return eventbus::RawMessage{m.topic, 0, 0, m.key, m.value, m.headers};
  }());
  db_.write([&](store::Transaction& tx) {
    handlers_.resolve(created)(tx, created);  // declined: the phone is taken
    handlers_.resolve(next)(tx, next);
  });
  EXPECT_EQ(outbox_types(), (std::vector<std::string>{"UserAccountCreatedIntegrationEvent",
                                                      "AccountProvisioningFailedIntegrationEvent",
                                                      "UserAccountCreatedIntegrationEvent"}));
  EXPECT_FALSE(user_of(taken.teacher_id));
  EXPECT_TRUE(user_of(other.teacher_id));
}

TEST_F(IdentityHandlers, AParentGetsAPendingAccountUntilItsLastChildGoes) {
  const contracts::ParentCreated hoa{
      "77777777-7777-4777-8777-777777777777",  kTenant, "0987654321", "Pham Thi Hoa", "",
      {"88888888-8888-4888-8888-888888888888"}};
  deliver(hoa);
  const auto user = user_of(hoa.parent_id);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->role, "Parent");
  EXPECT_EQ(user->entity_type, "Parent");
  EXPECT_EQ(user->status, "PendingActivation");
  EXPECT_EQ(user->phone_number, "+84987654321");
  deliver(contracts::ParentDeleted{hoa.parent_id, kTenant});
  EXPECT_EQ(user_of(hoa.parent_id)->status, "Disabled");
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"UserAccountCreatedIntegrationEvent", "UserDisabledIntegrationEvent"}));
}

TEST_F(IdentityHandlers, TombstonesArePrunedOnlyPastTheCutoff) {
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  const auto tombstoned = [&] {
    return db_.read([&](soci::session& s) { return has_tombstone(s, kLan.teacher_id); });
  };
  const auto prune = [&](std::chrono::system_clock::time_point cutoff) {
    return db_.write([&](store::Transaction& tx) { return prune_tombstones(tx, cutoff); });
  };
  EXPECT_EQ(prune(std::chrono::system_clock::now() - std::chrono::hours(1)), 0);
  EXPECT_TRUE(tombstoned());
  EXPECT_EQ(prune(std::chrono::system_clock::now() + std::chrono::seconds(1)), 1);
  EXPECT_FALSE(tombstoned());
}

}  // namespace
}  // namespace emis::identity
