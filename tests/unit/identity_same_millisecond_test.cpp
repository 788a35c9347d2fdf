// Rows made in the same millisecond keep the order they were made in:
// timestamps have milliseconds, so ties fall to the ids, which one process
// makes in increasing order (core::new_uuid). The rows go in against that
// order, so only the tie-break can put them right.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "identity/sms_queue.hpp"
#include "identity/user_store.hpp"
#include "support/test_env.hpp"

namespace emis::identity {
namespace {

class SameMillisecond : public ::testing::Test {
 protected:
  SameMillisecond() : db_({testing::test_database_url(dir_, "identity.db")}) {
    db_.migrate(identity_migrations());
    for (auto& id : ids_) id = core::new_uuid();
  }

  testing::ScratchDir dir_;
  store::Database db_;
  std::vector<std::string> ids_ = std::vector<std::string>(3);  // ascending
  const std::string at_ = core::now_iso8601();
};

TEST_F(SameMillisecond, DueTextMessagesGoOutInTheOrderTheyWereQueued) {
  const std::string pending = sms_status::pending;
  const long long due = 1000;
  db_.write([&](store::Transaction& tx) {
    for (auto id = ids_.rbegin(); id != ids_.rend(); ++id)
      tx.session()
          << "INSERT INTO sms_messages (id, user_id, purpose, phone_number, text, status, attempts, "
             "next_attempt_at_ms, created_at) VALUES (:id, :u, 'Activation', '+84912345678', 'code', "
             ":s, 0, :due, :c)",
          soci::use(*id), soci::use(*id), soci::use(pending), soci::use(due), soci::use(at_);
  });
  const auto queued = db_.read([](soci::session& s) { return due_sms(s, 2000, 10); });
  ASSERT_EQ(queued.size(), 3u);
  for (std::size_t i = 0; i < ids_.size(); ++i) EXPECT_EQ(queued[i].id, ids_[i]) << i;
}

TEST_F(SameMillisecond, DisabledAccountsOfAPhoneAreListedNewestFirst) {
  db_.write([&](store::Transaction& tx) {
    for (const auto& id : ids_) {
      User user;
      user.id = id;
      user.phone_number = "+84912345678";
      user.full_name = "Pham Van Binh";
      user.status = "Disabled";
      user.created_at = user.updated_at = at_;
      insert_user(tx, user);
    }
  });
  const auto users = db_.read([](soci::session& s) { return find_users_by_phone(s, "+84912345678"); });
  ASSERT_EQ(users.size(), 3u);
  for (std::size_t i = 0; i < ids_.size(); ++i) EXPECT_EQ(users[i].id, ids_[ids_.size() - 1 - i]) << i;
}

}  // namespace
}  // namespace emis::identity
