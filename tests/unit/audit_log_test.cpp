// The audit trail: an action's entry commits or rolls back with the action,
// a refused action leaves a Refused entry of its own, and the list is a
// tenant's entries, newest first, paged.
#include "audit/audit_log.hpp"

#include <gtest/gtest.h>

#include "audit/audited_write.hpp"
#include "core/errors.hpp"
#include "support/test_env.hpp"

namespace emis::audit {
namespace {

http::Principal admin_of(const std::string& tenant) {
  http::Principal p;
  p.user_id = "admin-of-" + tenant;
  p.tenant_id = tenant;
  p.roles = {"SchoolAdmin"};
  return p;
}

class AuditLog : public ::testing::Test {
 protected:
  AuditLog() : db_({dir_.file("audit.db")}) {
    db_.migrate(audit_migrations());
    db_.write([](store::Transaction& tx) { tx.session() << "CREATE TABLE things (id TEXT PRIMARY KEY)"; });
  }

  Page page(const std::string& tenant, int number = 1, int size = 20) {
    return db_.read([&](soci::session& s) { return list(s, tenant, number, size); });
  }

  int things() {
    return db_.read([](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM things", soci::into(n);
      return n;
    });
  }

  testing::ScratchDir dir_;
  store::Database db_;
};

TEST_F(AuditLog, ASuccessfulActionCommitsWithItsEntry) {
  audited_write(db_, entry_of(admin_of("t1"), "thing.create", "Thing", "x1"),
                [](store::Transaction& tx) { tx.session() << "INSERT INTO things VALUES ('x1')"; });
  EXPECT_EQ(things(), 1);
  const auto p = page("t1");
  ASSERT_EQ(p.total_count, 1);
  const auto& e = p.items.front();
  EXPECT_EQ(e.actor_id, "admin-of-t1");
  EXPECT_EQ(e.actor_role, "SchoolAdmin");
  EXPECT_EQ(e.tenant_id, "t1");
  EXPECT_EQ(e.action, "thing.create");
  EXPECT_EQ(e.target_type, "Thing");
  EXPECT_EQ(e.target_id, "x1");
  EXPECT_EQ(e.outcome, outcome::succeeded);
  EXPECT_FALSE(e.detail);
  EXPECT_FALSE(e.occurred_at.empty());
}

TEST_F(AuditLog, ARefusedActionLeavesNothingButARefusedEntry) {
  EXPECT_THROW(audited_write(db_, entry_of(admin_of("t1"), "thing.create", "Thing", "x1"),
                             [](store::Transaction& tx) {
                               tx.session() << "INSERT INTO things VALUES ('x1')";
                               core::throw_conflict("Duplicate thing", "It exists.");
                             }),
               core::DomainError);
  EXPECT_EQ(things(), 0);
  const auto p = page("t1");
  ASSERT_EQ(p.total_count, 1);
  EXPECT_EQ(p.items.front().outcome, outcome::refused);
  EXPECT_EQ(p.items.front().detail, "Duplicate thing");
}

TEST_F(AuditLog, ATenantSeesOnlyItsOwnEntriesNewestFirstInPages) {
  for (int i = 0; i < 5; ++i)
    audited_write(db_, entry_of(admin_of("t1"), "thing.touch", "Thing", "x" + std::to_string(i)),
                  [](store::Transaction&) {});
  audited_write(db_, entry_of(admin_of("t2"), "thing.touch", "Thing", "other"), [](store::Transaction&) {});
  const auto first = page("t1", 1, 2);
  EXPECT_EQ(first.total_count, 5);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_GE(first.items[0].occurred_at, first.items[1].occurred_at);
  const auto last = page("t1", 3, 2);
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_LE(last.items[0].occurred_at, first.items[1].occurred_at);
  for (const auto& e : page("t1", 1, 100).items) EXPECT_EQ(e.tenant_id, "t1");
  EXPECT_EQ(page("t2").total_count, 1);
  const auto everyone = db_.read([](soci::session& s) { return list(s, std::nullopt, 1, 100); });
  EXPECT_EQ(everyone.total_count, 6);  // what an Operator sees
}

}  // namespace
}  // namespace emis::audit
