// The upgrade to one account per person, on a real SQLite file: a phone's
// accounts in several tenants, made before memberships existed, become one,
// and each owning service is told which account its entity now belongs to.
#include <gtest/gtest.h>

#include "eventbus/schema.hpp"
#include "identity/account_merge.hpp"
#include "identity/user_store.hpp"
#include "support/outbox_rows.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

constexpr const char* kPrimary = "00000000-0000-4000-8000-000000000001";
constexpr const char* kSecondary = "00000000-0000-4000-8000-000000000002";

class AccountMerge : public ::testing::Test {
 protected:
  AccountMerge() : db_({testing::test_database_url(dir_, "identity.db")}), outbox_({}, {}) {
    db_.migrate(eventbus::schema_migrations());
    // The schema as it was before memberships.
    auto before = identity_migrations();
    std::erase_if(before, [](const store::Migration& m) { return m.version >= 8121; });
    db_.migrate(before);
  }

  // An account row as the one-membership schema stored it.
  void old_account(const std::string& id, const std::string& tenant, const std::string& entity,
                   const std::string& created, const char* password_hash) {
    const std::string status = password_hash ? "Active" : "PendingActivation";
    soci::indicator hash_ind = password_hash ? soci::i_ok : soci::i_null;
    const std::string hash = password_hash ? password_hash : "";
    const auto token_hash = "token-of-" + id;  // named: SOCI binds by reference
    db_.write([&](store::Transaction& tx) {
      tx.session() << "INSERT INTO users (id, tenant_id, phone_number, full_name, role, status, entity_id, "
                      "entity_type, password_hash, created_at, updated_at) VALUES (:id, :t, '+84912345678', "
                      "'Le Thi Lan', 'Teacher', :s, :e, 'Teacher', :h, :c, :c2)",
          soci::use(id), soci::use(tenant), soci::use(status), soci::use(entity), soci::use(hash, hash_ind),
          soci::use(created), soci::use(created);
      tx.session() << "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at_s) "
                      "VALUES (:h, :u, 'f', :c, 4102444800)",
          soci::use(token_hash), soci::use(id), soci::use(created);
    });
  }

  void upgrade() {
    db_.migrate(identity_migrations());
    announce_merged_accounts(db_, outbox_);
  }

  std::optional<User> account(const std::string& id) {
    return db_.read([&](soci::session& s) { return find_user_by_id(s, id); });
  }

  int live_refresh_tokens(const std::string& user_id) {
    return db_.read([&](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM refresh_tokens WHERE user_id = :u AND revoked_at IS NULL",
          soci::use(user_id), soci::into(n);
      return n;
    });
  }

  std::vector<nlohmann::json> announced() { return testing::outbox_values(db_); }

  testing::ScratchDir dir_;
  store::Database db_;
  eventbus::Outbox outbox_;
};

const std::string kOlder = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const std::string kNewer = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const std::string kTeacherA = "11111111-1111-4111-8111-111111111111";
const std::string kTeacherB = "22222222-2222-4222-8222-222222222222";

TEST_F(AccountMerge, TheOnePasswordIsKeptByTheOldestAccount) {
  old_account(kOlder, kPrimary, kTeacherA, "2026-01-01T00:00:00.000Z", nullptr);
  old_account(kNewer, kSecondary, kTeacherB, "2026-02-01T00:00:00.000Z", "the-hash");
  upgrade();
  const auto merged = account(kOlder);
  EXPECT_EQ(merged->status, "Active");
  EXPECT_EQ(merged->password_hash, "the-hash");
  EXPECT_TRUE(merged->member_of(kPrimary));
  EXPECT_TRUE(merged->member_of(kSecondary));
  EXPECT_EQ(account(kNewer)->status, "Disabled");
  EXPECT_TRUE(account(kNewer)->memberships.empty());
  EXPECT_EQ(live_refresh_tokens(kNewer), 0);
  // Each owning service hears of its entity's account, and every service
  // that the other account's tokens are refused; once.
  EXPECT_EQ(testing::outbox_types(db_),
            (std::vector<std::string>{"UserAccountCreatedIntegrationEvent",
                                      "UserAccountCreatedIntegrationEvent", "UserDisabledIntegrationEvent"}));
  const auto told = announced();
  EXPECT_EQ(told[0]["userId"], kOlder);
  EXPECT_EQ(told[1]["userId"], kOlder);
  EXPECT_EQ(told[1]["entityId"], kTeacherB);
  EXPECT_EQ(told[1]["status"], "Active");
  EXPECT_EQ(told[2]["userId"], kNewer);
  EXPECT_EQ(told[2]["tenantId"], kSecondary);
  announce_merged_accounts(db_, outbox_);
  EXPECT_EQ(announced().size(), 3u);
}

TEST_F(AccountMerge, TwoPasswordsAskForANewActivation) {
  old_account(kOlder, kPrimary, kTeacherA, "2026-01-01T00:00:00.000Z", "first-hash");
  old_account(kNewer, kSecondary, kTeacherB, "2026-02-01T00:00:00.000Z", "second-hash");
  upgrade();
  const auto merged = account(kOlder);
  EXPECT_EQ(merged->status, "PendingActivation");
  EXPECT_FALSE(merged->password_hash);
  EXPECT_EQ(merged->memberships.size(), 2u);
  EXPECT_EQ(live_refresh_tokens(kOlder), 0);  // whoever signed in with either password signs in again
  EXPECT_EQ(announced().front()["status"], "PendingActivation");
}

// A school must keep a way in: only its administrators issue codes.
TEST_F(AccountMerge, WithSeveralPasswordsAnAdministratorsIsKept) {
  old_account(kOlder, kPrimary, kTeacherA, "2026-01-01T00:00:00.000Z", "teacher-hash");
  old_account(kNewer, kSecondary, kTeacherB, "2026-02-01T00:00:00.000Z", "admin-hash");
  db_.write([&](store::Transaction& tx) {
    tx.session()
        << "UPDATE users SET role = 'SchoolAdmin', entity_id = NULL, entity_type = NULL WHERE id = :id",
        soci::use(kNewer);
  });
  upgrade();
  const auto merged = account(kOlder);
  EXPECT_EQ(merged->status, "Active");
  EXPECT_EQ(merged->password_hash, "admin-hash");
  EXPECT_EQ(merged->roles_in(kSecondary), std::vector<std::string>{"SchoolAdmin"});
}

TEST_F(AccountMerge, AccountsOfDifferentPhonesAndDeletedEntitiesStayApart) {
  old_account(kOlder, kPrimary, kTeacherA, "2026-01-01T00:00:00.000Z", "the-hash");
  db_.write([&](store::Transaction& tx) {
    tx.session() << "UPDATE users SET status = 'Disabled' WHERE id = :id", soci::use(kOlder);
    add_tombstone(tx, kTeacherA, kPrimary);
  });
  old_account(kNewer, kSecondary, kTeacherB, "2026-02-01T00:00:00.000Z", nullptr);
  upgrade();
  EXPECT_TRUE(account(kOlder)->memberships.empty());  // its teacher was deleted
  EXPECT_EQ(account(kOlder)->password_hash, "the-hash");
  EXPECT_EQ(account(kNewer)->status, "PendingActivation");
  EXPECT_EQ(account(kNewer)->memberships.size(), 1u);
  EXPECT_TRUE(announced().empty());
}

}  // namespace
}  // namespace emis::identity
