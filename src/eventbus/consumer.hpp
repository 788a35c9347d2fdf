// The consumer service: a background thread that reads the registered
// topics as one consumer group. What one poll has ready is handled in one
// local transaction, each event together with its inbox row keyed by the
// event id, so a redelivered event changes nothing; offsets are stored only
// after that transaction commits (librdkafka commits stored offsets in the
// background, on revoke and on close). When the batch fails, its events are
// handled again one per transaction, so a failing event affects only itself.
//
// Failures: a permanent one is dead-lettered at once, through the outbox in
// the transaction that records it in the inbox (so a crash can neither lose
// nor repeat the dead letter). A transient one pauses only its partition:
// the consumer keeps polling (other partitions, rebalances, the poll
// interval) and retries the event after a capped exponential backoff, never
// skipping it. An unclassified one is retried the same way a bounded number
// of times, then dead-lettered. stop() finishes the event in hand, commits,
// and leaves the group.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/metrics.hpp"
#include "eventbus/errors.hpp"
#include "eventbus/handler_registry.hpp"
#include "eventbus/inbox.hpp"
#include "eventbus/options.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/stall_watch.hpp"
#include "store/database.hpp"

namespace RdKafka {
class KafkaConsumer;
class Message;
class TopicPartition;
}  // namespace RdKafka

namespace emis::eventbus {

class EventConsumer {
 public:
  // Dead letters are added to `dead_letters` (its relay publishes them).
  EventConsumer(store::Database& db, Outbox& dead_letters, BusOptions options,
                core::MetricsRegistry& metrics);
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  HandlerRegistry& handlers() noexcept { return handlers_; }

  // Deletes up to `limit` of a service's own records that guard against late
  // or redelivered events (e.g. tombstones) once they are older than
  // `cutoff`; returns how many it deleted. It runs in the transactions that
  // prune the inbox, with the inbox's retention, since such a record is
  // needed exactly as long as a redelivery can still reach the handlers.
  // Register before start().
  using RetentionTask = std::function<long long(store::Transaction& tx,
                                                std::chrono::system_clock::time_point cutoff, int limit)>;
  void prune_with_inbox(std::string what, RetentionTask task);

  void start();
  void stop();

  // True once the group has given this consumer its partitions at least once.
  bool assigned() const noexcept { return assigned_.load(); }

  // Stops fetching a partition behind the consumer's back, as librdkafka's
  // stalls do (for tests). Returns once the consumer thread has done it
  // (false if it did not within 5 s).
  bool stall_for_test(const std::string& topic, std::int32_t partition);

 private:
  struct Rebalance;
  using Partition = std::pair<std::string, std::int32_t>;
  // An event that failed and waits for its next attempt, its partition paused.
  struct Retry {
    std::int64_t offset = 0;
    int attempts = 0;
    std::chrono::milliseconds backoff{0};
    std::chrono::steady_clock::time_point due;
    bool paused = false;
  };
  enum class Outcome { handled, duplicate, dead_lettered };
  // What became of a batch: the next offset to store per partition.
  using Progress = std::map<Partition, std::int64_t>;

  // Creates the subscribed topics if needed, then subscribes; false when
  // stopped before the broker could be reached.
  bool subscribe();
  void run();
  // The messages one poll has ready: waits for the first, not for more.
  std::vector<RawMessage> poll_batch();
  bool accept(RdKafka::Message& message);  // false on a fatal error
  void resume_due_partitions();
  // Resumes the partitions paused for a retry (before they are revoked).
  void resume_paused();
  void process_batch(const std::vector<RawMessage>& batch);
  // Handles one message in its own transaction; `failed` is the outcome of
  // an attempt already made in a failed batch. False when it failed.
  bool process_one(const RawMessage& raw, const std::optional<Failure>& failed, Progress& progress);
  void on_failure(const RawMessage& raw, const Failure& failure, Progress& progress);
  // Inside the caller's transaction; leaves the decoded event in `event`
  // (for report()), so it is decoded once.
  Outcome apply(store::Transaction& tx, const RawMessage& raw, IncomingEvent& event);
  bool dead_letter_in(store::Transaction& tx, const RawMessage& raw, const Failure& failure, int attempts);
  // `event` is what apply() decoded (empty when it was not decoded).
  void report(const RawMessage& raw, Outcome outcome, const IncomingEvent& event);
  void store_offsets(const Progress& progress);
  // Deletes one batch (BusOptions::retention_batch) of expired inbox entries
  // and of each retention task's records; true when a batch came back full,
  // so that more are due. What a round deleted is logged at its end (and
  // each minute while it lasts).
  bool prune_inbox();
  void log_pruned();
  bool wait_backoff(std::chrono::milliseconds delay);
  // Sets each newly assigned partition's offset to its committed one.
  void start_at_committed(std::vector<RdKafka::TopicPartition*>& partitions);
  // Reports lag and feeds the stall watch; restarts stalled partitions.
  void update_lag();
  void restart_stalled();

  // The counters and the event-age histogram of one topic, registered on its first message.
  struct TopicMetrics {
    core::Counter& consumed;
    core::Counter& handled;
    core::Counter& retried;
    core::Counter& duplicates;
    core::Counter& dead_lettered;
    core::Histogram& event_age;
  };
  TopicMetrics& topic_metrics(const std::string& topic);

  store::Database& db_;
  Outbox& dead_letters_;
  BusOptions options_;
  core::MetricsRegistry& metrics_;
  HandlerRegistry handlers_;
  Inbox inbox_;
  std::vector<std::pair<std::string, RetentionTask>> retention_tasks_;
  std::vector<long long> pruned_in_round_;  // the inbox's, then each retention task's
  std::chrono::steady_clock::time_point prune_log_due_;
  std::unique_ptr<Rebalance> rebalance_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> assigned_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_wake_;
  // Used by the consumer thread only (rebalance callbacks run inside its polls).
  std::set<Partition> assignment_;
  std::map<Partition, Retry> retries_;
  std::map<std::string, TopicMetrics> topic_metrics_;
  StallWatch stall_watch_;
  std::map<int, std::chrono::steady_clock::time_point> error_logged_;  // by librdkafka error code
  std::atomic<bool> test_stall_asked_{false};  // keeps the lock below off the poll loop
  std::mutex test_stall_mutex_;
  std::condition_variable test_stall_done_;
  std::optional<Partition> test_stall_;  // set by stall_for_test(), taken by the consumer thread
  std::thread thread_;
};

}  // namespace emis::eventbus
