#include "eventbus/inbox.hpp"

#include "core/clock.hpp"

namespace emis::eventbus {
namespace {

const char* to_text(InboxOutcome outcome) {
  return outcome == InboxOutcome::handled ? "handled" : "dead-lettered";
}

}  // namespace

bool Inbox::record(store::Transaction& tx, const InboxEntry& entry, InboxOutcome outcome) const {
  // Named values: SOCI binds references, and the statement runs after this line.
  const std::string outcome_text = to_text(outcome);
  const long long offset = entry.offset;
  const int partition = entry.partition;
  const std::string at = core::now_iso8601();
  return tx.run(
             "INSERT INTO inbox (consumer, event_id, event_type, topic, partition_no, offset_no, outcome, "
             "handled_at) VALUES (:c, :id, :type, :topic, :p, :o, :outcome, :at) " +
                 std::string(entry.replay ? "ON CONFLICT (consumer, event_id) DO UPDATE SET "
                                            "topic = excluded.topic, partition_no = excluded.partition_no, "
                                            "offset_no = excluded.offset_no, outcome = excluded.outcome, "
                                            "handled_at = excluded.handled_at "
                                            "WHERE inbox.outcome = 'dead-lettered'"
                                          : "ON CONFLICT DO NOTHING"),
             soci::use(consumer_), soci::use(entry.event_id), soci::use(entry.event_type),
             soci::use(entry.topic), soci::use(partition), soci::use(offset), soci::use(outcome_text),
             soci::use(at)) > 0;
}

bool Inbox::seen(soci::session& session, const std::string& event_id) const {
  int n = 0;
  session << "SELECT COUNT(*) FROM inbox WHERE consumer = :c AND event_id = :id", soci::use(consumer_),
      soci::use(event_id), soci::into(n);
  return n > 0;
}

long long Inbox::prune(store::Transaction& tx, std::chrono::system_clock::time_point cutoff,
                       int limit) const {
  // handled_at is ISO-8601 UTC of one fixed format, so text order is time order.
  const std::string before = core::to_iso8601(cutoff);
  return tx.run(
      "DELETE FROM inbox WHERE consumer = :c AND event_id IN (SELECT event_id FROM inbox "
      "WHERE consumer = :c2 AND handled_at < :t ORDER BY handled_at LIMIT :n)",
      soci::use(consumer_), soci::use(consumer_), soci::use(before), soci::use(limit));
}

}  // namespace emis::eventbus
