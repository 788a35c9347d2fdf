// Moving a SQLite deployment to PostgreSQL: rows, nulls and outbox order
// survive, and the target's numbering goes on after the imported rows.
#include <gtest/gtest.h>

#include "eventbus/outbox.hpp"
#include "eventbus/schema.hpp"
#include "store/import.hpp"
#include "support/test_env.hpp"

namespace emis::store {
namespace {

const std::vector<Migration> kThings{
    {1, "things", {"CREATE TABLE things (id TEXT PRIMARY KEY, name TEXT, size INTEGER NOT NULL)"}}};

long long count(Database& db, const std::string& sql) {
  return db.read([&](soci::session& s) {
    long long n = 0;
    s << sql, soci::into(n);
    return n;
  });
}

TEST(StoreImport, CopiesEveryRowAndTheTargetNumbersOnAfterThem) {
  if (!testing::on_postgresql()) GTEST_SKIP() << "imports into PostgreSQL";
  testing::ScratchDir dir("import");
  Database sqlite({dir.file("source.db")});
  Database target({testing::test_database_url(dir, "unused")});
  for (auto* db : {&sqlite, &target}) {
    db->migrate(eventbus::schema_migrations());
    db->migrate(kThings);
  }
  eventbus::Outbox outbox({}, {});
  sqlite.write([&](Transaction& tx) {
    tx.session() << "INSERT INTO things (id, name, size) VALUES ('a', 'first', 3), ('b', NULL, 5000000000)";
    for (int i = 0; i < 3; ++i)
      outbox.add(tx, {"topic",
                      "key-" + std::to_string(i),
                      "{}",
                      {{"event-type", "ThingHappened"}},
                      "event-" + std::to_string(i)});
    tx.session() << "UPDATE outbox SET sent_at_ms = 1 WHERE event_id = 'event-0'";  // one sent, two waiting
  });

  const auto imported = import_rows(sqlite, target);
  EXPECT_EQ(imported.size(), 3u);  // inbox, outbox, things
  EXPECT_EQ(count(target, "SELECT COUNT(*) FROM things WHERE name IS NULL AND size = 5000000000"), 1);
  EXPECT_EQ(count(target, "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL"), 2);
  EXPECT_EQ(count(target, "SELECT MIN(seq) FROM outbox WHERE sent_at_ms IS NULL"),
            count(sqlite, "SELECT MIN(seq) FROM outbox WHERE sent_at_ms IS NULL"));
  target.write([&](Transaction& tx) { outbox.add(tx, {"topic", "key-3", "{}", {}, "event-3"}); });
  EXPECT_EQ(count(target, "SELECT seq FROM outbox WHERE event_id = 'event-3'"),
            count(sqlite, "SELECT MAX(seq) FROM outbox") + 1);

  EXPECT_THROW(import_rows(sqlite, target), std::runtime_error) << "a second import must not double the rows";
  EXPECT_EQ(count(target, "SELECT COUNT(*) FROM things"), 2);
}

}  // namespace
}  // namespace emis::store
