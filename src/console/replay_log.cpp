#include "console/replay_log.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/row.hpp"

namespace emis::console {
namespace {

constexpr const char* kColumns =
    "id, requested_at, operator_id, operator_name, dlq_topic, dlq_partition, dlq_offset, original_topic,"
    " original_partition, original_offset, consumer_group, error_class, event_id, fixed, value_text, "
    "outcome, delivered_partition, delivered_offset,"
    " error, finished_at";

ReplayEntry entry_of(const soci::row& r) {
  ReplayEntry e;
  e.id = r.get<std::string>(0);
  e.requested_at = r.get<std::string>(1);
  e.operator_id = r.get<std::string>(2);
  e.operator_name = r.get<std::string>(3);
  e.dead_letter = {r.get<std::string>(4), static_cast<int>(store::int64_column(r, 5)),
                   store::int64_column(r, 6)};
  e.original = {r.get<std::string>(7), static_cast<int>(store::int64_column(r, 8)),
                store::int64_column(r, 9)};
  e.consumer_group = r.get<std::string>(10);
  e.error_class = r.get<std::string>(11);
  e.event_id = r.get<std::string>(12);
  e.fixed = store::int64_column(r, 13) != 0;
  e.value = r.get<std::string>(14);
  e.outcome = r.get<std::string>(15);
  e.delivered_partition = static_cast<int>(store::int64_column(r, 16));
  e.delivered_offset = store::int64_column(r, 17);
  e.error = r.get<std::string>(18);
  e.finished_at = r.get<std::string>(19);
  return e;
}

}  // namespace

std::vector<store::Migration> replay_log_migrations() {
  return {{4,
           "console_replays",
           {"CREATE TABLE console_replays ("
            " id TEXT PRIMARY KEY,"
            " requested_at TEXT NOT NULL,"
            " operator_id TEXT NOT NULL,"
            " operator_name TEXT NOT NULL,"
            " dlq_topic TEXT NOT NULL,"
            " dlq_partition INTEGER NOT NULL,"
            " dlq_offset BIGINT NOT NULL,"
            " original_topic TEXT NOT NULL,"
            " original_partition INTEGER NOT NULL,"
            " original_offset BIGINT NOT NULL,"
            " consumer_group TEXT NOT NULL,"
            " error_class TEXT NOT NULL,"
            " event_id TEXT NOT NULL,"
            " fixed INTEGER NOT NULL,"
            " value_text TEXT NOT NULL,"
            " outcome TEXT NOT NULL,"
            " delivered_partition INTEGER NOT NULL,"
            " delivered_offset BIGINT NOT NULL,"
            " error TEXT NOT NULL,"
            " finished_at TEXT NOT NULL)",
            "CREATE INDEX console_replays_letter ON console_replays (dlq_topic, dlq_partition, dlq_offset)",
            "CREATE INDEX console_replays_original ON console_replays (original_topic, original_partition,"
            " original_offset)",
            "CREATE INDEX console_replays_time ON console_replays (requested_at)"}},
          // Two replays begun in the same millisecond share requested_at; the
          // sequence keeps them in the order they were begun.
          {5,
           "console_replays_sequence",
           {"ALTER TABLE console_replays ADD COLUMN seq BIGINT NOT NULL DEFAULT 0",
            "CREATE INDEX console_replays_seq ON console_replays (seq)"}}};
}

ReplayEntry ReplayLog::begin(ReplayEntry e) const {
  e.id = core::new_uuid();
  e.requested_at = core::now_iso8601();
  e.outcome = "pending";
  db_.write([&](store::Transaction& tx) {
    const int fixed = e.fixed ? 1 : 0;
    const long long offset = e.dead_letter.offset;
    const long long original_offset = e.original.offset;
    tx.session()
        << "INSERT INTO console_replays (" << kColumns
        << ", seq) SELECT :id, :at, :op, :name, :dlq, :p, :o, :topic, :op2, :oo, :grp, :cls, :event, :fixed,"
           " :value, 'pending', -1, -1, '', '', COALESCE(MAX(seq), 0) + 1 FROM console_replays",
        soci::use(e.id), soci::use(e.requested_at), soci::use(e.operator_id), soci::use(e.operator_name),
        soci::use(e.dead_letter.topic), soci::use(e.dead_letter.partition), soci::use(offset),
        soci::use(e.original.topic), soci::use(e.original.partition), soci::use(original_offset),
        soci::use(e.consumer_group), soci::use(e.error_class), soci::use(e.event_id), soci::use(fixed),
        soci::use(e.value);
  });
  return e;
}

void ReplayLog::delivered(const std::string& id, int partition, std::int64_t offset) const {
  db_.write([&](store::Transaction& tx) {
    const long long o = offset;
    const std::string now = core::now_iso8601();
    tx.session() << "UPDATE console_replays SET outcome = 'delivered', delivered_partition = :p,"
                    " delivered_offset = :o, finished_at = :at WHERE id = :id",
        soci::use(partition), soci::use(o), soci::use(now), soci::use(id);
  });
}

void ReplayLog::failed(const std::string& id, const std::string& error) const {
  db_.write([&](store::Transaction& tx) {
    const std::string now = core::now_iso8601();
    tx.session()
        << "UPDATE console_replays SET outcome = 'failed', error = :e, finished_at = :at WHERE id = :id",
        soci::use(error), soci::use(now), soci::use(id);
  });
}

std::optional<ReplayEntry> ReplayLog::delivered_replay_of(const Place& dead_letter,
                                                          const Place& original) const {
  return db_.read([&](soci::session& s) -> std::optional<ReplayEntry> {
    const long long o = dead_letter.offset;
    const long long oo = original.offset;
    soci::rowset<soci::row> rows =
        (s.prepare
             << "SELECT " << kColumns
             << " FROM console_replays WHERE outcome = 'delivered' AND ((dlq_topic = :t AND "
                "dlq_partition = :p"
                " AND dlq_offset = :o) OR (original_topic = :ot AND original_partition = :op"
                " AND original_offset = :oo AND original_offset >= 0)) ORDER BY seq, requested_at LIMIT 1",
         soci::use(dead_letter.topic), soci::use(dead_letter.partition), soci::use(o),
         soci::use(original.topic), soci::use(original.partition), soci::use(oo));
    for (const auto& r : rows) return entry_of(r);
    return std::nullopt;
  });
}

std::vector<ReplayEntry> ReplayLog::latest(int limit) const {
  return db_.read([&](soci::session& s) {
    std::vector<ReplayEntry> out;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT " << kColumns
                   << " FROM console_replays ORDER BY seq DESC, requested_at DESC LIMIT :n",
         soci::use(limit));
    for (const auto& r : rows) out.push_back(entry_of(r));
    return out;
  });
}

}  // namespace emis::console
