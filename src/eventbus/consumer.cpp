#include "eventbus/consumer.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/clock.hpp"
#include "eventbus/dead_letter.hpp"
#include "eventbus/errors.hpp"
#include "eventbus/kafka_config.hpp"
#include "eventbus/kafka_message.hpp"
#include "eventbus/topic_admin.hpp"

namespace emis::eventbus {
namespace {

using Clock = std::chrono::steady_clock;

// librdkafka's own errors that repeat while the broker is away: logged once per period.
constexpr auto error_log_period = std::chrono::seconds(10);

// The inbox key of a message that has no usable event id: its place in the log.
std::string place_of(const RawMessage& raw) {
  return "kafka:" + raw.topic + "/" + std::to_string(raw.partition) + "/" + std::to_string(raw.offset);
}

}  // namespace

// Eager rebalancing: commit what was handled before giving partitions up,
// so the next owner starts right after it (the inbox absorbs the rest).
struct EventConsumer::Rebalance : RdKafka::RebalanceCb {
  EventConsumer* owner = nullptr;
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // No resume here: librdkafka 2.0.2 restarts a resumed partition that
      // was not paused from a stale fetch position, or leaves it waiting for
      // an offset reply it then discards (librdkafka #4686): events were
      // skipped after a rebalance. Paused partitions are resumed on revoke.
      owner->start_at_committed(partitions);
      consumer->assign(partitions);
      for (const auto* tp : partitions) owner->assignment_.emplace(tp->topic(), tp->partition());
      owner->assigned_ = true;
      spdlog::info("consumer group {}: assigned {} partitions", owner->options_.group_id, partitions.size());
    } else {
      const auto commit = consumer->commitSync();
      if (commit != RdKafka::ERR_NO_ERROR && commit != RdKafka::ERR__NO_OFFSET)
        spdlog::warn("consumer group {}: commit on revoke: {}", owner->options_.group_id,
                     RdKafka::err2str(commit));
      // The pause flag outlives the assignment in librdkafka: a paused
      // partition given back to this handle later would never fetch.
      owner->resume_paused();
      consumer->unassign();
      // A paused partition's retry goes with it: its next owner starts at the
      // committed offset, which is never past the failed event.
      owner->assignment_.clear();
      owner->retries_.clear();
      owner->stall_watch_.clear();
      spdlog::info("consumer group {}: revoked {} partitions", owner->options_.group_id, partitions.size());
    }
  }
};

EventConsumer::EventConsumer(store::Database& db, Outbox& dead_letters, BusOptions options,
                             core::MetricsRegistry& metrics)
    : db_(db),
      dead_letters_(dead_letters),
      options_(std::move(options)),
      metrics_(metrics),
      handlers_(options_.topics),
      inbox_(options_.group_id),
      rebalance_(std::make_unique<Rebalance>()),
      stall_watch_(options_.stall_patience) {
  rebalance_->owner = this;
}

EventConsumer::~EventConsumer() { stop(); }

EventConsumer::TopicMetrics& EventConsumer::topic_metrics(const std::string& topic) {
  if (const auto it = topic_metrics_.find(topic); it != topic_metrics_.end()) return it->second;
  const core::Labels labels{{"topic", topic}};
  return topic_metrics_
      .emplace(topic,
               TopicMetrics{
                   metrics_.counter("emis_eventbus_consumed_total", "Messages consumed", labels),
                   metrics_.counter("emis_eventbus_handled_total", "Events handled", labels),
                   metrics_.counter("emis_eventbus_retried_total", "Handler attempts retried", labels),
                   metrics_.counter("emis_eventbus_duplicates_total", "Redelivered events skipped", labels),
                   metrics_.counter("emis_eventbus_dead_lettered_total", "Events sent to a dead-letter topic",
                                    labels),
                   metrics_.histogram("emis_eventbus_event_age_seconds",
                                      "From the message's Kafka timestamp to its handler's commit", labels)})
      .first->second;
}

void EventConsumer::start() {
  auto conf = consumer_config(options_);
  std::string error;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(rebalance_.get()), error) !=
      RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka consumer: " + error);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer_) throw std::runtime_error("kafka consumer: " + error);
  thread_ = std::thread([this] {
    try {
      if (subscribe()) run();
    } catch (const std::exception& e) {
      // Only misconfiguration gets here; events wait in Kafka, nothing is lost.
      spdlog::critical("consumer group {} stopped: {}", options_.group_id, e.what());
    }
  });
}

