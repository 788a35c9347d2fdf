// Support for the event bus integration tests: a tiny integration event, a
// database with a table the handlers record their effects in, plain
// librdkafka helpers that bypass the library under test (create topics,
// produce raw messages, read a whole topic, committed offsets), waiting on
// conditions with deadlines, broker stop/start, and child processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "eventbus/consumer.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/event_type.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/outbox_relay.hpp"
#include "eventbus/publisher.hpp"
#include "store/database.hpp"
#include "test_env.hpp"

namespace emis::testing {

using namespace std::chrono_literals;

// The test event: a "thing" (the key) and its sequence number, so tests can
// check order per key. `note` lets a test steer its handler.
struct ThingHappened {
  static constexpr eventbus::EventType type{"bustest", "ThingHappenedIntegrationEvent", 1};
  std::string thing_id;
  std::int64_t seq = 0;
  std::string note;

  std::string key() const { return thing_id; }
  nlohmann::json to_json() const { return {{"thingId", thing_id}, {"seq", seq}, {"note", note}}; }
  // Throws nlohmann::json::exception when a required field is missing.
  static ThingHappened from_json(const nlohmann::json& j) {
    return {j.at("thingId").get<std::string>(), j.at("seq").get<std::int64_t>(), j.value("note", "")};
  }
};
static_assert(eventbus::IntegrationEvent<ThingHappened>);

// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = 10ms);

// ---- database --------------------------------------------------------------

// The effects table: one row per handler run that committed. No uniqueness on
// event_id on purpose, so a duplicate effect shows up as a second row.
std::vector<store::Migration> effects_migrations();
void record_effect(store::Transaction& tx, const eventbus::IncomingEvent& event, const ThingHappened& thing,
                   const std::string& consumer = {});

struct Effect {
  std::string event_id;
  std::string thing_id;
  std::int64_t seq = 0;
  std::string consumer;
};
std::vector<Effect> effects(store::Database& db);  // in commit order
std::int64_t effect_count(store::Database& db);
// Every outbox row, one line each (seq, topic, when created and sent, attempts, error): for failure messages.
std::string outbox_rows(store::Database& db);
std::int64_t scalar(store::Database& db, const std::string& sql);

store::DatabaseOptions test_database_options(const std::string& path);

// A fresh database (SQLite in a scratch directory, or one on the PostgreSQL
// fixture) with the bus schema and the effects table migrated.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& stem);
  store::Database& db() noexcept { return *db_; }
  const std::string& path() const noexcept { return url_; }

 private:
  ScratchDir dir_;
  std::string url_;
  std::unique_ptr<store::Database> db_;
};

// ---- metrics ---------------------------------------------------------------

std::uint64_t counter_value(core::MetricsRegistry& metrics, const std::string& name,
                            const std::string& topic = {});

// An EventConsumer with its own metrics, and the outbox and relay that
// publish its dead letters, as a service would have them. Stops (commits,
// leaves the group) when destroyed, then stops the relay.
struct ConsumerRig {
  ConsumerRig(store::Database& db, const eventbus::BusOptions& options)
      : relay(db, options, metrics),
        dead_letters(eventbus::PublishContext{options.topics, options.source, {}}, relay.waker()),
        consumer(db, dead_letters, options, metrics) {
    relay.start();
  }

  std::uint64_t count(const std::string& name, const std::string& topic) {
    return counter_value(metrics, name, topic);
  }
  std::uint64_t handled(const std::string& topic) { return count("emis_eventbus_handled_total", topic); }
  std::uint64_t duplicates(const std::string& topic) {
    return count("emis_eventbus_duplicates_total", topic);
  }
  std::uint64_t retried(const std::string& topic) { return count("emis_eventbus_retried_total", topic); }
  std::uint64_t dead_lettered(const std::string& topic) {
    return count("emis_eventbus_dead_lettered_total", topic);
  }

  core::MetricsRegistry metrics;
  eventbus::OutboxRelay relay;
  eventbus::Outbox dead_letters;
  eventbus::EventConsumer consumer;
};

// ---- plain Kafka (librdkafka directly, not the library under test) ---------

// Creates the topic with that many partitions (replication 1) and waits until
// its metadata shows every partition with a leader.
void create_topic(const std::string& topic, int partitions);

struct Produced {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};
// Produces one message and waits for its delivery report; throws on failure.
// `key` nullopt produces a null key; `partition` -1 lets the key choose.
Produced produce_raw(const std::string& topic, const std::optional<std::string>& key,
                     const std::string& value, const eventbus::Headers& headers, std::int32_t partition = -1);

// Reads the topic from the beginning of every partition, without a consumer
// group, until at least `min_count` messages were seen and everything up to
// the high watermarks then current is read, or the deadline passes. Messages
// come per partition in offset order, partitions in ascending order.
std::vector<eventbus::RawMessage> read_topic(const std::string& topic, std::size_t min_count,
                                             std::chrono::milliseconds timeout = 30s);
// Messages in the topic now (sum of high - low watermarks); 0 if it does not exist.
std::int64_t topic_message_count(const std::string& topic);
// The offsets `group` committed for the topic, by partition (absent: none).
std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& group, const std::string& topic);

// ---- the fixture's broker --------------------------------------------------

void broker_stop();
void broker_start();
bool broker_running();

// Restarts the fixture broker when the scope ends if it is not running, so a
// failing test never leaves the broker down for the tests after it.
class BrokerRestartGuard {
 public:
  BrokerRestartGuard() = default;
  ~BrokerRestartGuard();
  BrokerRestartGuard(const BrokerRestartGuard&) = delete;
  BrokerRestartGuard& operator=(const BrokerRestartGuard&) = delete;
};

// ---- child processes -------------------------------------------------------

// A process started with posix_spawn, stdout and stderr to `log_file`.
// Killed with SIGKILL and reaped when the object goes if still running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool running();
  void kill(int signal);
  // Waits for the exit; returns the raw wait status, or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

std::string read_file(const std::string& path);

}  // namespace emis::testing
