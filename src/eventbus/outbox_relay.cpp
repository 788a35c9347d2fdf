#include "eventbus/outbox_relay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "eventbus/delivery_order.hpp"
#include "eventbus/outbox.hpp"
#include "store/row.hpp"

namespace emis::eventbus {

namespace {

// Batches handed to the producer before the oldest one's reports are in. The
// producer sends the next batches while the relay waits for the reports of
// the oldest and marks it in the database (one flush to disk per batch).
constexpr std::size_t batches_in_flight = 4;

// Events handed over and not taken yet. Past this many (the broker away, the
// relay behind) they are dropped, and the relay reads them from the database.
constexpr std::size_t handed_capacity = 4096;

long long now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

using Row = OutboxRow;

// What an unsent row's last_error says.
std::string why_unsent(const std::optional<DeliveryReport>& report) {
  if (!report) return "no delivery report";
  if (report->ok) return "held back behind an earlier event of its partition";
  // Sent again all the same: a copy too many is dropped by consumers'
  // inboxes, a lost event is lost for good.
  if (report->possibly_persisted)
    return report->error + " (possibly persisted: sent again, it may reach the topic twice)";
  return report->error;
}

// Unsent rows after `after_seq`, in sequence order. Fetched column-wise in
// one step: the relay reads the whole backlog through here.
std::vector<Row> unsent_rows(store::Database& db, long long after_seq, int limit) {
  return db.read([after_seq, limit](soci::session& s) {
    const auto n = static_cast<std::size_t>(limit);
    std::vector<long long> seqs(n);
    std::vector<std::string> topics(n), keys(n), values(n), headers(n), ids(n);
    std::vector<int> null_keys(n);
    s << "SELECT seq, topic, event_key, value, headers, event_id, null_key FROM outbox "
         "WHERE sent_at_ms IS NULL AND seq > :after ORDER BY seq LIMIT :n",
        soci::use(after_seq), soci::use(limit), soci::into(seqs), soci::into(topics), soci::into(keys),
        soci::into(values), soci::into(headers), soci::into(ids), soci::into(null_keys);
    if (!s.got_data()) seqs.clear();
    std::vector<Row> rows(seqs.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& row = rows[i];
      row.seq = seqs[i];
      row.message.topic = std::move(topics[i]);
      row.message.key = std::move(keys[i]);
      row.message.value = std::move(values[i]);
      for (auto& pair : nlohmann::json::parse(headers[i]))
        row.message.headers.emplace_back(std::move(pair.at(0).get_ref<std::string&>()),
                                         std::move(pair.at(1).get_ref<std::string&>()));
      row.message.event_id = std::move(ids[i]);
      row.message.null_key = null_keys[i] != 0;
    }
    return rows;
  });
}

}  // namespace

// Rows handed to the producer. Reports arrive on the relay thread inside
// poll(); the state is shared with the callbacks because a report may come
// after the relay gave up waiting for it.
struct OutboxRelay::InFlight {
  struct Reports {
    std::vector<std::optional<DeliveryReport>> reports;
    std::size_t pending = 0;
  };
  std::vector<Row> rows;
  std::shared_ptr<Reports> state = std::make_shared<Reports>();
  std::chrono::steady_clock::time_point produced_at;
};

OutboxRelay::OutboxRelay(store::Database& db, BusOptions options, core::MetricsRegistry& metrics)
    : db_(db),
      options_(std::move(options)),
      metrics_(metrics),
      producer_(options_, metrics_, "outbox relay"),
      read_back_(metrics_.counter("emis_outbox_read_back_total",
                                  "Outbox rows the relay read from the database rather than taking them from "
                                  "the commit that added them (a relay behind, a restart, PostgreSQL)")),
      worker_(db_, "outbox relay", outbox_channel, options_.relay_idle_poll) {
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

void OutboxRelay::start() {
  producer_.current();
  worker_.start([this] { return round(); });
}

void OutboxRelay::stop() {
  worker_.stop();  // a standby takes over
  producer_.reset();
}

void OutboxRelay::notify() { worker_.wake(); }

void OutboxRelay::handoff(CommittedEvent event) {
  if (db_.dialect() == store::Dialect::sqlite) {
    std::lock_guard lock(handed_mutex_);
    // Dropping them all, not just this one, keeps what is held contiguous
    // from its first event: a later event handed over cannot seem to follow
    // one that was dropped.
    if (handed_.size() >= handed_capacity) handed_.clear();
    if (event.seq > highest_read_) handed_.emplace(event.seq, std::move(event.message));
  }
  notify();
}

void OutboxRelay::inject_fatal_error(const std::string& reason) {
  if (const auto producer = producer_.peek()) producer->inject_fatal_error(reason);
}

bool OutboxRelay::broker_reachable(std::chrono::milliseconds timeout) {
  const auto producer = producer_.peek();
  return producer && producer->broker_reachable(timeout);
}

std::chrono::milliseconds OutboxRelay::round() {
  using namespace std::chrono;
  int sent = -1;
  try {
    sent = drain();
  } catch (const std::exception& e) {
    spdlog::warn("outbox relay: {}", e.what());
  }
  // A drain reads until no unsent row is left, and on while commits keep
  // adding rows; a commit after its last read has woken the worker, whose
  // wait then returns at once.
  backoff_ = sent < 0
                 ? std::min(options_.relay_max_backoff, backoff_.count() ? backoff_ * 2 : milliseconds(100))
                 : milliseconds(0);
  if (steady_clock::now() >= next_cleanup_) {
    // A full batch: the next goes in the next round, not in a minute.
    const bool more = delete_expired();
    // Belt and braces: the next drain reads from the first unsent row, so
    // that a row this relay's bookkeeping missed waits a minute at most.
    sent_through_ = 0;
    next_cleanup_ = more ? steady_clock::now() : steady_clock::now() + minutes(1);
  }
  return backoff_.count() ? backoff_ : options_.relay_idle_poll;
}

int OutboxRelay::drain() {
  const std::shared_ptr<Producer> producer = producer_.current();
  DeliveryOrder order;
  std::vector<InFlight> in_flight;
  long long read_after = sent_through_;
  std::size_t read = 0;
  bool exhausted = false;
  int sent = 0;
  for (;;) {
    // Keep the producer fed while the oldest batch waits for its reports.
    // After a failure nothing new is produced: the drain ends and the rows
    // left unsent are read again, in order, after the backoff.
    while (!order.broken() && !worker_.stopping() && !producer->fatal() && worker_.held() &&
           in_flight.size() < batches_in_flight) {
      // After a short read, read on only when a commit has added rows since:
      // they go out without waiting for the batches in flight to be marked.
      if (exhausted && !worker_.take_wake()) break;
      auto rows = next_rows(read_after, exhausted);
      if (rows.empty()) break;
      read_after = rows.back().seq;
      read += rows.size();
      in_flight.push_back(produce(*producer, std::move(rows)));
    }
    if (in_flight.empty()) break;
    // Wait for the oldest batch; the ones behind it that are complete too
    // are marked with it, in one transaction.
    await(*producer, in_flight.front());
    std::size_t complete = 1;
    while (complete < in_flight.size() && in_flight[complete].state->pending == 0) ++complete;
    const bool held_partitions = order.holds_partitions();
    sent += settle(in_flight, complete, order);
    in_flight.erase(in_flight.begin(), in_flight.begin() + static_cast<std::ptrdiff_t>(complete));
    // librdkafka's idempotent producer does not stop a partition after a
    // message failed for good (or timed out): it drains the requests in
    // flight, bumps the producer epoch and sends the messages queued behind
    // the failed one, which then succeed ahead of it. DeliveryOrder keeps
    // those rows unsent so they are published again after the failed one;
    // purging what is still queued keeps most of them from reaching the
    // topic ahead of it in the first place. (enable.gapless.guarantee would
    // make such a failure fatal instead, but it is experimental and does not
    // cover message timeouts, the common failure while a broker is away.)
    // A message refused at once never reached a partition queue, and produce()
    // already kept its key's later rows back: nothing to purge for it.
    if (!held_partitions && order.holds_partitions()) producer->purge_queued();
  }
  if (order.broken()) return -1;
  // Every row read is marked sent, and on SQLite none below the last one is
  // left unread (see the header).
  if (db_.dialect() == store::Dialect::sqlite && static_cast<std::size_t>(sent) == read)
    sent_through_ = read_after;
  return sent;
}

std::vector<OutboxRow> OutboxRelay::next_rows(long long after_seq, bool& exhausted) {
  const auto batch_size = static_cast<std::size_t>(options_.relay_batch_size);
  bool more = false;
  if (auto rows = take_handed(after_seq, more); !rows.empty()) {
    // Events handed over that stop at a gap: what fills it is read next.
    exhausted = !more && rows.size() < batch_size;
    return rows;
  }
  auto rows = unsent_rows(db_, after_seq, options_.relay_batch_size);
  read_back_.inc(rows.size());
  exhausted = rows.size() < batch_size;
  if (!rows.empty()) {
    std::lock_guard lock(handed_mutex_);
    highest_read_ = std::max(highest_read_, rows.back().seq);
  }
  return rows;
}

std::vector<OutboxRow> OutboxRelay::take_handed(long long after_seq, bool& more) {
  std::vector<Row> rows;
  std::lock_guard lock(handed_mutex_);
  // Read already, from the database or before a drain failed.
  handed_.erase(handed_.begin(), handed_.upper_bound(std::max(after_seq, highest_read_)));
  auto next = after_seq + 1;
  for (auto it = handed_.begin(); it != handed_.end() && it->first == next &&
                                  rows.size() < static_cast<std::size_t>(options_.relay_batch_size);
       it = handed_.erase(it), ++next)
    rows.push_back({it->first, std::move(it->second)});
  if (!rows.empty()) highest_read_ = rows.back().seq;  // above it, or the erase would have taken them
  more = !handed_.empty();
  return rows;
}

OutboxRelay::InFlight OutboxRelay::produce(Producer& producer, std::vector<Row> rows) {
  InFlight batch;
  batch.rows = std::move(rows);
  batch.produced_at = std::chrono::steady_clock::now();
  auto& state = *batch.state;
  state.reports.resize(batch.rows.size());
  state.pending = batch.rows.size();
  // Keys with a row refused at once (queue full, too large, fatal state):
  // their later rows in the batch are not produced, so that none overtakes it.
  std::set<std::pair<std::string_view, std::string_view>> refused;
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    const auto& message = batch.rows[i].message;
    if (!refused.empty() && refused.count({message.topic, message.key})) {
      state.reports[i] =
          DeliveryReport{false, "not produced: an earlier event of its key was refused", -1, -1};
      --state.pending;
      continue;
    }
    producer.produce(message, [state = batch.state, i](const DeliveryReport& r) {
      state->reports[i] = r;
      --state->pending;
    });
    if (state.reports[i] && !state.reports[i]->ok) refused.emplace(message.topic, message.key);
  }
  return batch;
}

void OutboxRelay::await(Producer& producer, const InFlight& batch) {
  // librdkafka reports every message within message.timeout.ms; the margin
  // covers a report that is late. While stopping, give up after the close timeout.
  while (batch.state->pending > 0 && !producer.fatal()) {
    producer.poll(std::chrono::milliseconds(5));
    const auto waited = std::chrono::steady_clock::now() - batch.produced_at;
    if (waited > options_.delivery_timeout + std::chrono::seconds(5)) break;
    if (worker_.stopping() && waited > producer.close_timeout) break;
  }
}

int OutboxRelay::settle(const std::vector<InFlight>& batches, std::size_t count, DeliveryOrder& order) {
  // Rows marked sent go as ranges of rows read whose seqs follow each other
  // without a gap. A gap may hide a row not read yet: on PostgreSQL, seqs are
  // taken before commit, so a lower one can commit after a higher was read.
  std::vector<long long> first, last, failed_seqs;
  std::vector<std::string> failed_errors;
  std::size_t rows = 0;
  bool previous_sent = false;
  for (auto batch = batches.begin(); batch != batches.begin() + static_cast<std::ptrdiff_t>(count); ++batch) {
    const auto reports = batch->state->reports;  // a copy: later polls may still write into the batch
    std::vector<RowDelivery> deliveries;
    deliveries.reserve(reports.size());
    for (std::size_t i = 0; i < reports.size(); ++i)
      deliveries.push_back(
          {batch->rows[i].message.topic, batch->rows[i].message.key, reports[i] ? &*reports[i] : nullptr});
    const auto sendable = order.settle(deliveries);
    rows += reports.size();
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const long long seq = batch->rows[i].seq;
      if (sendable[i]) {
        if (previous_sent && seq == last.back() + 1)
          last.back() = seq;
        else
          first.push_back(seq), last.push_back(seq);
      } else {
        failed_seqs.push_back(seq);
        failed_errors.push_back(why_unsent(reports[i]));
      }
      previous_sent = sendable[i];
    }
  }
  const long long now = now_ms();
  // Relaxed: a mark lost to power loss publishes its rows again, which
  // consumers' inboxes drop; flushing it would hold the writer from requests.
  db_.write(
      [&](store::Transaction& tx) {
        if (!first.empty()) {
          std::vector<long long> times(first.size(), now);
          tx.session() << "UPDATE outbox SET sent_at_ms = :t, attempts = attempts + 1, last_error = NULL "
                          "WHERE seq BETWEEN :a AND :b AND sent_at_ms IS NULL",
              soci::use(times), soci::use(first), soci::use(last);
        }
        if (!failed_seqs.empty())
          tx.session() << "UPDATE outbox SET attempts = attempts + 1, last_error = :e WHERE seq = :s",
              soci::use(failed_errors), soci::use(failed_seqs);
      },
      store::Durability::relaxed);
  if (!failed_seqs.empty())
    spdlog::warn("outbox relay: {} of {} events not marked sent ({}); retrying in order", failed_seqs.size(),
                 rows, failed_errors.front());
  return static_cast<int>(rows - failed_seqs.size());
}

bool OutboxRelay::delete_expired() {
  const long long cutoff =
      now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.outbox_retention).count();
  const int limit = options_.retention_batch;
  try {
    return db_.write(
               [&](store::Transaction& tx) {
                 return tx.run(
                     "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
                     "WHERE sent_at_ms IS NOT NULL AND sent_at_ms < :c ORDER BY sent_at_ms LIMIT :n)",
                     soci::use(cutoff), soci::use(limit));
               },
               store::Durability::relaxed) >= limit;
  } catch (const std::exception& e) {
    spdlog::warn("outbox relay: deleting sent rows failed: {}", e.what());
    return false;
  }
}

}  // namespace emis::eventbus
