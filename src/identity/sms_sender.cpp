#include "identity/sms_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/clock.hpp"
#include "identity/phone_mask.hpp"

namespace emis::identity {
namespace {

using std::chrono::milliseconds;

// Also how often a standby instance looks whether the lease is free.
constexpr milliseconds kIdleWait{1000};
constexpr int kBatch = 20;

std::int64_t now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

core::Counter& outcome_counter(core::MetricsRegistry& metrics, const char* outcome) {
  return metrics.counter("emis_sms_messages_total", "Text messages by delivery outcome",
                         {{"outcome", outcome}});
}

}  // namespace

milliseconds SmsRetryPolicy::delay_after(int attempts) const {
  auto delay = first_delay;
  for (int i = 1; i < attempts && delay < max_delay; ++i) delay *= 2;
  return std::min(delay, max_delay);
}

SmsSender::SmsSender(store::Database& db, Notifier& notifier, SmsRetryPolicy policy,
                     core::MetricsRegistry& metrics)
    : db_(db),
      notifier_(notifier),
      policy_(policy),
      sent_(outcome_counter(metrics, "sent")),
      retried_(outcome_counter(metrics, "retried")),
      undeliverable_(outcome_counter(metrics, "undeliverable")),
      worker_(db, "sms sender", kSmsChannel, kIdleWait) {
  // Read from the table, so that it survives restarts: what to alert on.
  metrics.gauge_callback("emis_sms_undeliverable", "Text messages given up on (sms_messages)", {}, [&db] {
    return db.read([](soci::session& s) {
      long long n = 0;
      const std::string status = sms_status::undeliverable;
      s << "SELECT COUNT(*) FROM sms_messages WHERE status = :s", soci::use(status), soci::into(n);
      return static_cast<double>(n);
    });
  });
}

SmsSender::~SmsSender() { stop(); }

void SmsSender::start() {
  worker_.start([this] { return send_due(); });
}

void SmsSender::stop() { worker_.stop(); }

milliseconds SmsSender::send_due() {
  try {
    for (;;) {
      const auto due = db_.read([](soci::session& s) { return due_sms(s, now_ms(), kBatch); });
      for (const auto& message : due) {
        if (worker_.stopping()) return kIdleWait;
        deliver(message);
      }
      if (due.size() < static_cast<std::size_t>(kBatch)) break;
    }
    const auto next = db_.read([](soci::session& s) { return next_sms_due_ms(s); });
    if (!next) return kIdleWait;
    return std::clamp(milliseconds(*next - now_ms()), milliseconds(0), kIdleWait);
  } catch (const std::exception& e) {
    // The database is busy or away: the messages wait in the table.
    spdlog::warn("SMS sender: {}; trying again shortly", e.what());
    return kIdleWait;
  }
}

void SmsSender::deliver(const QueuedSms& message) {
  const int attempts = message.attempts + 1;
  const auto to = mask_phone(message.to);
  try {
    notifier_.send({message.to, message.text});
  } catch (const NotifierError& e) {
    if (attempts >= policy_.max_attempts) {
      db_.write([&](store::Transaction& tx) { mark_sms_undeliverable(tx, message.id, attempts, e.what()); });
      undeliverable_.inc();
      spdlog::error("SMS {} ({} for user {}) to {} undeliverable after {} attempts: {}", message.id,
                    message.purpose, message.user_id, to, attempts, e.what());
      return;
    }
    const auto delay = policy_.delay_after(attempts);
    db_.write([&](store::Transaction& tx) {
      schedule_sms_retry(tx, message.id, attempts, now_ms() + delay.count(), e.what());
    });
    retried_.inc();
    spdlog::warn("SMS {} to {} failed (attempt {} of {}), retrying in {} ms: {}", message.id, to, attempts,
                 policy_.max_attempts, delay.count(), e.what());
    return;
  }
  // Relaxed, as the outbox's marks are: power loss may undo the mark and
  // send the same code again, a crash may not; its own flush would put a
  // second flush to disk into every onboarding.
  db_.write([&](store::Transaction& tx) { mark_sms_sent(tx, message.id, attempts); },
            store::Durability::relaxed);
  sent_.inc();
  spdlog::info("SMS {} ({} for user {}) sent to {}", message.id, message.purpose, message.user_id, to);
}

}  // namespace emis::identity
