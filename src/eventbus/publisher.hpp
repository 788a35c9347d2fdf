// The direct publish path: no database, a producer polled by its own thread.
// Used for dead letters, for services with nothing to keep, and for
// benchmarks. Events that must never be lost go through the outbox instead.
#pragma once

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "eventbus/producer_slot.hpp"

namespace emis::eventbus {

class Publisher {
 public:
  Publisher(BusOptions options, core::MetricsRegistry& metrics);
  ~Publisher();  // flushes, then stops the poll thread
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Asynchronous: `on_delivery` runs on the poll thread.
  void publish(const OutgoingMessage& message, DeliveryCallback on_delivery);
  // Blocks until the broker acknowledged the message or delivery failed.
  DeliveryReport publish_and_wait(const OutgoingMessage& message);

  template <IntegrationEvent E>
  DeliveryReport publish_and_wait(const E& event, const std::string& traceparent = {}) {
    return publish_and_wait(encode(event, context(traceparent)));
  }

  PublishContext context(const std::string& traceparent = {}) const;
  bool flush(std::chrono::milliseconds timeout);
  bool broker_reachable(std::chrono::milliseconds timeout);

 private:
  void poll_loop();

  BusOptions options_;
  ProducerSlot producer_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace emis::eventbus
