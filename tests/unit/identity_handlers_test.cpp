// The account state machine driven by teacher and parent events, on a real
// SQLite file: one account per phone with a membership per entity, creation,
// redelivery, updates and phone changes, deletes, and the orders events can
// arrive in.
#include <gtest/gtest.h>

#include "contracts/student_events.hpp"
#include "contracts/teacher_events.hpp"
#include "eventbus/errors.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/schema.hpp"
#include "identity/account_status.hpp"
#include "identity/parent_handlers.hpp"
#include "identity/teacher_handlers.hpp"
#include "identity/user_store.hpp"
#include "support/outbox_rows.hpp"
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
    eventbus::RawMessage raw{message.topic, 0, 0, message.key, message.value, message.headers, std::nullopt};
    auto incoming = eventbus::decode(raw);
    const auto& handler = handlers_.resolve(incoming);
    db_.write([&](store::Transaction& tx) { handler(tx, incoming); });
  }

  // The account with a live membership for the entity.
  std::optional<User> user_of(const std::string& entity_id) {
    return db_.read([&](soci::session& s) { return find_user_by_entity(s, entity_id); });
  }

  // The account a phone stands for: the live one, else the newest.
  std::optional<User> account_of(const std::string& phone) {
    auto all = db_.read([&](soci::session& s) { return find_users_by_phone(s, phone); });
    if (all.empty()) return std::nullopt;
    return all.front();
  }

  std::vector<nlohmann::json> outbox_values() { return testing::outbox_values(db_); }

  std::vector<std::string> outbox_types() { return testing::outbox_types(db_); }

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
  EXPECT_EQ(u->phone_number, "+84912345678");
  ASSERT_EQ(u->memberships.size(), 1u);
  EXPECT_EQ(u->memberships[0].tenant_id, kTenant);
  EXPECT_EQ(u->memberships[0].role, "Teacher");
  EXPECT_EQ(u->memberships[0].entity_type, "Teacher");
  EXPECT_EQ(u->memberships[0].entity_id, kLan.teacher_id);
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

const contracts::ParentCreated kHoa{
    "77777777-7777-4777-8777-777777777777",  kTenant, "0987654321", "Pham Thi Hoa", "",
    {"88888888-8888-4888-8888-888888888888"}};

TEST_F(IdentityHandlers, ATeacherWhoIsAlsoAParentHasOneAccountWithBothRoles) {
  deliver(kLan);
  auto lan_as_parent = kHoa;
  lan_as_parent.phone_number = "0912345678";  // Lan's number, national form
  deliver(lan_as_parent);
  const auto u = user_of(lan_as_parent.parent_id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, user_of(kLan.teacher_id)->id);
  EXPECT_EQ(u->roles_in(kTenant), (std::vector<std::string>{"Teacher", "Parent"}));
  EXPECT_EQ(db_.read([](soci::session& s) {
    int n = 0;
    s << "SELECT COUNT(*) FROM users", soci::into(n);
    return n;
  }),
            1);
  // Each owning service hears of its own entity.
  const auto events = outbox_values();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["entityId"], lan_as_parent.parent_id);
  EXPECT_EQ(events[1]["entityType"], "Parent");
  EXPECT_EQ(events[1]["userId"], u->id);
}

TEST_F(IdentityHandlers, RolesGrantedInTheSameMillisecondKeepTheOrderTheyWereGrantedIn) {
  deliver(kLan);
  const auto lan = *user_of(kLan.teacher_id);
  // "Parent" sorts before "Teacher": only the grant order puts it second.
  db_.write([&](store::Transaction& tx) {
    add_membership(tx, lan.id, {kTenant, "Parent", "Parent", kHoa.parent_id, lan.memberships[0].created_at});
  });
  EXPECT_EQ(user_of(kHoa.parent_id)->roles_in(kTenant), (std::vector<std::string>{"Teacher", "Parent"}));
}

