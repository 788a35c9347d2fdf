// A consumer process for the crash test (eventbus_crash_test.cpp): consumes
// ThingHappened events into the effects table of a SQLite file, like a
// service would, until SIGTERM (clean stop) or SIGKILL (the test's crash).
//
//   emis_bus_consumer_child DB BOOTSTRAP TOPIC_PREFIX GROUP DELAY_MS STATS_FILE
//
// DELAY_MS slows each handler down so the test can kill it mid-stream. On
// SIGTERM it stops the consumer (commit, leave the group), writes its
// counters to STATS_FILE and exits 0.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "eventbus/schema.hpp"
#include "support/bus_testing.hpp"

int main(int argc, char** argv) {
  using namespace emis;
  if (argc != 7) {
    std::cerr << "usage: " << argv[0] << " DB BOOTSTRAP TOPIC_PREFIX GROUP DELAY_MS STATS_FILE\n";
    return 2;
  }
  // Block the stop signals before any thread starts, then wait for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  spdlog::set_level(spdlog::level::warn);

  store::Database db(testing::test_database_options(argv[1]));
  db.migrate(eventbus::schema_migrations());
  db.migrate(testing::effects_migrations());

  eventbus::BusOptions options;
  options.bootstrap_servers = argv[2];
  options.client_id = "bus-consumer-child";
  options.topics.common_prefix = argv[3];
  options.group_id = argv[4];
  options.retry_initial_backoff = std::chrono::milliseconds(20);
  options.retry_max_backoff = std::chrono::milliseconds(200);
  // Small batches: effects commit a few at a time, so the test's kill lands
  // mid-stream (and may land mid-batch: that batch then commits nothing).
  options.consumer_batch_size = 20;
  // The broker's minimum: a killed member leaves the group soonest this way.
  options.kafka_properties["session.timeout.ms"] = "6000";
  const auto delay = std::chrono::milliseconds(std::stoi(argv[5]));

  testing::ConsumerRig rig(db, options);
  rig.consumer.handlers().on<testing::ThingHappened>(
      [delay](store::Transaction& tx, const testing::ThingHappened& thing, const eventbus::IncomingEvent& e) {
        testing::record_effect(tx, e, thing, "child");
        if (delay.count() > 0) std::this_thread::sleep_for(delay);  // work inside the transaction
      });
  rig.consumer.start();
  std::cout << "consumer child " << getpid() << " started" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  rig.consumer.stop();
  const auto topic = options.topics.topic(testing::ThingHappened::type);
  std::ofstream(argv[6]) << "handled=" << rig.handled(topic) << " duplicates=" << rig.duplicates(topic)
                         << "\n";
  std::cout << "consumer child " << getpid() << " stopped by signal " << signal << std::endl;
  return 0;
}
