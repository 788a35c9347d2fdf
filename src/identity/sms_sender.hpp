// Delivers the queued text messages (sms_queue.hpp) through a Notifier on a
// thread of its own, so that an HTTP request or an event handler never
// waits for the gateway. A failed delivery is retried with exponential
// backoff up to a bounded number of attempts; then the message is marked
// Undeliverable (it stays listed with its error), logged as an error and
// counted in emis_sms_messages_total{outcome="undeliverable"}. Delivery is
// at least once: a crash between the gateway's answer and the commit that
// records it sends that message again.
//
// Instances sharing a PostgreSQL database take turns through a lease, so a
// message is not sent by two of them; a commit that queues a message wakes
// the holder (in this process directly, in others by NOTIFY).
#pragma once

#include <chrono>
#include <functional>

#include "core/metrics.hpp"
#include "identity/notifier.hpp"
#include "identity/sms_queue.hpp"
#include "store/database.hpp"
#include "store/leased_worker.hpp"

namespace emis::identity {

struct SmsRetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_delay{2000};
  std::chrono::milliseconds max_delay{std::chrono::minutes(5)};

  // The wait after the `attempts`-th failed attempt: doubling from first_delay, capped.
  std::chrono::milliseconds delay_after(int attempts) const;
};

class SmsSender {
 public:
  SmsSender(store::Database& db, Notifier& notifier, SmsRetryPolicy policy, core::MetricsRegistry& metrics);
  ~SmsSender();  // stops
  SmsSender(const SmsSender&) = delete;
  SmsSender& operator=(const SmsSender&) = delete;

  void start();
  // Finishes the message in hand, then returns; the rest wait in the table.
  void stop();
  // Something was queued: look now rather than at the next due time.
  void wake() { worker_.wake(); }
  std::function<void()> waker() { return worker_.waker(); }

 private:
  // Sends what is due; returns how long until the next message falls due.
  std::chrono::milliseconds send_due();
  void deliver(const QueuedSms& message);

  store::Database& db_;
  Notifier& notifier_;
  SmsRetryPolicy policy_;
  core::Counter& sent_;
  core::Counter& retried_;
  core::Counter& undeliverable_;
  store::LeasedWorker worker_;
};

}  // namespace emis::identity
