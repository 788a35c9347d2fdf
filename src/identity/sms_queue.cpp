#include "identity/sms_queue.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/row.hpp"

namespace emis::identity {
namespace {

std::int64_t now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

// Ends a message's life: its text goes, its outcome stays.
void finish(store::Transaction& tx, const std::string& id, const char* status, int attempts,
            const std::optional<std::string>& error) {
  const auto at = core::now_iso8601();
  const std::string status_text = status;
  store::Nullable last_error(error);
  tx.session() << "UPDATE sms_messages SET status = :s, text = NULL, attempts = :a, last_error = :e, "
                  "finished_at = :f WHERE id = :id",
      soci::use(status_text), soci::use(attempts), soci::use(last_error.value, last_error.ind), soci::use(at),
      soci::use(id);
}

}  // namespace

std::vector<store::Migration> sms_queue_migrations() {
  return {{8112,
           "sms messages",
           {"CREATE TABLE sms_messages ("
            " id TEXT PRIMARY KEY,"
            " user_id TEXT NOT NULL,"
            " purpose TEXT NOT NULL,"
            " phone_number TEXT NOT NULL,"
            " text TEXT,"
            " status TEXT NOT NULL,"
            " attempts INTEGER NOT NULL DEFAULT 0,"
            " next_attempt_at_ms BIGINT NOT NULL,"
            " last_error TEXT,"
            " created_at TEXT NOT NULL,"
            " finished_at TEXT)",
            "CREATE INDEX sms_messages_due ON sms_messages (status, next_attempt_at_ms)",
            "CREATE INDEX sms_messages_user ON sms_messages (user_id)"}}};
}

std::string queue_sms(store::Transaction& tx, const std::string& user_id, const std::string& purpose,
                      const std::string& to, const std::string& text) {
  withdraw_pending_sms(tx, user_id);  // the new code replaced the one they carry
  const std::string pending = sms_status::pending;
  const auto at = core::now_iso8601();
  const auto id = core::new_uuid();
  const long long due = now_ms();
  tx.session() << "INSERT INTO sms_messages (id, user_id, purpose, phone_number, text, status, attempts, "
                  "next_attempt_at_ms, created_at) VALUES (:id, :u, :p, :to, :t, :s, 0, :due, :c)",
      soci::use(id), soci::use(user_id), soci::use(purpose), soci::use(to), soci::use(text),
      soci::use(pending), soci::use(due), soci::use(at);
  return id;
}

void withdraw_pending_sms(store::Transaction& tx, const std::string& user_id) {
  const std::string pending = sms_status::pending, superseded = sms_status::superseded;
  const auto at = core::now_iso8601();
  tx.session() << "UPDATE sms_messages SET status = :s, text = NULL, finished_at = :f "
                  "WHERE user_id = :u AND status = :pending",
      soci::use(superseded), soci::use(at), soci::use(user_id), soci::use(pending);
}

std::vector<QueuedSms> due_sms(soci::session& s, std::int64_t now_at_ms, int limit) {
  const std::string pending = sms_status::pending;
  const long long now = now_at_ms;
  soci::rowset<soci::row> rows =
      (s.prepare
           << "SELECT id, user_id, purpose, phone_number, text, attempts FROM sms_messages "
              "WHERE status = :s AND next_attempt_at_ms <= :now ORDER BY next_attempt_at_ms, created_at, "
              "id LIMIT :n",
       soci::use(pending), soci::use(now), soci::use(limit));
  std::vector<QueuedSms> due;
  for (const auto& r : rows)
    due.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                   store::optional_text(r, 4).value_or(""), static_cast<int>(store::int64_column(r, 5))});
  return due;
}

std::optional<std::int64_t> next_sms_due_ms(soci::session& s) {
  const std::string pending = sms_status::pending;
  long long due = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT MIN(next_attempt_at_ms) FROM sms_messages WHERE status = :s", soci::use(pending),
      soci::into(due, ind);
  if (ind != soci::i_ok) return std::nullopt;
  return due;
}

void mark_sms_sent(store::Transaction& tx, const std::string& id, int attempts) {
  finish(tx, id, sms_status::sent, attempts, std::nullopt);
}

void schedule_sms_retry(store::Transaction& tx, const std::string& id, int attempts, std::int64_t due_ms,
                        const std::string& error) {
  const long long due = due_ms;
  tx.session() << "UPDATE sms_messages SET attempts = :a, next_attempt_at_ms = :d, last_error = :e "
                  "WHERE id = :id",
      soci::use(attempts), soci::use(due), soci::use(error), soci::use(id);
}

void mark_sms_undeliverable(store::Transaction& tx, const std::string& id, int attempts,
                            const std::string& error) {
  finish(tx, id, sms_status::undeliverable, attempts, error);
}

std::vector<SmsRecord> sms_of_user(soci::session& s, const std::string& user_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT id, user_id, phone_number, status, attempts, text, last_error FROM sms_messages "
                    "WHERE user_id = :u ORDER BY created_at, id",
       soci::use(user_id));
  std::vector<SmsRecord> records;
  for (const auto& r : rows)
    records.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                       r.get<std::string>(3), static_cast<int>(store::int64_column(r, 4)),
                       store::optional_text(r, 5), store::optional_text(r, 6)});
  return records;
}

}  // namespace emis::identity