bool EventConsumer::subscribe() {
  // Topics first: a subscription to a topic that does not exist yet would
  // only notice it at librdkafka's next periodic metadata refresh (minutes).
  std::vector<TopicSpec> specs;
  const auto topics = handlers_.topics();
  // Each with its dead-letter topic, so that the first dead letter is not
  // the one to create it (auto-created, it is briefly without a leader).
  for (const auto& topic : topics) {
    specs.push_back({topic});
    if (options_.dead_letter_enabled) specs.push_back({dead_letter_topic(topic)});
  }
  for (auto backoff = options_.retry_initial_backoff;
       !ensure_topics(options_, specs, std::chrono::seconds(5));
       backoff = std::min(options_.retry_max_backoff, backoff * 2))
    if (!wait_backoff(backoff)) return false;
  // The group's assignment is made from the metadata the members hold when
  // they join: a topic created a moment ago must be in it.
  prefetch_topic_metadata(consumer_->c_ptr(), topics, std::chrono::seconds(5));
  if (const auto err = consumer_->subscribe(topics); err != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("kafka subscribe: " + RdKafka::err2str(err));
  spdlog::info("consumer group {} subscribed to {} topics", options_.group_id, topics.size());
  return true;
}

void EventConsumer::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_wake_.notify_all();
  thread_.join();
  const auto commit = consumer_->commitSync();
  if (commit != RdKafka::ERR_NO_ERROR && commit != RdKafka::ERR__NO_OFFSET)
    spdlog::warn("consumer group {}: final commit: {}", options_.group_id, RdKafka::err2str(commit));
  // Leaves the group. Fix: a plain close() blocked until the broker was back
  // when the group coordinator was unreachable (librdkafka #3740), so a
  // SIGTERM during a Kafka outage hung the service. Close in the background,
  // serving its rebalance callbacks here, and give up after a bound: the
  // group then drops this member when its session times out.
  // The close queue is served with the event API: a callback poll would
  // abort on the fetch and error ops that still arrive there.
  constexpr auto close_timeout = std::chrono::seconds(10);
  rd_kafka_t* rk = consumer_->c_ptr();
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk, queue)) {
    spdlog::warn("consumer group {}: close: {}", options_.group_id, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  } else {
    const auto deadline = std::chrono::steady_clock::now() + close_timeout;
    while (!rd_kafka_consumer_closed(rk) && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 100);
      if (!event) continue;
      // Offsets were committed above; closing gives every partition up.
      if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) rd_kafka_assign(rk, nullptr);
      rd_kafka_event_destroy(event);
    }
    if (!rd_kafka_consumer_closed(rk))
      spdlog::warn(
          "consumer group {}: close did not finish in {} s (broker unreachable?); leaving without it",
          options_.group_id, close_timeout.count());
  }
  rd_kafka_queue_destroy(queue);
  consumer_.reset();  // destroys the handle without another close
}

void EventConsumer::run() {
  auto next_lag_update = Clock::now();
  auto next_prune = Clock::now();
  while (!stopping_) {
    if (test_stall_asked_.exchange(false)) {
      std::lock_guard lock(test_stall_mutex_);
      const auto tp = topic_partition(test_stall_->first, test_stall_->second);
      std::vector<RdKafka::TopicPartition*> partitions{tp.get()};
      consumer_->pause(partitions);
      test_stall_.reset();
      test_stall_done_.notify_all();
    }
    resume_due_partitions();
    const auto batch = poll_batch();
    if (Clock::now() >= next_lag_update) {
      update_lag();
      next_lag_update = Clock::now() + std::chrono::seconds(5);
    }
    if (Clock::now() >= next_prune) {
      // A full batch: the next goes after the next poll, not in 10 minutes.
      const bool more = prune_inbox();
      next_prune = more ? Clock::now() : Clock::now() + std::chrono::minutes(10);
    }
    if (!batch.empty()) process_batch(batch);
  }
  log_pruned();  // a round that stop cut short
}

std::vector<RawMessage> EventConsumer::poll_batch() {
  std::vector<RawMessage> batch;
  for (int timeout_ms = 100; batch.size() < static_cast<std::size_t>(options_.consumer_batch_size);
       timeout_ms = 0) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
    if (message->err() == RdKafka::ERR__TIMED_OUT) break;
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      if (!accept(*message)) stopping_ = true;
      break;
    }
    const Partition partition{message->topic_name(), message->partition()};
    // A paused partition's messages fetched before the pause come again
    // after the retry's seek.
    if (const auto retry = retries_.find(partition); retry != retries_.end() && retry->second.paused)
      continue;
    batch.push_back(to_raw(*message));
  }
  // A rebalance inside one of the polls above may have taken partitions away.
  std::erase_if(batch, [&](const RawMessage& m) { return !assignment_.count({m.topic, m.partition}); });
  return batch;
}

