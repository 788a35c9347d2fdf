// Load driver for the consumer path with its inbox: `--events` events of
// about `--size` bytes are produced to a fresh topic first, then one
// EventConsumer handles them (each handler writes a row, as a service's
// would, beside the event's inbox row) on a SQLite file with
// synchronous=FULL, the services' default. Timed from the first handled
// event to the commit of the last, so joining the group is not counted.
// `--batch` caps the events per transaction (1: one transaction per event).
// Prints one JSON object.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "bench_event.hpp"
#include "core/ids.hpp"
#include "eventbus/consumer.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/publisher.hpp"
#include "eventbus/schema.hpp"

namespace {

using namespace emis;
using Clock = std::chrono::steady_clock;

using bench::BenchEvent;
using bench::padding_for;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"event bus consumer benchmark"};
  std::string bootstrap = "127.0.0.1:9092";
  std::size_t events = 100000, size = 200, partitions_keys = 64;
  int batch = eventbus::BusOptions{}.consumer_batch_size;
  app.add_option("--bootstrap", bootstrap);
  app.add_option("--events", events);
  app.add_option("--size", size);
  app.add_option("--keys", partitions_keys, "distinct keys the events spread over");
  app.add_option("--batch", batch, "events per transaction at most");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  core::MetricsRegistry metrics;
  eventbus::BusOptions options;
  options.bootstrap_servers = bootstrap;
  options.topics.common_prefix = "bench-consumer-" + core::new_uuid().substr(28);
  options.group_id = options.topics.common_prefix + "-group";
  options.consumer_batch_size = batch;

  // Produce everything first: the consumer then reads a backlog.
  {
    eventbus::Publisher publisher(options, metrics);
    const auto context = publisher.context();
    const auto padding = padding_for(size);
    std::atomic<std::size_t> failed{0};
    for (std::size_t i = 0; i < events; ++i)
      publisher.publish(eventbus::encode(BenchEvent{std::to_string(i % partitions_keys), padding}, context),
                        [&](const eventbus::DeliveryReport& r) {
                          if (!r.ok) ++failed;
                        });
    if (!publisher.flush(std::chrono::seconds(120)) || failed) {
      std::cerr << failed << " events not produced\n";
      return 1;
    }
  }

  const auto dir = std::filesystem::temp_directory_path() / ("emis-bench-consumer-" + core::new_uuid());
  double seconds = 0;
  {
    store::DatabaseOptions db_options;
    db_options.url = (dir / "bench.db").string();
    db_options.synchronous = "FULL";
    store::Database db(db_options);
    db.migrate(eventbus::schema_migrations());
    db.migrate(
        {{1, "bench effects", {"CREATE TABLE effects (event_id TEXT NOT NULL, bench_id TEXT NOT NULL)"}}});
    eventbus::Outbox dead_letters(eventbus::PublishContext{options.topics, options.source, {}}, {});
    eventbus::EventConsumer consumer(db, dead_letters, options, metrics);
    std::atomic<std::size_t> handled{0};
    std::optional<Clock::time_point> first;  // set by the consumer thread
    std::atomic<bool> started{false};
    consumer.handlers().on<BenchEvent>(
        [&](store::Transaction& tx, const BenchEvent& e, const eventbus::IncomingEvent& raw) {
          if (!started.exchange(true)) first = Clock::now();
          tx.session() << "INSERT INTO effects (event_id, bench_id) VALUES (:e, :b)", soci::use(raw.id),
              soci::use(e.id);
          tx.after_commit([&] { ++handled; });
        });
    consumer.start();
    const auto deadline = Clock::now() + std::chrono::minutes(10);
    while (handled.load() < events && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto last = Clock::now();
    consumer.stop();
    if (handled.load() < events) {
      std::cerr << "only " << handled.load() << " of " << events << " events handled\n";
      return 1;
    }
    seconds = std::chrono::duration<double>(last - *first).count();
  }
  std::filesystem::remove_all(dir);

  std::cout << nlohmann::json{{"consumer_events_per_s", static_cast<double>(events) / seconds},
                              {"consumer_seconds", seconds},
                              {"events", events},
                              {"event_bytes", size},
                              {"batch_size", batch},
                              {"synchronous", "FULL"}}
                   .dump()
            << '\n';
  return 0;
}
