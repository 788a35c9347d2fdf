#include "eventbus/schema.hpp"

namespace emis::eventbus {

std::vector<store::Migration> schema_migrations() {
  return {
      {9001,
       "eventbus outbox and inbox",
       {
           // seq orders publication; sent_at_ms stays NULL until a delivery report says ok.
           "CREATE TABLE outbox ("
           " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
           " event_id TEXT NOT NULL UNIQUE,"
           " topic TEXT NOT NULL,"
           " event_key TEXT NOT NULL,"
           " event_type TEXT NOT NULL,"
           " value TEXT NOT NULL,"
           " headers TEXT NOT NULL,"
           " created_at_ms INTEGER NOT NULL,"
           " sent_at_ms INTEGER,"
           " attempts INTEGER NOT NULL DEFAULT 0,"
           " last_error TEXT)",
           "CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at_ms IS NULL",
           "CREATE INDEX outbox_sent ON outbox (sent_at_ms) WHERE sent_at_ms IS NOT NULL",
           // One row per event a consumer group has handled or dead-lettered.
           "CREATE TABLE inbox ("
           " consumer TEXT NOT NULL,"
           " event_id TEXT NOT NULL,"
           " event_type TEXT NOT NULL,"
           " topic TEXT NOT NULL,"
           " partition_no INTEGER NOT NULL,"
           " offset_no INTEGER NOT NULL,"
           " outcome TEXT NOT NULL,"
           " handled_at TEXT NOT NULL,"
           " PRIMARY KEY (consumer, event_id))",
       }},
      {9002,
       "eventbus inbox retention",
       {
           // The inbox is pruned by age (eventbus/inbox.hpp).
           "CREATE INDEX inbox_handled_at ON inbox (consumer, handled_at)",
       }},
      {9003,
       "eventbus outbox null keys",
       {
           // A dead letter keeps the null key of the message it copies.
           "ALTER TABLE outbox ADD COLUMN null_key INTEGER NOT NULL DEFAULT 0",
       }},
  };
}

}  // namespace emis::eventbus