TEST_F(IdentityHandlers, SamePhoneInAnotherTenantJoinsTheSameAccount) {
  deliver(kLan);
  auto other = kLan;
  other.teacher_id = "33333333-3333-4333-8333-333333333333";
  other.tenant_id = "00000000-0000-4000-8000-000000000002";
  deliver(other);
  const auto u = user_of(other.teacher_id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, user_of(kLan.teacher_id)->id);
  EXPECT_TRUE(u->member_of(kTenant));
  EXPECT_TRUE(u->member_of(other.tenant_id));
  EXPECT_EQ(u->home_tenant(), kTenant);  // the oldest membership's
  EXPECT_EQ(outbox_values().back()["tenantId"], other.tenant_id);
}

TEST_F(IdentityHandlers, ANewRoleOfAnActiveAccountIsAnnouncedActive) {
  deliver(kLan);
  db_.write([&](store::Transaction& tx) {
    auto u = *find_user_by_entity(tx.session(), kLan.teacher_id);
    u.status = status::active;
    u.password_hash = "hash";
    update_user(tx, u);
  });
  auto lan_as_parent = kHoa;
  lan_as_parent.phone_number = kLan.phone_number;
  deliver(lan_as_parent);
  EXPECT_EQ(outbox_values().back()["status"], "Active");
  EXPECT_EQ(user_of(lan_as_parent.parent_id)->status, "Active");  // nothing to activate again
}

TEST_F(IdentityHandlers, InvalidPhoneIsDeclinedAndAnnounced) {
  auto bad = kLan;
  bad.phone_number = "0123456789";
  deliver(bad);
  EXPECT_FALSE(user_of(bad.teacher_id));
  EXPECT_EQ(outbox_types(), std::vector<std::string>{"AccountProvisioningFailedIntegrationEvent"});
  const auto failed = outbox_values().back();
  EXPECT_EQ(failed["entityId"], bad.teacher_id);
  EXPECT_EQ(failed["entityType"], "Teacher");
  EXPECT_NE(failed["reason"].get<std::string>().find("not valid"), std::string::npos);
}

// An administrator's lock holds: a new role for the phone does not open a
// second account around it. The reason names neither the account nor its
// schools, since another school's administrators read it.
TEST_F(IdentityHandlers, AnAccountDisabledByAnAdministratorDeclinesNewRoles) {
  deliver(kLan);
  const auto lan = *user_of(kLan.teacher_id);
  db_.write([&](store::Transaction& tx) {
    auto u = lan;
    disable_account(tx, {outbox_, revoked_}, u, {});
  });
  auto elsewhere = kHoa;
  elsewhere.phone_number = kLan.phone_number;
  elsewhere.tenant_id = "00000000-0000-4000-8000-000000000002";
  deliver(elsewhere);  // handled: no dead letter
  EXPECT_FALSE(user_of(elsewhere.parent_id));
  EXPECT_EQ(outbox_types().back(), "AccountProvisioningFailedIntegrationEvent");
  const auto reason = outbox_values().back()["reason"].get<std::string>();
  EXPECT_NE(reason.find("disabled by an administrator"), std::string::npos);
  EXPECT_EQ(reason.find(lan.id), std::string::npos);
  EXPECT_EQ(reason.find(kTenant), std::string::npos);
}

TEST_F(IdentityHandlers, DeleteDisablesAndAnnounces) {
  deliver(kLan);
  const auto id = user_of(kLan.teacher_id)->id;
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  EXPECT_FALSE(user_of(kLan.teacher_id));
  const auto u = account_of(kLan.phone_number);
  EXPECT_EQ(u->id, id);
  EXPECT_EQ(u->status, "Disabled");
  EXPECT_TRUE(u->memberships.empty());
  EXPECT_TRUE(revoked_.contains(id));                 // its access tokens too
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});  // again: no second announcement
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"UserAccountCreatedIntegrationEvent", "UserDisabledIntegrationEvent"}));
  EXPECT_EQ(outbox_values().back()["entityId"], kLan.teacher_id);  // its owner hears of it
}

TEST_F(IdentityHandlers, DeletingOneRoleKeepsTheAccountForTheOthers) {
  deliver(kLan);
  auto lan_as_parent = kHoa;
  lan_as_parent.phone_number = kLan.phone_number;
  deliver(lan_as_parent);
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  const auto u = user_of(lan_as_parent.parent_id);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, "PendingActivation");
  EXPECT_EQ(u->roles_in(kTenant), std::vector<std::string>{"Parent"});
  EXPECT_FALSE(revoked_.contains(u->id));
  deliver(contracts::ParentDeleted{lan_as_parent.parent_id, kTenant});
  EXPECT_EQ(account_of(kLan.phone_number)->status, "Disabled");
  EXPECT_EQ(outbox_types().back(), "UserDisabledIntegrationEvent");
}

