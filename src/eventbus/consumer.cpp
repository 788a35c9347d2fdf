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
namespace {}  // namespace

// Eager rebalancing: commit what was handled before giving partitions up,
// so the next owner starts right after it (the inbox absorbs the rest).
struct EventConsumer::Rebalance : RdKafka::RebalanceCb {
  EventConsumer* owner = nullptr;
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      consumer->assign(partitions);
      owner->assigned_ = true;
      spdlog::info("consumer group {}: assigned {} partitions", owner->options_.group_id, partitions.size());
    } else {
      const auto commit = consumer->commitSync();
      if (commit != RdKafka::ERR_NO_ERROR && commit != RdKafka::ERR__NO_OFFSET)
        spdlog::warn("consumer group {}: commit on revoke: {}", owner->options_.group_id,
                     RdKafka::err2str(commit));
      consumer->unassign();
      spdlog::info("consumer group {}: revoked {} partitions", owner->options_.group_id, partitions.size());
    }
  }
};

EventConsumer::EventConsumer(store::Database& db, Publisher& dead_letters, BusOptions options,
                             core::MetricsRegistry& metrics)
    : db_(db),
      dead_letters_(dead_letters),
      options_(std::move(options)),
      metrics_(metrics),
      handlers_(options_.topics),
      rebalance_(std::make_unique<Rebalance>()) {
  rebalance_->owner = this;
}

EventConsumer::~EventConsumer() { stop(); }

EventConsumer::TopicCounters& EventConsumer::counters(const std::string& topic) {
  if (const auto it = counters_.find(topic); it != counters_.end()) return it->second;
  const core::Labels labels{{"topic", topic}};
  return counters_
      .emplace(topic,
               TopicCounters{
                   metrics_.counter("emis_eventbus_consumed_total", "Messages consumed", labels),
                   metrics_.counter("emis_eventbus_handled_total", "Events handled", labels),
                   metrics_.counter("emis_eventbus_retried_total", "Handler attempts retried", labels),
                   metrics_.counter("emis_eventbus_duplicates_total", "Redelivered events skipped", labels),
                   metrics_.counter("emis_eventbus_dead_lettered_total", "Events sent to a dead-letter topic",
                                    labels)})
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
  for (const auto& topic : topics) specs.push_back({topic});
  for (auto backoff = options_.retry_initial_backoff;
       !ensure_topics(options_, specs, std::chrono::seconds(5));
       backoff = std::min(options_.retry_max_backoff, backoff * 2))
    if (!wait_backoff(backoff)) return false;
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
  auto next_lag_update = std::chrono::steady_clock::now();
  while (!stopping_) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(100));
    if (std::chrono::steady_clock::now() >= next_lag_update) {
      update_lag();
      next_lag_update = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        continue;
      default:
        // Broker away, topic not yet created ...: librdkafka recovers by itself.
        spdlog::debug("consumer group {}: {}", options_.group_id, message->errstr());
        continue;
    }
    const auto raw = to_raw(*message);
    counters(raw.topic).consumed.inc();
    if (!process(raw)) break;  // stopping: the offset stays where it was
    std::vector<RdKafka::TopicPartition*> offsets{
        RdKafka::TopicPartition::create(raw.topic, raw.partition, raw.offset + 1)};
    const auto err = consumer_->offsets_store(offsets);
    if (err != RdKafka::ERR_NO_ERROR)
      // The partition was revoked meanwhile; its next owner sees the event again, and the inbox skips it.
      spdlog::debug("consumer group {}: offsets_store: {}", options_.group_id, RdKafka::err2str(err));
    RdKafka::TopicPartition::destroy(offsets);
  }
}

bool EventConsumer::process(const RawMessage& raw) {
  auto backoff = options_.retry_initial_backoff;
  for (int attempt = 1;; ++attempt) {
    try {
      handle(raw);
      return true;
    } catch (...) {
      const auto failure = classify_current_exception();
      const bool give_up =
          failure.kind == FailureKind::permanent ||
          (failure.kind == FailureKind::unclassified && attempt >= options_.unclassified_max_attempts);
      if (give_up) {
        spdlog::warn("event at {}[{}]@{} dead-lettered ({}): {}", raw.topic, raw.partition, raw.offset,
                     failure.error_class, failure.message);
        // The dead letter must reach the broker before the offset moves on.
        for (auto dlq_backoff = options_.retry_initial_backoff;;) {
          try {
            send_to_dead_letter(raw, failure.error_class, failure.message, attempt);
            return true;
          } catch (const std::exception& e) {
            spdlog::warn("dead letter for {}[{}]@{} not delivered: {}", raw.topic, raw.partition, raw.offset,
                         e.what());
          }
          if (!wait_backoff(dlq_backoff)) return false;
          dlq_backoff = std::min(options_.retry_max_backoff, dlq_backoff * 2);
        }
      }
      counters(raw.topic).retried.inc();
      spdlog::warn("event at {}[{}]@{} failed (attempt {}, {}), retrying in {} ms: {}", raw.topic,
                   raw.partition, raw.offset, attempt, failure.error_class, backoff.count(), failure.message);
      if (!wait_backoff(backoff)) return false;
      backoff = std::min(options_.retry_max_backoff, backoff * 2);
    }
  }
}

