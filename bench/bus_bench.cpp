// Load driver for the event bus's own paths, run by bench/bus.sh beside
// Kafka's ProducerPerformance and EndToEndLatency on the same broker:
//  - throughput: the direct publish path (idempotent producer, acks=all),
//    `--messages` events of about `--size` bytes, timed until the last
//    delivery report;
//  - round trip: one event at a time, from publish to the typed handler
//    running inside its inbox transaction (SQLite, as in the services);
//  - outbox drain: `--outbox-rows` events added through Outbox::add to a
//    SQLite database with the services' durability (synchronous=FULL), then
//    timed from the relay's start until every row is marked sent.
// Prints one JSON object.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>

#include "bench_event.hpp"
#include "core/ids.hpp"
#include "eventbus/consumer.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/outbox_relay.hpp"
#include "eventbus/publisher.hpp"
#include "eventbus/schema.hpp"

namespace {

using namespace emis;
using Clock = std::chrono::steady_clock;

using bench::BenchEvent;
using bench::padding_for;

// Seconds the relay takes to publish a backlog of `rows` outbox rows; 0 after
// `timeout` (then not every row was sent).
double outbox_drain_seconds(const std::filesystem::path& dir, const eventbus::BusOptions& options,
                            core::MetricsRegistry& metrics, std::size_t rows, const std::string& padding) {
  store::DatabaseOptions db_options;
  db_options.url = (dir / "outbox.db").string();  // synchronous stays the services' default, FULL
  store::Database db(db_options);
  db.migrate(eventbus::schema_migrations());
  {
    // The topic and the broker connection exist before timing, as in a running service.
    eventbus::Publisher publisher(options, metrics);
    publisher.publish_and_wait(eventbus::encode(BenchEvent{"warmup", padding}, publisher.context()));
  }
  eventbus::OutboxRelay relay(db, options, metrics);
  eventbus::Outbox outbox({options.topics, options.source, {}}, relay.waker());
  constexpr std::size_t per_transaction = 1000;
  for (std::size_t n = 0; n < rows;)
    db.write([&](store::Transaction& tx) {
      for (std::size_t i = 0; i < per_transaction && n < rows; ++i, ++n)
        outbox.add(tx, BenchEvent{"teacher-" + std::to_string(n % 4096), padding});
    });
  // Cheap to ask often (the first entry of the unsent index), unlike a count.
  auto any_unsent = [&db] {
    return db.read([](soci::session& s) {
      long long seq = 0;
      s << "SELECT seq FROM outbox WHERE sent_at_ms IS NULL ORDER BY seq LIMIT 1", soci::into(seq);
      return s.got_data();
    });
  };
  const auto start = Clock::now();
  relay.start();
  while (any_unsent()) {
    if (Clock::now() - start > std::chrono::minutes(5)) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"event bus benchmark"};
  std::string bootstrap = "127.0.0.1:9092";
  std::size_t messages = 200000, size = 200, samples = 2000, outbox_rows = 100000;
  app.add_option("--bootstrap", bootstrap);
  app.add_option("--messages", messages);
  app.add_option("--size", size);
  app.add_option("--rtt-samples", samples);
  app.add_option("--outbox-rows", outbox_rows);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  core::MetricsRegistry metrics;
  eventbus::BusOptions options;
  options.bootstrap_servers = bootstrap;
  options.topics.common_prefix = "bench-" + core::new_uuid().substr(28);
  options.group_id = options.topics.common_prefix + "-group";
  const auto padding = padding_for(size);

  // Throughput of the direct path.
  double msgs_per_s = 0;
  {
    eventbus::Publisher publisher(options, metrics);
    const auto context = publisher.context();
    // Warm up: topic creation and the producer id.
    publisher.publish_and_wait(eventbus::encode(BenchEvent{core::new_uuid(), padding}, context));
    std::atomic<std::size_t> delivered{0}, failed{0};
    std::vector<eventbus::OutgoingMessage> batch;
    batch.reserve(messages);
    for (std::size_t i = 0; i < messages; ++i)
      batch.push_back(eventbus::encode(BenchEvent{std::to_string(i % 64), padding}, context));
    const auto start = Clock::now();
    for (const auto& m : batch)
      for (;;) {
        bool queued = true;
        publisher.publish(m, [&](const eventbus::DeliveryReport& r) {
          if (r.ok) {
            ++delivered;
          } else if (r.error.find("Queue full") != std::string::npos) {
            queued = false;  // refused at once: wait for room and send again
          } else {
            ++failed;
          }
        });
        if (queued) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    publisher.flush(std::chrono::seconds(60));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    msgs_per_s = static_cast<double>(delivered.load()) / seconds;
    if (failed) std::cerr << failed << " deliveries failed\n";
  }

  // Round trip: publish, then wait for the handler.
  const auto dir = std::filesystem::temp_directory_path() / ("emis-bench-" + core::new_uuid());
  std::vector<double> rtt_ms;
  {
    store::DatabaseOptions db_options;
    db_options.url = (dir / "bench.db").string();
    db_options.synchronous = "NORMAL";
    store::Database db(db_options);
    db.migrate(eventbus::schema_migrations());
    // A topic of its own: the group starts from the earliest offset and must
    // not first work through the throughput run's messages.
    auto rtt_options = options;
    rtt_options.topics.common_prefix += "-rtt";
    rtt_options.group_id = rtt_options.topics.common_prefix + "-group";
    // Declared before the consumer, whose handler uses them until it stops.
    std::mutex mutex;
    std::condition_variable seen_cv;
    std::string seen;
    eventbus::Publisher publisher(rtt_options, metrics);
    eventbus::Outbox dead_letters(publisher.context(), {});  // none expected here
    eventbus::EventConsumer consumer(db, dead_letters, rtt_options, metrics);
    consumer.handlers().on<BenchEvent>(
        [&](store::Transaction& tx, const BenchEvent& e, const eventbus::IncomingEvent&) {
          tx.after_commit([&, id = e.id] {
            std::lock_guard lock(mutex);
            seen = id;
            seen_cv.notify_all();
          });
        });
    // The topic must exist before the group subscribes, or the first assignment waits for a metadata refresh.
    publisher.publish_and_wait(eventbus::encode(BenchEvent{"warmup", padding}, publisher.context()));
    consumer.start();
    const auto context = publisher.context();
    for (std::size_t i = 0; i < samples + 50; ++i) {
      const auto id = "rtt-" + std::to_string(i);
      const auto m = eventbus::encode(BenchEvent{id, padding}, context);
      const auto start = Clock::now();
      publisher.publish(m, [](const eventbus::DeliveryReport&) {});
      std::unique_lock lock(mutex);
      if (!seen_cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen == id; })) {
        std::cerr << "event " << id << " not handled within 30 s\n";
        return 1;
      }
      if (i >= 50) rtt_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    consumer.stop();
  }

  const double drain_s = outbox_drain_seconds(dir, options, metrics, outbox_rows, padding);
  std::filesystem::remove_all(dir);
  if (drain_s == 0) {
    std::cerr << "the outbox backlog was not drained within 5 minutes\n";
    return 1;
  }

  std::cout << nlohmann::json{{"bus_msgs_per_s", msgs_per_s},
                              {"bus_rtt_p50_ms", percentile(rtt_ms, 0.50)},
                              {"bus_rtt_p99_ms", percentile(rtt_ms, 0.99)},
                              {"outbox_rows", outbox_rows},
                              {"outbox_drain_s", drain_s},
                              {"outbox_rows_per_s", static_cast<double>(outbox_rows) / drain_s},
                              {"messages", messages},
                              {"message_bytes", size},
                              {"rtt_samples", rtt_ms.size()}}
                   .dump()
            << '\n';
  return 0;
}