TEST_F(IdentityHandlers, DeleteBeforeCreateLeavesATombstone) {
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  deliver(kLan);
  EXPECT_FALSE(user_of(kLan.teacher_id));
  EXPECT_TRUE(outbox_types().empty());
}

// A recycled number may be someone else's: an account whose last role went
// lets its phone go, and a new entity with it gets a new account and a new
// activation, never the old password.
TEST_F(IdentityHandlers, ADisabledAccountWithoutRolesFreesItsPhone) {
  deliver(kLan);
  const auto old_id = user_of(kLan.teacher_id)->id;
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  auto next = kLan;
  next.teacher_id = "44444444-4444-4444-8444-444444444444";
  deliver(next);
  const auto u = user_of(next.teacher_id);
  ASSERT_TRUE(u);
  EXPECT_NE(u->id, old_id);
  EXPECT_EQ(u->status, "PendingActivation");
  EXPECT_FALSE(u->password_hash);
  EXPECT_EQ(account_of(kLan.phone_number)->id, u->id);  // the live account, not the disabled one
}

TEST_F(IdentityHandlers, UpdateKeepsTheAccountInSync) {
  deliver(kLan);
  const auto id = user_of(kLan.teacher_id)->id;
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::string("0987654321"), std::string("Le Thi Lan Anh"),
                         std::string("")});
  const auto u = user_of(kLan.teacher_id);
  EXPECT_EQ(u->id, id);  // the person took a new number: the same account
  EXPECT_EQ(u->phone_number, "+84987654321");
  EXPECT_EQ(u->full_name, "Le Thi Lan Anh");
  EXPECT_FALSE(u->email);
}

// The account is the phone's: a teacher whose phone changes away from a
// shared account takes the membership to the new phone's account.
TEST_F(IdentityHandlers, APhoneChangeMovesTheMembershipOffASharedAccount) {
  deliver(kLan);
  auto lan_as_parent = kHoa;
  lan_as_parent.phone_number = kLan.phone_number;
  deliver(lan_as_parent);
  const auto shared = user_of(kLan.teacher_id)->id;
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::string("0977777777"), std::nullopt, std::nullopt});
  const auto moved = user_of(kLan.teacher_id);
  ASSERT_TRUE(moved);
  EXPECT_NE(moved->id, shared);
  EXPECT_EQ(moved->phone_number, "+84977777777");
  EXPECT_EQ(moved->status, "PendingActivation");
  EXPECT_EQ(moved->roles_in(kTenant), std::vector<std::string>{"Teacher"});
  EXPECT_EQ(user_of(lan_as_parent.parent_id)->id, shared);
  EXPECT_EQ(user_of(lan_as_parent.parent_id)->roles_in(kTenant), std::vector<std::string>{"Parent"});
  const auto told = outbox_values().back();
  EXPECT_EQ(told["entityId"], kLan.teacher_id);
  EXPECT_EQ(told["userId"], moved->id);
}

TEST_F(IdentityHandlers, APhoneChangeToAKnownPhoneJoinsItsAccountAndRetiresTheEmptyOne) {
  deliver(kLan);
  deliver(kHoa);
  const auto lan_account = user_of(kLan.teacher_id)->id;
  deliver(
      TeacherUpdated{kLan.teacher_id, kTenant, std::string(kHoa.phone_number), std::nullopt, std::nullopt});
  const auto joined = user_of(kLan.teacher_id);
  EXPECT_EQ(joined->id, user_of(kHoa.parent_id)->id);
  // In the order granted: the teacher's is the older, and moving kept its place.
  EXPECT_EQ(joined->roles_in(kTenant), (std::vector<std::string>{"Teacher", "Parent"}));
  const auto left = db_.read([&](soci::session& s) { return find_user_by_id(s, lan_account); });
  EXPECT_EQ(left->status, "Disabled");
  EXPECT_TRUE(revoked_.contains(lan_account));
  // The services refuse its tokens: the event names the school, not the
  // teacher, who lives on with the other account.
  const auto disabled = outbox_values().back();
  EXPECT_EQ(outbox_types().back(), "UserDisabledIntegrationEvent");
  EXPECT_EQ(disabled["userId"], lan_account);
  EXPECT_EQ(disabled["tenantId"], kTenant);
  EXPECT_TRUE(disabled["entityId"].is_null() || disabled["entityId"] == "");
}

