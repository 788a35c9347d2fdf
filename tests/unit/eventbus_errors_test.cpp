// How the consumer classifies what the database says: busy and locked may
// pass (transient), a broken constraint never will (permanent), and any other
// SQL error is a bug that must not be retried forever (unclassified).
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "eventbus/errors.hpp"
#include "store/database.hpp"
#include "support/test_env.hpp"

namespace emis::eventbus {
namespace {

template <class Work>
Failure failure_of(Work&& work) {
  try {
    work();
  } catch (...) {
    return classify_current_exception();
  }
  ADD_FAILURE() << "no exception";
  return {};
}

class EventbusErrors : public ::testing::Test {
 protected:
  EventbusErrors() : db_({testing::test_database_url(dir_, "test.db")}) {
    db_.migrate({{1, "things", {"CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"}}});
  }
  testing::ScratchDir dir_;
  store::Database db_;
};

TEST_F(EventbusErrors, ASqlBugIsUnclassifiedNotTransient) {
  const auto failure = failure_of([&] {
    db_.write([](store::Transaction& tx) { tx.session() << "UPDATE things SET no_such_column = 1"; });
  });
  EXPECT_EQ(failure.kind, FailureKind::unclassified) << failure.message;
  EXPECT_EQ(failure.error_class, "database-error");
}

TEST_F(EventbusErrors, ABrokenConstraintIsPermanent) {
  const auto failure = failure_of([&] {
    db_.write([](store::Transaction& tx) {
      tx.session() << "INSERT INTO things (name) VALUES ('a')";
      tx.session() << "INSERT INTO things (name) VALUES ('a')";
    });
  });
  EXPECT_EQ(failure.kind, FailureKind::permanent);
  EXPECT_EQ(failure.error_class, "conflict");
}

TEST_F(EventbusErrors, ABusyDatabaseIsTransient) {
  if (testing::on_postgresql()) GTEST_SKIP() << "holds SQLite's writer lock; PostgreSQL has none";
  // Raw sessions, so the error is SQLite's own, not the Database's translation.
  soci::session holder(soci::sqlite3, "db=" + dir_.file("test.db"));
  soci::session writer(soci::sqlite3, "db=" + dir_.file("test.db"));
  writer << "PRAGMA busy_timeout = 0";
  holder << "BEGIN IMMEDIATE";
  const auto failure = failure_of([&] { writer << "INSERT INTO things (name) VALUES ('b')"; });
  holder << "ROLLBACK";
  EXPECT_EQ(failure.kind, FailureKind::transient) << failure.message;
  // And through the Database, which translates it.
  holder << "BEGIN IMMEDIATE";
  store::DatabaseOptions impatient{dir_.file("test.db")};
  impatient.busy_timeout = std::chrono::milliseconds(0);
  store::Database db(impatient);
  const auto translated = failure_of([&] {
    db.write([](store::Transaction& tx) { tx.session() << "INSERT INTO things (name) VALUES ('c')"; });
  });
  holder << "ROLLBACK";
  EXPECT_EQ(translated.kind, FailureKind::transient) << translated.message;
}

}  // namespace
}  // namespace emis::eventbus
