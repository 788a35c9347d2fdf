// The inbox on a real SQLite file: an outcome is recorded once per event and
// consumer group, a replay passes only an event that was dead-lettered, and
// pruning removes only entries older than the cutoff, a batch at a time.
#include <gtest/gtest.h>

#include "eventbus/inbox.hpp"
#include "eventbus/schema.hpp"
#include "store/database.hpp"
#include "support/test_env.hpp"

namespace emis::eventbus {
namespace {

class EventbusInbox : public ::testing::Test {
 protected:
  EventbusInbox() : db_({testing::test_database_url(dir_, "test.db")}) { db_.migrate(schema_migrations()); }

  bool record(const Inbox& inbox, const std::string& id, InboxOutcome outcome, bool replay = false) {
    return db_.write([&](store::Transaction& tx) {
      return inbox.record(tx, InboxEntry{id, "ThingHappened", "things", 0, 7, replay}, outcome);
    });
  }
  bool seen(const Inbox& inbox, const std::string& id) {
    return db_.read([&](soci::session& s) { return inbox.seen(s, id); });
  }
  std::string outcome(const std::string& id) {
    return db_.read([&](soci::session& s) {
      std::string o;
      s << "SELECT outcome FROM inbox WHERE event_id = :id", soci::use(id), soci::into(o);
      return o;
    });
  }

  testing::ScratchDir dir_;
  store::Database db_;
};

TEST_F(EventbusInbox, RecordsAnEventOncePerConsumerGroup) {
  const Inbox a("group-a"), b("group-b");
  EXPECT_FALSE(seen(a, "e1"));
  EXPECT_TRUE(record(a, "e1", InboxOutcome::handled));
  EXPECT_TRUE(seen(a, "e1"));
  EXPECT_FALSE(record(a, "e1", InboxOutcome::handled));
  EXPECT_FALSE(record(a, "e1", InboxOutcome::dead_lettered));
  EXPECT_EQ(outcome("e1"), "handled");
  EXPECT_FALSE(seen(b, "e1"));
  EXPECT_TRUE(record(b, "e1", InboxOutcome::dead_lettered));
}

TEST_F(EventbusInbox, AReplayPassesOnlyWhenTheEventWasDeadLettered) {
  const Inbox inbox("group");
  ASSERT_TRUE(record(inbox, "handled-before", InboxOutcome::handled));
  ASSERT_TRUE(record(inbox, "dead-before", InboxOutcome::dead_lettered));
  EXPECT_FALSE(record(inbox, "handled-before", InboxOutcome::handled, /*replay=*/true));
  EXPECT_TRUE(record(inbox, "dead-before", InboxOutcome::handled, /*replay=*/true));
  EXPECT_EQ(outcome("dead-before"), "handled");
  EXPECT_FALSE(record(inbox, "dead-before", InboxOutcome::handled, /*replay=*/true));  // once
  EXPECT_TRUE(record(inbox, "never-seen", InboxOutcome::handled, /*replay=*/true));
}

TEST_F(EventbusInbox, PrunesEntriesOlderThanTheCutoffOnly) {
  const Inbox inbox("group"), other("other-group");
  ASSERT_TRUE(record(inbox, "old", InboxOutcome::handled));
  ASSERT_TRUE(record(other, "old-other", InboxOutcome::handled));
  db_.write([](store::Transaction& tx) {
    tx.session() << "UPDATE inbox SET handled_at = '2020-01-01T00:00:00.000Z'";
  });
  ASSERT_TRUE(record(inbox, "new", InboxOutcome::handled));
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24 * 8);
  EXPECT_EQ(db_.write([&](store::Transaction& tx) { return inbox.prune(tx, cutoff, 10); }), 1);
  EXPECT_FALSE(seen(inbox, "old"));
  EXPECT_TRUE(seen(inbox, "new"));
  EXPECT_TRUE(seen(other, "old-other"));  // another group's entries are its own business
}

TEST_F(EventbusInbox, PrunesAtMostABatchAtATimeTheOldestFirst) {
  const Inbox inbox("group");
  for (const auto* id : {"oldest", "older", "old"}) ASSERT_TRUE(record(inbox, id, InboxOutcome::handled));
  db_.write([](store::Transaction& tx) {
    tx.session()
        << "UPDATE inbox SET handled_at = CASE event_id WHEN 'oldest' THEN '2020-01-01T00:00:00.000Z' "
           "WHEN 'older' THEN '2020-01-02T00:00:00.000Z' ELSE '2020-01-03T00:00:00.000Z' END";
  });
  const auto prune = [&] {
    return db_.write(
        [&](store::Transaction& tx) { return inbox.prune(tx, std::chrono::system_clock::now(), 2); });
  };
  EXPECT_EQ(prune(), 2);
  EXPECT_FALSE(seen(inbox, "oldest"));
  EXPECT_FALSE(seen(inbox, "older"));
  EXPECT_TRUE(seen(inbox, "old"));
  EXPECT_EQ(prune(), 1);
  EXPECT_EQ(prune(), 0);
}

}  // namespace
}  // namespace emis::eventbus