bool EventConsumer::accept(RdKafka::Message& message) {
  const auto err = message.err();
  if (err == RdKafka::ERR__PARTITION_EOF) return true;
  if (err == RdKafka::ERR__FATAL) {
    std::string reason;
    const auto fatal = consumer_->fatal_error(reason);
    spdlog::critical("consumer group {} stopped by a fatal error: {}: {}", options_.group_id,
                     RdKafka::err2str(fatal), reason);
    return false;
  }
  // Broker away, topic not yet created ...: librdkafka recovers by itself,
  // but an operator should see that it has to.
  auto& last = error_logged_[static_cast<int>(err)];
  if (Clock::now() - last >= error_log_period) {
    last = Clock::now();
    spdlog::warn("consumer group {}: {}", options_.group_id, message.errstr());
  }
  return true;
}

void EventConsumer::resume_due_partitions() {
  const auto now = Clock::now();
  for (auto& [partition, retry] : retries_) {
    if (!retry.paused || now < retry.due) continue;
    // Back to the failed event: what was fetched after it was dropped.
    // Resume first, then seek: librdkafka 2.0.2's resume does not wake the
    // fetcher, which then took up the partition only on its next round, a
    // second later (every retry waited that long); the seek wakes it.
    // Anything fetched between the two is older than the seek and dropped.
    const auto tp = topic_partition(partition.first, partition.second, retry.offset);
    std::vector<RdKafka::TopicPartition*> partitions{tp.get()};
    consumer_->resume(partitions);
    if (const auto err = consumer_->seek(*tp, 1000); err != RdKafka::ERR_NO_ERROR) {
      consumer_->pause(partitions);  // never fetch on past the failed event
      spdlog::warn("consumer group {}: seek {}[{}]@{}: {}; trying again", options_.group_id, partition.first,
                   partition.second, retry.offset, RdKafka::err2str(err));
      retry.due = now + options_.retry_initial_backoff;
      continue;
    }
    retry.paused = false;
  }
}

void EventConsumer::resume_paused() {
  std::vector<std::unique_ptr<RdKafka::TopicPartition>> owned;
  std::vector<RdKafka::TopicPartition*> paused;
  for (const auto& [partition, retry] : retries_)
    if (retry.paused)
      paused.push_back(owned.emplace_back(topic_partition(partition.first, partition.second)).get());
  if (!paused.empty()) consumer_->resume(paused);
}

void EventConsumer::process_batch(const std::vector<RawMessage>& batch) {
  for (const auto& raw : batch) topic_metrics(raw.topic).consumed.inc();
  Progress progress;
  // An event being retried goes alone: its attempts are counted one by one.
  const bool retrying = std::any_of(batch.begin(), batch.end(), [&](const RawMessage& m) {
    const auto retry = retries_.find({m.topic, m.partition});
    return retry != retries_.end() && retry->second.offset == m.offset;
  });
  std::size_t failed_index = batch.size();
  std::optional<Failure> failure;
  if (!retrying && batch.size() > 1) {
    std::vector<Outcome> outcomes;
    std::vector<IncomingEvent> events;
    try {
      db_.write([&](store::Transaction& tx) {
        outcomes.clear();
        events.assign(batch.size(), {});
        for (std::size_t i = 0; i < batch.size(); ++i) {
          failed_index = i;
          outcomes.push_back(apply(tx, batch[i], events[i]));
        }
        failed_index = batch.size();  // from here on, the commit failed
      });
      for (std::size_t i = 0; i < batch.size(); ++i) {
        report(batch[i], outcomes[i], events[i]);
        progress[{batch[i].topic, batch[i].partition}] = batch[i].offset + 1;
      }
      store_offsets(progress);
      return;
    } catch (...) {
      failure = classify_current_exception();
      spdlog::debug("consumer group {}: a batch of {} failed ({}), handling its events one at a time",
                    options_.group_id, batch.size(), failure->message);
    }
  }
  // One transaction per event: the event that failed the batch counts that
  // as its first attempt; the others are applied again.
  for (std::size_t i = 0; i < batch.size() && !stopping_; ++i) {
    const auto& raw = batch[i];
    if (const auto retry = retries_.find({raw.topic, raw.partition});
        retry != retries_.end() && retry->second.paused)
      continue;  // an earlier event of this partition failed: the rest waits for its retry
    process_one(raw, i == failed_index ? failure : std::nullopt, progress);
  }
  store_offsets(progress);
}