// One school's records do not rename the person in another school.
TEST_F(IdentityHandlers, NameChangesApplyOnlyToAnAccountOfTheSchoolAlone) {
  deliver(kLan);
  auto elsewhere = kHoa;
  elsewhere.phone_number = kLan.phone_number;
  elsewhere.tenant_id = "00000000-0000-4000-8000-000000000002";
  deliver(elsewhere);
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::nullopt, std::string("Someone Else"), std::nullopt});
  EXPECT_EQ(user_of(kLan.teacher_id)->full_name, "Le Thi Lan");
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
    return db_.write([&](store::Transaction& tx) { return entity_state(tx, id); });
  };
  const auto none = state_of(kLan.teacher_id);
  EXPECT_FALSE(none.tombstoned || none.has_membership || none.pending_update);
  deliver(TeacherUpdated{kLan.teacher_id, kTenant, std::nullopt, std::string("Early"), std::nullopt});
  EXPECT_TRUE(state_of(kLan.teacher_id).pending_update);
  deliver(kLan);
  const auto created = state_of(kLan.teacher_id);
  EXPECT_TRUE(created.has_membership);
  EXPECT_FALSE(created.pending_update);  // taken by the create
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  EXPECT_TRUE(state_of(kLan.teacher_id).tombstoned);
}

TEST_F(IdentityHandlers, AParentGetsAPendingAccountUntilItsLastChildGoes) {
  deliver(kHoa);
  const auto user = user_of(kHoa.parent_id);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->roles_in(kTenant), std::vector<std::string>{"Parent"});
  EXPECT_EQ(user->memberships.front().entity_type, "Parent");
  EXPECT_EQ(user->status, "PendingActivation");
  EXPECT_EQ(user->phone_number, "+84987654321");
  deliver(contracts::ParentDeleted{kHoa.parent_id, kTenant});
  EXPECT_EQ(account_of(user->phone_number)->status, "Disabled");
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"UserAccountCreatedIntegrationEvent", "UserDisabledIntegrationEvent"}));
}

TEST_F(IdentityHandlers, TombstonesArePrunedOnlyPastTheCutoff) {
  deliver(TeacherDeleted{kLan.teacher_id, kTenant});
  const auto tombstoned = [&] {
    return db_.read([&](soci::session& s) { return has_tombstone(s, kLan.teacher_id); });
  };
  const auto prune = [&](std::chrono::system_clock::time_point cutoff) {
    return db_.write([&](store::Transaction& tx) { return prune_tombstones(tx, cutoff, 10); });
  };
  EXPECT_EQ(prune(std::chrono::system_clock::now() - std::chrono::hours(1)), 0);
  EXPECT_TRUE(tombstoned());
  EXPECT_EQ(prune(std::chrono::system_clock::now() + std::chrono::seconds(1)), 1);
  EXPECT_FALSE(tombstoned());
}

TEST_F(IdentityHandlers, TombstonesArePrunedAtMostABatchAtATime) {
  for (const auto* id : {"44444444-4444-4444-8444-444444444441", "44444444-4444-4444-8444-444444444442",
                         "44444444-4444-4444-8444-444444444443"})
    deliver(TeacherDeleted{id, kTenant});
  const auto prune = [&] {
    return db_.write([&](store::Transaction& tx) {
      return prune_tombstones(tx, std::chrono::system_clock::now() + std::chrono::seconds(1), 2);
    });
  };
  EXPECT_EQ(prune(), 2);
  EXPECT_EQ(prune(), 1);
  EXPECT_EQ(prune(), 0);
}

}  // namespace
}  // namespace emis::identity
