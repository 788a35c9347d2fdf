// An idempotent Kafka producer (RAII over RdKafka::Producer). Delivery
// reports reach the callback given with each message, on the thread that
// calls poll() or flush(). After a fatal error (librdkafka raises them for
// idempotence violations, e.g. after broker restarts) the producer is dead:
// fatal() turns true and the owner must replace it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/metrics.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/options.hpp"

namespace RdKafka {
class Producer;
}

namespace emis::eventbus {

struct DeliveryReport {
  bool ok = false;
  std::string error;            // empty when ok
  std::int32_t partition = -1;  // -1 when the message failed before a partition was chosen
  std::int64_t offset = -1;
  // Failed, yet the broker may have written it (a request that timed out on
  // the wire, a success without an offset): sent again, it may reach the
  // topic twice.
  bool possibly_persisted = false;
};

using DeliveryCallback = std::function<void(const DeliveryReport&)>;

class Producer {
 public:
  Producer(const BusOptions& options, core::MetricsRegistry& metrics);
  // Waits up to `close_timeout` for outstanding messages, then fails the rest.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues the message. If librdkafka refuses it at once (queue full, fatal
  // state) the callback runs immediately with the error.
  void produce(const OutgoingMessage& message, DeliveryCallback on_delivery);

  void poll(std::chrono::milliseconds timeout);
  // True when nothing is left outstanding.
  bool flush(std::chrono::milliseconds timeout);
  std::size_t outstanding() const;
  // Fails the messages not yet sent to a broker (their callbacks run with an
  // error on the next poll); messages in flight are left to their reports.
  void purge_queued();

  bool fatal() const noexcept { return fatal_.load(); }
  // Raises a fatal error on purpose, as librdkafka would (for tests).
  void inject_fatal_error(const std::string& reason);
  // True when the last metadata request reached a broker (readiness).
  bool broker_reachable(std::chrono::milliseconds timeout);

  std::chrono::milliseconds close_timeout{5000};

 private:
  struct Callbacks;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> fatal_{false};
  std::mutex topics_mutex_;
  std::set<std::string> known_topics_;  // topics whose metadata this producer asked for
  core::Counter& produced_;
  core::Counter& delivered_;
  core::Counter& failed_;
  core::Counter& possibly_persisted_;
  core::Histogram& publish_seconds_;
};

}  // namespace emis::eventbus
