#include "eventbus/outbox_relay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "store/row.hpp"

namespace emis::eventbus {
namespace {

struct Row {
  long long seq = 0;
  OutgoingMessage message;
};

long long now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

std::vector<Row> unsent_rows(store::Database& db, int limit) {
  return db.read([limit](soci::session& s) {
    std::vector<Row> rows;
    soci::rowset<soci::row> result =
        (s.prepare << "SELECT seq, topic, event_key, value, headers, event_id, null_key FROM outbox "
                      "WHERE sent_at_ms IS NULL ORDER BY seq LIMIT :n",
         soci::use(limit));
    for (const auto& r : result) {
      Row row;
      row.seq = store::int64_column(r, 0);
      row.message.topic = r.get<std::string>(1);
      row.message.key = r.get<std::string>(2);
      row.message.value = r.get<std::string>(3);
      for (const auto& pair : nlohmann::json::parse(r.get<std::string>(4)))
        row.message.headers.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
      row.message.event_id = r.get<std::string>(5);
      row.message.null_key = store::int64_column(r, 6) != 0;
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

}  // namespace

OutboxRelay::OutboxRelay(store::Database& db, BusOptions options, core::MetricsRegistry& metrics)
    : db_(db), options_(std::move(options)), metrics_(metrics) {
  metrics_.gauge_callback("emis_outbox_backlog", "Outbox rows not yet delivered", {}, [this] {
    return db_.read([](soci::session& s) {
      long long n = 0;
      s << "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL", soci::into(n);
      return static_cast<double>(n);
    });
  });
  metrics_.gauge_callback(
      "emis_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox row", {}, [this] {
        return db_.read([](soci::session& s) {
          long long oldest = 0;
          soci::indicator ind = soci::i_null;
          s << "SELECT MIN(created_at_ms) FROM outbox WHERE sent_at_ms IS NULL", soci::into(oldest, ind);
          return ind == soci::i_ok ? static_cast<double>(now_ms() - oldest) / 1000.0 : 0.0;
        });
      });
}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::ensure_producer() {
  std::lock_guard lock(producer_mutex_);
  if (producer_ && !producer_->fatal()) return;
  if (producer_) spdlog::warn("outbox relay: replacing the kafka producer after a fatal error");
  producer_.reset();  // fails what the dead producer still held; those rows stay unsent
  producer_ = std::make_shared<Producer>(options_, metrics_);
  ++producers_created_;
}

void OutboxRelay::start() {
  ensure_producer();
  thread_ = std::thread([this] { run(); });
}

void OutboxRelay::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake_.notify_all();
  thread_.join();
  std::lock_guard lock(producer_mutex_);
  producer_.reset();
}

void OutboxRelay::notify() {
  {
    std::lock_guard lock(wake_mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void OutboxRelay::inject_fatal_error(const std::string& reason) {
  std::lock_guard lock(producer_mutex_);
  producer_->inject_fatal_error(reason);
}

bool OutboxRelay::broker_reachable(std::chrono::milliseconds timeout) {
  std::shared_ptr<Producer> producer;
  {
    std::lock_guard lock(producer_mutex_);
    producer = producer_;
  }
  return producer && producer->broker_reachable(timeout);
}

void OutboxRelay::run() {
  using namespace std::chrono;
  milliseconds backoff{0};
  auto next_cleanup = steady_clock::now();
  bool more = true;  // rows may be waiting from before this start
  while (!stopping_) {
    if (!more) {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, backoff.count() ? backoff : options_.relay_idle_poll,
                     [this] { return notified_ || stopping_.load(); });
      notified_ = false;
    }
    if (stopping_) break;
    int sent = -1;
    try {
      ensure_producer();
      sent = publish_batch();
    } catch (const std::exception& e) {
      spdlog::warn("outbox relay: {}", e.what());
    }
    if (sent < 0) {
      backoff = std::min(options_.relay_max_backoff, backoff.count() ? backoff * 2 : milliseconds(100));
      more = false;
    } else {
      backoff = milliseconds(0);
      more = sent == options_.relay_batch_size;
    }
    if (steady_clock::now() >= next_cleanup) {
      delete_expired();
      next_cleanup = steady_clock::now() + minutes(1);
    }
  }
}

int OutboxRelay::publish_batch() {
  auto rows = unsent_rows(db_, options_.relay_batch_size);
  if (rows.empty()) return 0;

  std::shared_ptr<Producer> producer;
  {
    std::lock_guard lock(producer_mutex_);
    producer = producer_;
  }
  // Reports arrive on this thread inside poll(). The state is shared with
  // the callbacks because a report may come after this batch gave up waiting.
  struct Batch {
    std::vector<std::optional<DeliveryReport>> reports;
    std::size_t pending = 0;
  };
  auto batch = std::make_shared<Batch>();
  batch->reports.resize(rows.size());
  batch->pending = rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i)
    producer->produce(rows[i].message, [batch, i](const DeliveryReport& r) {
      batch->reports[i] = r;
      --batch->pending;
    });
  // librdkafka reports every message within message.timeout.ms; the margin
  // covers a report that is late. While stopping, give up after the close timeout.
  const auto started = std::chrono::steady_clock::now();
  while (batch->pending > 0) {
    producer->poll(std::chrono::milliseconds(5));
    const auto waited = std::chrono::steady_clock::now() - started;
    if (waited > options_.delivery_timeout + std::chrono::seconds(5)) break;
    if (stopping_ && waited > producer->close_timeout) break;
    if (producer->fatal()) break;
  }
  const auto reports = batch->reports;  // a copy: later polls may still write into batch

  std::vector<long long> sent_seqs, failed_seqs;
  std::vector<std::string> failed_errors;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (reports[i] && reports[i]->ok) {
      sent_seqs.push_back(rows[i].seq);
    } else {
      failed_seqs.push_back(rows[i].seq);
      failed_errors.push_back(reports[i] ? reports[i]->error : "no delivery report yet");
    }
  }
  const long long now = now_ms();
  db_.write([&](store::Transaction& tx) {
    if (!sent_seqs.empty()) {
      std::vector<long long> times(sent_seqs.size(), now);
      tx.session() << "UPDATE outbox SET sent_at_ms = :t, attempts = attempts + 1, last_error = NULL "
                      "WHERE seq = :s",
          soci::use(times), soci::use(sent_seqs);
    }
    if (!failed_seqs.empty())
      tx.session() << "UPDATE outbox SET attempts = attempts + 1, last_error = :e WHERE seq = :s",
          soci::use(failed_errors), soci::use(failed_seqs);
  });
  if (!failed_seqs.empty()) {
    spdlog::warn("outbox relay: {} of {} events not delivered ({}); retrying", failed_seqs.size(),
                 rows.size(), failed_errors.front());
    return -1;
  }
  return static_cast<int>(sent_seqs.size());
}

void OutboxRelay::delete_expired() {
  const long long cutoff =
      now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.outbox_retention).count();
  try {
    db_.write([cutoff](store::Transaction& tx) {
      tx.session() << "DELETE FROM outbox WHERE sent_at_ms IS NOT NULL AND sent_at_ms < :c",
          soci::use(cutoff);
    });
  } catch (const std::exception& e) {
    spdlog::warn("outbox relay: deleting sent rows failed: {}", e.what());
  }
}

}  // namespace emis::eventbus
