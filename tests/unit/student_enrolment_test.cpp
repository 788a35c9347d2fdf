// Students and their parents on a real database (SQLite, or the fixture's
// PostgreSQL for pg.*): one parent per phone per tenant shared by its
// children, ParentCreated with the first child and ParentDeleted after the
// last, and the events each write leaves in the outbox.
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/schema.hpp"
#include "onboarding/account_state.hpp"
#include "student/enrolment.hpp"
#include "student/parent_store.hpp"
#include "student/student_store.hpp"
#include "support/test_env.hpp"

namespace emis::student {
namespace {

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";
constexpr const char* kOtherTenant = "00000000-0000-4000-8000-000000000002";
constexpr const char* kMotherPhone = "+84912345678";
constexpr const char* kFatherPhone = "+84987654321";

GuardianInput guardian(const std::string& name, const std::string& phone, const std::string& relationship) {
  return {name, phone, std::nullopt, relationship};
}

class StudentEnrolment : public ::testing::Test {
 protected:
  StudentEnrolment() : db_({testing::test_database_url(dir_, "student.db")}), outbox_({}, {}) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(student_migrations());
  }

  Student enrol(const std::string& name, std::vector<GuardianInput> guardians,
                const std::string& tenant = kTenant) {
    Student s;
    s.id = core::new_uuid();
    s.tenant_id = tenant;
    s.fields.full_name = name;
    s.fields.guardians = std::move(guardians);
    s.created_at = s.updated_at = core::now_iso8601();
    return db_.write([&](store::Transaction& tx) { return Enrolment{tx, outbox_, {}}.enrol(s); });
  }

  std::optional<Parent> parent_by_phone(const std::string& phone, const std::string& tenant = kTenant) {
    return db_.read([&](soci::session& s) { return find_parent_by_phone(s, tenant, phone); });
  }

  // The outbox's event types in order, and each one's key.
  std::vector<std::pair<std::string, std::string>> outbox() {
    return db_.read([](soci::session& s) {
      std::vector<std::pair<std::string, std::string>> rows;
      soci::rowset<soci::row> all = s.prepare << "SELECT event_type, event_key FROM outbox ORDER BY seq";
      for (const auto& r : all) rows.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
      return rows;
    });
  }

  std::vector<std::string> outbox_types() {
    std::vector<std::string> types;
    for (const auto& [type, key] : outbox()) types.push_back(type);
    return types;
  }

  testing::ScratchDir dir_;
  store::Database db_;
  eventbus::Outbox outbox_;
};

TEST_F(StudentEnrolment, NewGuardiansBecomeParentsAnnouncedBeforeTheStudent) {
  const auto s =
      enrol("An", {guardian("Hoa", kMotherPhone, "Mother"), guardian("Nam", kFatherPhone, "Father")});
  ASSERT_EQ(s.guardians.size(), 2u);
  EXPECT_EQ(s.guardians[0].fields.relationship, "Mother");
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"ParentCreatedIntegrationEvent", "ParentCreatedIntegrationEvent",
                                      "StudentCreatedIntegrationEvent"}));
  const auto mother = parent_by_phone(kMotherPhone);
  ASSERT_TRUE(mother);
  EXPECT_EQ(mother->id, s.guardians[0].parent_id);
  EXPECT_EQ(mother->student_ids, std::vector<std::string>{s.id});
  EXPECT_EQ(mother->account_status, "None");
  EXPECT_EQ(outbox()[0].second, mother->id);  // keyed by parentId
}

TEST_F(StudentEnrolment, ASecondChildLinksTheKnownParent) {
  const auto first = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  const auto second = enrol("Binh", {guardian("Hoa Pham", kMotherPhone, "Mother")});
  EXPECT_EQ(second.guardians[0].parent_id, first.guardians[0].parent_id);
  EXPECT_EQ(second.guardians[0].fields.full_name, "Hoa");  // the parent keeps its first registration
  EXPECT_EQ(parent_by_phone(kMotherPhone)->student_ids, (std::vector<std::string>{first.id, second.id}));
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"ParentCreatedIntegrationEvent", "StudentCreatedIntegrationEvent",
                                      "StudentCreatedIntegrationEvent"}));
}

TEST_F(StudentEnrolment, ParentsAreOnePerPhonePerTenant) {
  const auto here = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  const auto there = enrol("Binh", {guardian("Hoa", kMotherPhone, "Mother")}, kOtherTenant);
  EXPECT_NE(here.guardians[0].parent_id, there.guardians[0].parent_id);
  EXPECT_EQ(parent_by_phone(kMotherPhone, kOtherTenant)->student_ids, std::vector<std::string>{there.id});
  EXPECT_FALSE(
      db_.read([&](soci::session& s) { return find_parent(s, kTenant, there.guardians[0].parent_id); }));
}