void EventConsumer::handle(const RawMessage& raw) {
  auto event = decode(raw);
  const RawHandler* resolved = nullptr;
  try {
    resolved = &handlers_.resolve(event);
  } catch (const PermanentError&) {
    // Fix: an unknown type or version failed here, before the inbox check
    // below, so a redelivery of an event already dead-lettered (and
    // remembered in the inbox by send_to_dead_letter) was dead-lettered
    // again. Skip it like any other duplicate.
    const bool seen = db_.read([&](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM inbox WHERE consumer = :c AND event_id = :id", soci::use(options_.group_id),
          soci::use(event.id), soci::into(n);
      return n > 0;
    });
    if (!seen) throw;
  }
  // Named values: SOCI binds references, and the statement runs after this line.
  const long long offset = raw.offset;
  const std::string handled_at = core::now_iso8601();
  const bool applied = resolved && db_.write([&, &handler = *resolved](store::Transaction& tx) {
    soci::statement insert =
        (tx.session().prepare
             << "INSERT INTO inbox (consumer, event_id, event_type, topic, partition_no, offset_no, "
                "outcome, handled_at) VALUES (:c, :id, :type, :topic, :p, :o, 'handled', :at) "
                "ON CONFLICT DO NOTHING",
         soci::use(options_.group_id), soci::use(event.id), soci::use(event.event_type), soci::use(raw.topic),
         soci::use(raw.partition), soci::use(offset), soci::use(handled_at));
    insert.execute(true);
    if (insert.get_affected_rows() == 0) return false;  // seen before: the effect is already there
    handler(tx, event);
    return true;
  });
  if (applied) {
    counters(raw.topic).handled.inc();
    spdlog::info("handled {} {} from {}[{}]@{} traceparent={}", event.event_type, event.id, raw.topic,
                 raw.partition, raw.offset, event.traceparent);
  } else {
    counters(raw.topic).duplicates.inc();
    spdlog::info("skipped duplicate {} {} from {}[{}]@{} traceparent={}", event.event_type, event.id,
                 raw.topic, raw.partition, raw.offset, event.traceparent);
  }
}

void EventConsumer::send_to_dead_letter(const RawMessage& raw, const std::string& error_class,
                                        const std::string& message, int attempts) {
  if (!options_.dead_letter_enabled) {
    spdlog::error("dead letters disabled: event at {}[{}]@{} dropped", raw.topic, raw.partition, raw.offset);
    return;
  }
  const auto report =
      dead_letters_.publish_and_wait(dead_letter(raw, options_.group_id, error_class, message, attempts));
  if (!report.ok) throw std::runtime_error(report.error);
  counters(raw.topic).dead_lettered.inc();
  // Remember it, so a redelivery of the same event is not dead-lettered twice.
  std::string id;
  try {
    id = decode(raw).id;
  } catch (const std::exception&) {
    return;  // no usable id: nothing to remember it by
  }
  const std::string event_type = raw.header(header::event_type).value_or("");
  const long long offset = raw.offset;
  const std::string failed_at = core::now_iso8601();
  db_.write([&](store::Transaction& tx) {
    tx.session()
        << "INSERT INTO inbox (consumer, event_id, event_type, topic, partition_no, offset_no, outcome, "
           "handled_at) VALUES (:c, :id, :type, :topic, :p, :o, 'dead-lettered', :at) ON CONFLICT DO NOTHING",
        soci::use(options_.group_id), soci::use(id), soci::use(event_type), soci::use(raw.topic),
        soci::use(raw.partition), soci::use(offset), soci::use(failed_at);
  });
}

bool EventConsumer::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(stop_mutex_);
  return !stop_wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void EventConsumer::update_lag() {
  std::vector<RdKafka::TopicPartition*> assignment;
  if (consumer_->assignment(assignment) != RdKafka::ERR_NO_ERROR) return;
  if (!assignment.empty() && consumer_->position(assignment) == RdKafka::ERR_NO_ERROR) {
    for (auto* tp : assignment) {
      int64_t low = 0, high = 0;
      if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) !=
          RdKafka::ERR_NO_ERROR)
        continue;
      const auto position = tp->offset() >= 0 ? tp->offset() : low;
      metrics_
          .gauge("emis_eventbus_consumer_lag", "Messages behind the end of each assigned partition",
                 {{"topic", tp->topic()}, {"partition", std::to_string(tp->partition())}})
          .set(static_cast<double>(std::max<int64_t>(0, high - position)));
    }
  }
  RdKafka::TopicPartition::destroy(assignment);
}

}  // namespace emis::eventbus
