// What every EMIS service process is made of, wired once: configuration,
// logging, metrics, the database with the event bus's tables, the outbox and
// its relay (which also publishes the consumer's dead letters), the event consumer, and the HTTP
// server with health and metrics. A service adds its migrations, handlers
// and routes, then calls run(), which returns after a clean shutdown.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "eventbus/consumer.hpp"
#include "eventbus/outbox.hpp"
#include "eventbus/outbox_relay.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::host {

struct ServiceSettings {
  std::string name;  // "teacher-service"
  std::uint16_t default_port = 0;
  std::string default_db_file;  // inside the data dir, e.g. "teacher.db"
  bool api_docs = true;         // GET /docs over the service's /openapi.json
};

class ServiceHost {
 public:
  // Reads the settings from `config`; opens the database and migrates the
  // event bus's tables. Blocks SIGTERM and SIGINT in this and every later
  // thread, so that run() can wait for them.
  ServiceHost(ServiceSettings settings, core::Config config);
  ~ServiceHost();

  const core::Config& config() const noexcept { return config_; }
  const std::string& data_dir() const noexcept { return data_dir_; }
  core::MetricsRegistry& metrics() noexcept { return metrics_; }
  store::Database& db() noexcept { return *db_; }
  eventbus::Outbox& outbox() noexcept { return *outbox_; }
  eventbus::EventConsumer& consumer() noexcept { return *consumer_; }
  http::Server& server() noexcept { return *server_; }
  const eventbus::BusOptions& bus_options() const noexcept { return bus_; }

  // Starts the relay, the consumer (if it has handlers) and the HTTP server,
  // then waits for SIGTERM or SIGINT. On it: stop taking HTTP requests and
  // finish those in flight, stop the consumer (commit, leave the group),
  // stop the relay (flush), and return 0.
  int run();

 private:
  ServiceSettings settings_;
  core::Config config_;
  std::string data_dir_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  eventbus::BusOptions bus_;
  std::unique_ptr<eventbus::OutboxRelay> relay_;
  std::unique_ptr<eventbus::Outbox> outbox_;
  std::unique_ptr<eventbus::EventConsumer> consumer_;
  std::unique_ptr<http::Server> server_;
};

// Where a service keeps its files (data_dir), and its database (db, a path or
// URL; by default `default_db_file` in the data dir): read the same way by a
// service and by its admin commands.
std::string data_dir_of(const core::Config& config);
// The region whose national phone numbers are read without a country code.
std::string phone_region_of(const core::Config& config);
store::DatabaseOptions database_options(const core::Config& config, const std::string& default_db_file);

// A list setting: a JSON array in the config file, or a comma-separated
// string (as an EMIS_* variable always is); empty when absent.
std::vector<std::string> string_list(const core::Config& config, const std::string& key);

// Reads `--config FILE` (and nothing else) from the command line.
core::Config load_config(int argc, char** argv, const std::string& service_name);
// The configuration from `file` (none when empty) and the EMIS_* environment:
// for programs that read --config with options of their own.
core::Config load_config_file(const std::string& file);

}  // namespace emis::host