TEST_F(StudentEnrolment, AParentGoesWithItsLastChild) {
  const auto first = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  const auto second = enrol("Binh", {guardian("Hoa", kMotherPhone, "Mother")});
  db_.write([&](store::Transaction& tx) { Enrolment{tx, outbox_, {}}.withdraw(kTenant, first.id); });
  EXPECT_EQ(parent_by_phone(kMotherPhone)->student_ids, std::vector<std::string>{second.id});
  EXPECT_EQ(outbox_types().back(), "StudentDeletedIntegrationEvent");

  db_.write([&](store::Transaction& tx) { Enrolment{tx, outbox_, {}}.withdraw(kTenant, second.id); });
  EXPECT_FALSE(parent_by_phone(kMotherPhone));
  const auto events = outbox();
  EXPECT_EQ(events[events.size() - 2],
            std::make_pair(std::string("ParentDeletedIntegrationEvent"), first.guardians[0].parent_id));
  EXPECT_EQ(events.back().first, "StudentDeletedIntegrationEvent");

  // The phone is free again: a new child makes a new parent.
  const auto third = enrol("Chi", {guardian("Hoa", kMotherPhone, "Mother")});
  EXPECT_NE(third.guardians[0].parent_id, first.guardians[0].parent_id);
}

TEST_F(StudentEnrolment, ReplacingGuardiansRetiresTheParentLeftAlone) {
  const auto s = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  StudentInput input;
  input.full_name = "An Pham";
  input.guardians = {guardian("Nam", kFatherPhone, "Father")};
  const auto updated = db_.write([&](store::Transaction& tx) {
    return Enrolment{tx, outbox_, {}}.replace(kTenant, s.id, input);
  });
  ASSERT_EQ(updated.guardians.size(), 1u);
  EXPECT_EQ(updated.fields.full_name, "An Pham");
  EXPECT_EQ(updated.guardians[0].fields.phone_number, kFatherPhone);
  EXPECT_FALSE(parent_by_phone(kMotherPhone));
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"ParentCreatedIntegrationEvent", "StudentCreatedIntegrationEvent",
                                      "ParentCreatedIntegrationEvent", "ParentDeletedIntegrationEvent",
                                      "StudentUpdatedIntegrationEvent"}));
}

TEST_F(StudentEnrolment, UnknownStudentsAreNotFound) {
  const auto id = core::new_uuid();
  EXPECT_THROW(db_.write([&](store::Transaction& tx) {
    Enrolment{tx, outbox_, {}}.withdraw(kTenant, id);
  }),
               core::DomainError);
  const auto s = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  EXPECT_THROW(db_.write([&](store::Transaction& tx) {
    Enrolment{tx, outbox_, {}}.withdraw(kOtherTenant, s.id);
  }),
               core::DomainError);
}

TEST_F(StudentEnrolment, ParentShowsItsAccountFromIdentity) {
  const auto s = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  const auto parent_id = s.guardians[0].parent_id;
  const onboarding::AccountOwner owner{"Parent", "parents"};
  db_.write([&](store::Transaction& tx) {
    onboarding::apply_account_state(tx, owner, parent_id, {"user-1", "Active", {}}, 2000);
    onboarding::apply_account_state(tx, owner, parent_id, {"user-1", "PendingActivation", {}},
                                    1000);  // older
  });
  const auto parent = parent_by_phone(kMotherPhone);
  EXPECT_EQ(parent->account_status, "Active");
  EXPECT_EQ(parent->user_id, "user-1");
}

TEST_F(StudentEnrolment, AFailedProvisioningShowsUntilALaterSuccess) {
  const auto s = enrol("An", {guardian("Hoa", kMotherPhone, "Mother")});
  const auto parent_id = s.guardians[0].parent_id;
  const onboarding::AccountOwner owner{"Parent", "parents"};
  db_.write([&](store::Transaction& tx) {
    onboarding::apply_account_state(tx, owner, parent_id, {{}, "Failed", "phone taken"}, 1000);
  });
  auto parent = parent_by_phone(kMotherPhone);
  EXPECT_EQ(parent->account_status, "Failed");
  EXPECT_EQ(parent->account_status_reason, "phone taken");
  EXPECT_FALSE(parent->user_id);
  db_.write([&](store::Transaction& tx) {
    onboarding::apply_account_state(tx, owner, parent_id, {"user-1", "PendingActivation", {}}, 1000);
  });
  parent = parent_by_phone(kMotherPhone);
  EXPECT_EQ(parent->account_status, "PendingActivation");
  EXPECT_FALSE(parent->account_status_reason);
  EXPECT_EQ(parent->user_id, "user-1");
}

TEST_F(StudentEnrolment, ListsAndSearchesTheTenantsStudents) {
  enrol("Nguyen An", {guardian("Hoa", kMotherPhone, "Mother")});
  enrol("Tran Binh", {guardian("Hoa", kMotherPhone, "Mother")});
  enrol("Le Chi", {guardian("Nam", kFatherPhone, "Father")}, kOtherTenant);
  const auto all = db_.read([](soci::session& s) {
    return list_students(s, {kTenant, 1, 20, std::nullopt});
  });
  EXPECT_EQ(all.total_count, 2);
  ASSERT_EQ(all.items.size(), 2u);
  EXPECT_EQ(all.items[1].guardians.size(), 1u);
  const auto found = db_.read([](soci::session& s) { return list_students(s, {kTenant, 1, 20, "binh"}); });
  ASSERT_EQ(found.items.size(), 1u);
  EXPECT_EQ(found.items[0].fields.full_name, "Tran Binh");
}

}  // namespace
}  // namespace emis::student