bool EventConsumer::process_one(const RawMessage& raw, const std::optional<Failure>& failed,
                                Progress& progress) {
  if (failed) {
    on_failure(raw, *failed, progress);
    return false;
  }
  try {
    IncomingEvent event;
    const auto outcome = db_.write([&](store::Transaction& tx) { return apply(tx, raw, event); });
    report(raw, outcome, event);
    retries_.erase({raw.topic, raw.partition});
    progress[{raw.topic, raw.partition}] = raw.offset + 1;
    return true;
  } catch (...) {
    on_failure(raw, classify_current_exception(), progress);
    return false;
  }
}

void EventConsumer::on_failure(const RawMessage& raw, const Failure& failure, Progress& progress) {
  const Partition partition{raw.topic, raw.partition};
  auto& retry = retries_[partition];
  if (retry.attempts == 0 || retry.offset != raw.offset)
    retry = Retry{raw.offset, 0, options_.retry_initial_backoff, {}, false};
  ++retry.attempts;
  const bool give_up =
      failure.kind == FailureKind::permanent ||
      (failure.kind == FailureKind::unclassified && retry.attempts >= options_.unclassified_max_attempts);
  if (give_up) {
    try {
      const int attempts = retry.attempts;
      const bool recorded =
          db_.write([&](store::Transaction& tx) { return dead_letter_in(tx, raw, failure, attempts); });
      spdlog::warn("event at {}[{}]@{} dead-lettered after {} attempt(s) ({}): {}", raw.topic, raw.partition,
                   raw.offset, attempts, failure.error_class, failure.message);
      report(raw, recorded ? Outcome::dead_lettered : Outcome::duplicate, {});
      retries_.erase(partition);
      progress[partition] = raw.offset + 1;
      return;
    } catch (const std::exception& e) {
      // The database refused the dead letter too: try again after the backoff.
      spdlog::warn("dead letter for {}[{}]@{} not written: {}", raw.topic, raw.partition, raw.offset,
                   e.what());
    }
  } else {
    topic_metrics(raw.topic).retried.inc();
    spdlog::warn("event at {}[{}]@{} failed (attempt {}, {}), retrying in {} ms: {}", raw.topic,
                 raw.partition, raw.offset, retry.attempts, failure.error_class, retry.backoff.count(),
                 failure.message);
  }
  // Only this partition waits; the others keep flowing.
  const auto tp = topic_partition(raw.topic, raw.partition);
  std::vector<RdKafka::TopicPartition*> partitions{tp.get()};
  consumer_->pause(partitions);
  retry.paused = true;
  retry.due = Clock::now() + retry.backoff;
  retry.backoff = std::min(options_.retry_max_backoff, retry.backoff * 2);
}

EventConsumer::Outcome EventConsumer::apply(store::Transaction& tx, const RawMessage& raw,
                                            IncomingEvent& event) {
  const RawHandler* handler = nullptr;
  try {
    event = decode(raw);
    handler = &handlers_.resolve(event);
  } catch (const PermanentError& e) {
    // The inbox comes first: an event dead-lettered before is a duplicate.
    const Failure refused{FailureKind::permanent, e.error_class(), e.what()};
    return dead_letter_in(tx, raw, refused, 1) ? Outcome::dead_lettered : Outcome::duplicate;
  }
  const InboxEntry entry{event.id,      event.event_type, raw.topic,
                         raw.partition, raw.offset,       raw.header(replay_of_header).has_value()};
  if (!inbox_.record(tx, entry, InboxOutcome::handled)) return Outcome::duplicate;
  (*handler)(tx, event);
  return Outcome::handled;
}

bool EventConsumer::dead_letter_in(store::Transaction& tx, const RawMessage& raw, const Failure& failure,
                                   int attempts) {
  InboxEntry entry{place_of(raw), raw.header(header::event_type).value_or(""), raw.topic, raw.partition,
                   raw.offset,    raw.header(replay_of_header).has_value()};
  try {
    const auto event = decode(raw);
    entry.event_id = event.id;
    entry.event_type = event.event_type;
  } catch (const PermanentError&) {
    // No usable id: the message is remembered by its place in the log.
  }
  if (!inbox_.record(tx, entry, InboxOutcome::dead_lettered)) return false;
  if (options_.dead_letter_enabled)
    dead_letters_.add(tx,
                      dead_letter(raw, options_.group_id, failure.error_class, failure.message, attempts));
  else
    spdlog::error("dead letters disabled: event at {}[{}]@{} dropped", raw.topic, raw.partition, raw.offset);
  return true;
}

