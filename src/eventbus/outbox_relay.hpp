// Publishes the outbox in order. Of the instances sharing a database, the one
// holding the relay's lease publishes (store/leader_lease.hpp). It wakes when
// a transaction that added events commits, in this process or (PostgreSQL
// NOTIFY) another, and, as a safety net, every relay_idle_poll; it sends the
// unsent rows in sequence order through an idempotent producer, a few batches
// at a time, and marks a row sent only when its delivery report says the
// broker has it and no earlier row of its partition failed (such rows are
// sent again, after the failed one). While the broker is away, rows wait and
// the relay backs off; a fatal producer error replaces the producer. Sent
// rows are deleted after the retention period.
//
// On SQLite the commits of this process hand their events over (handoff()),
// so a relay that has caught up publishes them without reading them back:
// there, sequence numbers follow commit order without a gap, so the events
// handed over that continue the sequence right after the last row read are
// exactly the next unsent rows. Anything else (a gap, a hand-off that did not
// come, PostgreSQL, whose sequence numbers are taken before commit) is read
// from the database.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/metrics.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/producer_slot.hpp"
#include "store/database.hpp"
#include "store/leased_worker.hpp"

namespace emis::eventbus {

class DeliveryOrder;
using OutboxRow = CommittedEvent;

class OutboxRelay {
 public:
  OutboxRelay(store::Database& db, BusOptions options, core::MetricsRegistry& metrics);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void start();
  // Publishes what it can within the producer's close timeout, then joins.
  void stop();

  void notify();
  // Takes an event its transaction has just committed, then wakes the relay.
  void handoff(CommittedEvent event);
  // What an Outbox calls after each commit.
  Outbox::Committed waker() {
    return [this](CommittedEvent event) { handoff(std::move(event)); };
  }

  // Raises a fatal error in the current producer, as librdkafka can (for tests).
  void inject_fatal_error(const std::string& reason);
  std::uint64_t producers_created() const noexcept { return producer_.created(); }
  bool broker_reachable(std::chrono::milliseconds timeout);
  // True when this instance is the one that publishes.
  bool leading() const noexcept { return worker_.held(); }

 private:
  struct InFlight;

  // One round of the worker: publishes what is waiting, then says how long
  // to wait (the backoff after a failure, else the idle poll).
  std::chrono::milliseconds round();
  // Publishes until no unsent row is left. Returns the number of rows marked
  // sent, or -1 when a delivery failed.
  int drain();
  // The next unsent rows after `after_seq`: those handed over, when they
  // continue the sequence right after it, else read from the database.
  // `exhausted`: no more is known to be waiting behind them.
  std::vector<OutboxRow> next_rows(long long after_seq, bool& exhausted);
  std::vector<OutboxRow> take_handed(long long after_seq, bool& more);
  InFlight produce(Producer& producer, std::vector<OutboxRow> rows);
  // Waits for the batch's reports (or gives up: see the .cpp).
  void await(Producer& producer, const InFlight& batch);
  // Marks the rows of the first `count` batches in one transaction; returns
  // the number marked sent.
  int settle(const std::vector<InFlight>& batches, std::size_t count, DeliveryOrder& order);
  // Deletes one batch (BusOptions::retention_batch) of rows sent longer ago
  // than the retention; true when the batch came back full.
  bool delete_expired();

  store::Database& db_;
  BusOptions options_;
  core::MetricsRegistry& metrics_;
  ProducerSlot producer_;
  core::Counter& read_back_;

  // Events handed over by commits, by sequence number; at most
  // handed_capacity (the rest is read from the database).
  std::mutex handed_mutex_;
  std::map<long long, OutgoingMessage> handed_;
  // The highest sequence number read so far, either way. A hand-off at or
  // below it came late and is dropped: a drain that failed reads such a row
  // again from the database, in order, never from a stale hand-off.
  long long highest_read_ = 0;
  // Every row up to here is marked sent (SQLite only; 0: not known). A
  // drain reads on from here, not from the start of the table.
  long long sent_through_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_cleanup_;
  store::LeasedWorker worker_;
};

}  // namespace emis::eventbus
