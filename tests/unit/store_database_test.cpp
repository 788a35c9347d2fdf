// The database's write path: transactions, and group commit under
// concurrency (a failing writer undoes only its own work).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/errors.hpp"
#include "store/database.hpp"
#include "store/statement_cache.hpp"
#include "support/test_env.hpp"

namespace emis::store {
namespace {

class DatabaseWrites : public ::testing::Test {
 protected:
  DatabaseWrites() : db_({testing::test_database_url(dir_, "test.db")}) {
    db_.migrate({{1, "things", {"CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"}}});
  }
  long long count() {
    return db_.read([](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM things", soci::into(n);
      return n;
    });
  }
  void insert(Transaction& tx, const std::string& name) {
    tx.session() << "INSERT INTO things (name) VALUES (:n)", soci::use(name);
  }

  testing::ScratchDir dir_;
  Database db_;
};

TEST_F(DatabaseWrites, ReturnsTheWorksResultAndRunsAfterCommit) {
  bool woken = false;
  const auto n = db_.write([&](Transaction& tx) {
    insert(tx, "a");
    tx.after_commit([&] { woken = true; });
    return 42;
  });
  EXPECT_EQ(n, 42);
  EXPECT_TRUE(woken);
  EXPECT_EQ(count(), 1);
}

TEST_F(DatabaseWrites, AnAfterCommitCallbackThatThrowsNeitherSkipsTheOthersNorFailsTheWrite) {
  // The row is committed: a caller told otherwise would write it again.
  int later = 0;
  EXPECT_NO_THROW(db_.write([&](Transaction& tx) {
    insert(tx, "a");
    tx.after_commit([] { throw std::runtime_error("a cache refused"); });
    tx.after_commit([&] { ++later; });
  }));
  EXPECT_EQ(later, 1);
  EXPECT_EQ(count(), 1);
}

TEST_F(DatabaseWrites, AThrowingWorkLeavesNothingAndSkipsAfterCommit) {
  bool woken = false;
  EXPECT_THROW(db_.write([&](Transaction& tx) {
    insert(tx, "a");
    tx.after_commit([&] { woken = true; });
    throw std::runtime_error("refused");
  }),
               std::runtime_error);
  EXPECT_FALSE(woken);
  EXPECT_EQ(count(), 0);
}

TEST_F(DatabaseWrites, ConcurrentWritersCommitTogetherAndFailAlone) {
  // 8 threads x 50 writes; every fifth write inserts two rows and then
  // throws, so its first row must vanish while its neighbours' rows stay.
  constexpr int kThreads = 8, kWrites = 50;
  std::atomic<int> failed{0}, committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const auto name = std::to_string(t) + "-" + std::to_string(i);
        try {
          db_.write([&](Transaction& tx) {
            insert(tx, name);
            if (i % 5 == 0) {
              insert(tx, name + "-extra");
              throw core::DomainError(core::ErrorKind::validation, "no");
            }
          });
          ++committed;
        } catch (const core::DomainError&) {
          ++failed;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed, kThreads * kWrites / 5);
  EXPECT_EQ(committed, kThreads * kWrites - failed);
  EXPECT_EQ(count(), committed.load());
}

// The database again, on sessions that flush at commit as a deployment's do
// (the PostgreSQL test fixture turns synchronous_commit off for speed).
std::unique_ptr<Database> flushing(Database& db) {
  if (db.dialect() == Dialect::postgresql)
    db.write([](Transaction& tx) {
      tx.session() << "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', "
                      "current_database()); END $$";
    });
  return std::make_unique<Database>(db.options());
}

// The flush level a transaction will commit with, read inside it.
bool flushes_at_commit(Transaction& tx) {
  if (tx.dialect() == Dialect::postgresql) {
    std::string level;
    tx.session() << "SHOW synchronous_commit", soci::into(level);
    return level != "off";
  }
  int level = 0;
  tx.session() << "PRAGMA synchronous", soci::into(level);
  return level >= 2;  // FULL or EXTRA; NORMAL (1) does not flush a WAL commit
}

TEST_F(DatabaseWrites, ARelaxedWriteCommitsWithoutAFlushAndTheNextDurableOneFlushes) {
  const auto db = flushing(db_);
  EXPECT_TRUE(db->write([&](Transaction& tx) { return flushes_at_commit(tx); }));
  EXPECT_FALSE(db->write([&](Transaction& tx) { return flushes_at_commit(tx); }, Durability::relaxed));
  EXPECT_TRUE(db->write([&](Transaction& tx) {
    insert(tx, "a");
    return flushes_at_commit(tx);
  }));
  EXPECT_EQ(count(), 1);
}

TEST_F(DatabaseWrites, ADurableWriteFlushesEvenWhenItCommitsBesideRelaxedOnes) {
  // 8 threads x 40 writes, every other one relaxed: SQLite commits them in
  // shared batches, and a batch with one durable writer in it must flush.
  constexpr int kThreads = 8, kWrites = 40;
  const auto db = flushing(db_);
  std::atomic<int> durable_unflushed{0}, relaxed_unflushed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const bool relaxed = (t + i) % 2 == 0;
        const bool flushes = db->write(
            [&](Transaction& tx) {
              insert(tx, std::to_string(t) + "-" + std::to_string(i));
              return flushes_at_commit(tx);
            },
            relaxed ? Durability::relaxed : Durability::durable);
        if (!flushes) ++(relaxed ? relaxed_unflushed : durable_unflushed);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(durable_unflushed, 0);
  EXPECT_GT(relaxed_unflushed, 0);
  EXPECT_EQ(count(), kThreads * kWrites);
}

std::vector<std::string> names_after(soci::session& s, const std::string& after) {
  std::vector<std::string> names;
  for_each_row(
      s, "SELECT name FROM things WHERE name > :a ORDER BY name",
      [&](const soci::row& r) { names.push_back(r.get<std::string>(0)); }, after);
  return names;
}

TEST_F(DatabaseWrites, QueriesOnItsSQLiteSessionsArePreparedOnceAndGiveEveryRowEachTime) {
  db_.write([&](Transaction& tx) {
    for (const auto* name : {"a", "b", "c"}) insert(tx, name);
  });
  const bool cached = db_.read([](soci::session& s) { return StatementCache::of(s) != nullptr; });
  EXPECT_EQ(cached, db_.dialect() == Dialect::sqlite);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(db_.read([](soci::session& s) { return names_after(s, ""); }),
              (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(db_.read([](soci::session& s) { return names_after(s, "a"); }),
              (std::vector<std::string>{"b", "c"}));
    EXPECT_TRUE(db_.read([](soci::session& s) { return names_after(s, "c"); }).empty());
    EXPECT_EQ(db_.write([](Transaction& tx) { return names_after(tx.session(), "b"); }),
              (std::vector<std::string>{"c"}));
  }
}

TEST_F(DatabaseWrites, AQueryLeftAtItsFirstRowHoldsNoSnapshotForTheNextRead) {
  db_.write([&](Transaction& tx) {
    insert(tx, "a");
    insert(tx, "b");
  });
  const auto stop_at_first_row = [](soci::session& s) {
    for_each_row(s, "SELECT name FROM things ORDER BY name",
                 [](const soci::row&) { throw std::runtime_error("enough"); });
  };
  EXPECT_THROW(db_.read(stop_at_first_row), std::runtime_error);
  db_.write([&](Transaction& tx) { insert(tx, "c"); });
  // One reader at a time takes the same pooled session: a statement still
  // open on it would show the rows as they were before "c".
  EXPECT_EQ(db_.read([](soci::session& s) { return names_after(s, ""); }),
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(DatabaseWrites, AConstraintViolationFailsOnlyItsWriter) {
  db_.write([&](Transaction& tx) { insert(tx, "taken"); });
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      try {
        db_.write([&](Transaction& tx) { insert(tx, t % 2 ? "taken" : "free-" + std::to_string(t)); });
      } catch (const std::exception& e) {
        EXPECT_TRUE(is_unique_violation(e)) << e.what();
        ++conflicts;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts, 4);
  EXPECT_EQ(count(), 1 + 4);
}

// write_async: the caller does not wait; `done` says how it went.
TEST_F(DatabaseWrites, AnAsyncWriteReportsItsCommitAfterItsCallbacks) {
  std::atomic<bool> woken{false};
  std::promise<std::exception_ptr> result;
  db_.write_async(
      [&](Transaction& tx) {
        insert(tx, "a");
        tx.after_commit([&] { woken = true; });
      },
      [&](std::exception_ptr error) {
        EXPECT_TRUE(woken);
        result.set_value(error);
      });
  EXPECT_EQ(result.get_future().get(), nullptr);
  EXPECT_EQ(count(), 1);
}

TEST_F(DatabaseWrites, ManyAsyncWritesFromOneThreadEachSucceedOrFailAlone) {
  // More writes in flight than threads: they share commits, and each failing
  // one (a duplicate name) is refused alone with the error write would throw.
  constexpr int kWrites = 300;
  std::vector<std::promise<std::exception_ptr>> results(kWrites);
  for (int i = 0; i < kWrites; ++i) {
    const auto name = i % 10 == 9 ? "dup" : std::to_string(i);
    db_.write_async(
        [this, name](Transaction& tx) { insert(tx, name); },
        [&results, i](std::exception_ptr error) { results[static_cast<std::size_t>(i)].set_value(error); });
  }
  int failed = 0;
  for (auto& r : results) {
    if (const auto error = r.get_future().get()) {
      ++failed;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        EXPECT_TRUE(is_unique_violation(e)) << e.what();
      }
    }
  }
  EXPECT_EQ(failed, kWrites / 10 - 1);  // the first "dup" wins
  EXPECT_EQ(count(), kWrites - failed);
}

TEST_F(DatabaseWrites, QueuedAsyncWritesCommitBeforeTheDatabaseCloses) {
  const auto path = testing::test_database_url(dir_, "closing.db");
  std::atomic<int> committed{0};
  {
    Database db({path});
    db.migrate({{1, "things", {"CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"}}});
    for (int i = 0; i < 50; ++i)
      db.write_async([](Transaction& tx) { tx.session() << "INSERT INTO things (name) VALUES ('x')"; },
                     [&](std::exception_ptr error) { committed += error ? 0 : 1; });
  }
  EXPECT_EQ(committed, 50);
  Database reopened({path});
  EXPECT_EQ(reopened.read([](soci::session& s) {
    int n = 0;
    s << "SELECT COUNT(*) FROM things", soci::into(n);
    return n;
  }),
            50);
}

}  // namespace
}  // namespace emis::store
