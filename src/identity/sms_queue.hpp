// The text messages waiting to be sent (an outbox for SMS): a message is
// queued in the transaction that issued its code, so the code and the
// message commit together, and the SMS sender delivers it afterwards, off
// the request's thread. A message the sender gives up on stays in the table
// as Undeliverable with its last error: the dead letters an operator lists
// with `SELECT * FROM sms_messages WHERE status = 'Undeliverable'`. The
// text (it holds the code) is erased once a message is sent, given up or
// superseded, so codes live in clear only as long as delivery needs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace emis::identity {

namespace sms_status {
inline constexpr const char* pending = "Pending";
inline constexpr const char* sent = "Sent";
inline constexpr const char* undeliverable = "Undeliverable";
inline constexpr const char* superseded = "Superseded";  // its code was replaced or withdrawn before it went
}  // namespace sms_status

// The channel a commit that queued a message notifies (PostgreSQL).
inline constexpr const char* kSmsChannel = "emis_sms_messages";

std::vector<store::Migration> sms_queue_migrations();

struct QueuedSms {
  std::string id;
  std::string user_id;
  std::string purpose;  // what the text carries, e.g. "Activation"
  std::string to;
  std::string text;
  int attempts = 0;
};

// Queues a message for `user_id`; a message still pending for the user is
// superseded (its code was just replaced: one live code per account).
std::string queue_sms(store::Transaction& tx, const std::string& user_id, const std::string& purpose,
                      const std::string& to, const std::string& text);

// Withdraws the user's pending messages: the codes they carry are dead.
void withdraw_pending_sms(store::Transaction& tx, const std::string& user_id);

// Pending messages due at `now_ms`, oldest first.
std::vector<QueuedSms> due_sms(soci::session& s, std::int64_t now_ms, int limit);
// When the next pending message falls due, if any is pending.
std::optional<std::int64_t> next_sms_due_ms(soci::session& s);

void mark_sms_sent(store::Transaction& tx, const std::string& id, int attempts);
void schedule_sms_retry(store::Transaction& tx, const std::string& id, int attempts, std::int64_t due_ms,
                        const std::string& error);
void mark_sms_undeliverable(store::Transaction& tx, const std::string& id, int attempts,
                            const std::string& error);

struct SmsRecord {
  std::string id;
  std::string user_id;
  std::string to;
  std::string status;
  int attempts = 0;
  std::optional<std::string> text;
  std::optional<std::string> last_error;
};
// Every message of a user, oldest first (for operators and tests).
std::vector<SmsRecord> sms_of_user(soci::session& s, const std::string& user_id);

}  // namespace emis::identity