void EventConsumer::report(const RawMessage& raw, Outcome outcome, const IncomingEvent& event) {
  auto& metrics = topic_metrics(raw.topic);
  switch (outcome) {
    case Outcome::handled:
      // The producer's clock against this one: on one host exact but for the
      // timestamp's whole millisecond, across hosts as close as their clocks
      // (an age below zero is skew, counted as 0).
      if (raw.timestamp_ms) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const double age_ms = std::chrono::duration<double, std::milli>(now).count() - *raw.timestamp_ms;
        metrics.event_age.observe(std::max(0.0, age_ms) / 1e3);
      }
      metrics.handled.inc();
      spdlog::info("handled {} {} from {}[{}]@{} traceparent={}", event.event_type, event.id, raw.topic,
                   raw.partition, raw.offset, event.traceparent);
      break;
    case Outcome::duplicate:
      metrics.duplicates.inc();
      spdlog::info("skipped duplicate at {}[{}]@{}", raw.topic, raw.partition, raw.offset);
      break;
    case Outcome::dead_lettered:
      metrics.dead_lettered.inc();
      spdlog::warn("event at {}[{}]@{} dead-lettered", raw.topic, raw.partition, raw.offset);
      break;
  }
}

void EventConsumer::store_offsets(const Progress& progress) {
  if (progress.empty()) return;
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [partition, next] : progress)
    offsets.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, next));
  if (const auto err = consumer_->offsets_store(offsets); err != RdKafka::ERR_NO_ERROR)
    // A partition was revoked meanwhile; its next owner sees the events again, and the inbox skips them.
    spdlog::debug("consumer group {}: offsets_store: {}", options_.group_id, RdKafka::err2str(err));
  RdKafka::TopicPartition::destroy(offsets);
}

void EventConsumer::prune_with_inbox(std::string what, RetentionTask task) {
  retention_tasks_.emplace_back(std::move(what), std::move(task));
}

bool EventConsumer::prune_inbox() {
  const auto cutoff = std::chrono::system_clock::now() - options_.inbox_retention;
  const int limit = options_.retention_batch;
  pruned_in_round_.resize(retention_tasks_.size() + 1);
  try {
    std::vector<long long> pruned(retention_tasks_.size() + 1);
    // Relaxed: pruning lost to power loss is done again at the next round.
    db_.write(
        [&](store::Transaction& tx) {
          pruned[0] = inbox_.prune(tx, cutoff, limit);
          for (std::size_t i = 0; i < retention_tasks_.size(); ++i)
            pruned[i + 1] = retention_tasks_[i].second(tx, cutoff, limit);
        },
        store::Durability::relaxed);
    const auto now = Clock::now();
    if (std::all_of(pruned_in_round_.begin(), pruned_in_round_.end(), [](long long n) { return n == 0; }))
      prune_log_due_ = now + std::chrono::minutes(1);  // a round begins
    for (std::size_t i = 0; i < pruned.size(); ++i) pruned_in_round_[i] += pruned[i];
    const bool more = std::any_of(pruned.begin(), pruned.end(), [limit](long long n) { return n >= limit; });
    // A day's expired entries at thousands of events a second take tens of
    // thousands of batches: a line when the round ends, and one a minute
    // while it goes on, not one per batch.
    if (!more || now >= prune_log_due_) {
      log_pruned();
      prune_log_due_ = now + std::chrono::minutes(1);
    }
    return more;
  } catch (const std::exception& e) {
    spdlog::warn("consumer group {}: pruning the inbox failed: {}", options_.group_id, e.what());
    log_pruned();
    return false;
  }
}

void EventConsumer::log_pruned() {
  if (pruned_in_round_.empty()) return;  // no round yet
  if (pruned_in_round_[0] > 0)
    spdlog::info("consumer group {}: pruned {} inbox entries", options_.group_id, pruned_in_round_[0]);
  for (std::size_t i = 0; i < retention_tasks_.size(); ++i)
    if (pruned_in_round_[i + 1] > 0)
      spdlog::info("consumer group {}: pruned {} {}", options_.group_id, pruned_in_round_[i + 1],
                   retention_tasks_[i].first);
  std::fill(pruned_in_round_.begin(), pruned_in_round_.end(), 0);
}

bool EventConsumer::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(stop_mutex_);
  return !stop_wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

}  // namespace emis::eventbus
