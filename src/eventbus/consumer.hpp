// The consumer service: a background thread that reads the registered
// topics as one consumer group and hands each event to its handler inside a
// local transaction together with an inbox row keyed by the event id, so a
// redelivered event changes nothing. An offset is stored only after that
// transaction commits (librdkafka commits stored offsets in the background,
// on revoke and on close). Permanent failures go to the dead-letter topic at
// once; transient ones are retried with capped exponential backoff and never
// skipped. stop() finishes the event in hand, commits, and leaves the group.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/metrics.hpp"
#include "eventbus/handler_registry.hpp"
#include "eventbus/options.hpp"
#include "eventbus/publisher.hpp"
#include "store/database.hpp"

namespace RdKafka {
class KafkaConsumer;
}

namespace emis::eventbus {

class EventConsumer {
 public:
  EventConsumer(store::Database& db, Publisher& dead_letters, BusOptions options,
                core::MetricsRegistry& metrics);
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  HandlerRegistry& handlers() noexcept { return handlers_; }

  void start();
  void stop();

  // True once the group has given this consumer its partitions at least once.
  bool assigned() const noexcept { return assigned_.load(); }

 private:
  struct Rebalance;
  // Creates the subscribed topics if needed, then subscribes; false when
  // stopped before the broker could be reached.
  bool subscribe();
  void run();
  // Handles one message until it is handled, dead-lettered or the consumer
  // stops; returns false when stopping left it unhandled.
  bool process(const RawMessage& raw);
  void handle(const RawMessage& raw);
  void send_to_dead_letter(const RawMessage& raw, const std::string& error_class, const std::string& message,
                           int attempts);
  bool wait_backoff(std::chrono::milliseconds delay);
  void update_lag();

  // The counters of one topic, registered on its first message.
  struct TopicCounters {
    core::Counter& consumed;
    core::Counter& handled;
    core::Counter& retried;
    core::Counter& duplicates;
    core::Counter& dead_lettered;
  };
  TopicCounters& counters(const std::string& topic);

  store::Database& db_;
  Publisher& dead_letters_;
  BusOptions options_;
  core::MetricsRegistry& metrics_;
  HandlerRegistry handlers_;
  std::unique_ptr<Rebalance> rebalance_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> assigned_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_wake_;
  std::map<std::string, TopicCounters> counters_;  // used by the consumer thread only
  std::thread thread_;
};

}  // namespace emis::eventbus
