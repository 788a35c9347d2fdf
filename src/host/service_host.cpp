#include "host/service_host.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "core/phone.hpp"
#include "eventbus/schema.hpp"
#include "http/docs_route.hpp"
#include "http/standard_routes.hpp"

namespace emis::host {
namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

// A list setting: a JSON array in the config file, or a comma-separated
// string (as an EMIS_* variable always is).
std::vector<std::string> string_list(const core::Config& config, const std::string& key) {
  std::vector<std::string> items;
  if (!config.has(key)) return items;
  const auto& value = config.values().at(key);
  if (value.is_array()) {
    for (const auto& item : value) items.push_back(item.get<std::string>());
    return items;
  }
  std::stringstream text(config.string(key, ""));
  for (std::string item; std::getline(text, item, ',');) items.push_back(item);
  return items;
}

std::string data_dir_of(const core::Config& config) { return config.string("data_dir", ".emis/data"); }

std::string phone_region_of(const core::Config& config) { return config.string("phone_region", "VN"); }

store::DatabaseOptions database_options(const core::Config& config, const std::string& default_db_file) {
  store::DatabaseOptions options;
  options.url = config.string("db", (std::filesystem::path(data_dir_of(config)) / default_db_file).string());
  options.synchronous = config.string("db_synchronous", "FULL");
  // Sessions per instance (PostgreSQL counts them against max_connections).
  options.readers =
      static_cast<std::size_t>(config.integer("db_readers", static_cast<long long>(options.readers)));
  options.writers =
      static_cast<std::size_t>(config.integer("db_writers", static_cast<long long>(options.writers)));
  return options;
}

core::Config load_config(int argc, char** argv, const std::string& service_name) {
  CLI::App app{service_name};
  std::string file;
  app.add_option("--config", file, "JSON configuration file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return load_config_file(file);
}

core::Config load_config_file(const std::string& file) {
  return core::Config::load(file.empty() ? std::nullopt : std::optional<std::string>(file));
}

ServiceHost::ServiceHost(ServiceSettings settings, core::Config config)
    : settings_(std::move(settings)), config_(std::move(config)) {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  core::init_logging(settings_.name, config_.string("log_level", "info"));

  core::load_phone_metadata(phone_region_of(config_));
  data_dir_ = data_dir_of(config_);
  std::filesystem::create_directories(data_dir_);
  db_ = std::make_unique<store::Database>(database_options(config_, settings_.default_db_file));
  db_->migrate(eventbus::schema_migrations());

  bus_ = eventbus::BusOptions::from(config_, settings_.name);
  relay_ = std::make_unique<eventbus::OutboxRelay>(*db_, bus_, metrics_);
  outbox_ = std::make_unique<eventbus::Outbox>(eventbus::PublishContext{bus_.topics, bus_.source, {}},
                                               relay_->waker());
  consumer_ = std::make_unique<eventbus::EventConsumer>(*db_, *outbox_, bus_, metrics_);

  http::ServerOptions http_options;
  http_options.address = config_.string("http_address", "0.0.0.0");
  http_options.port = static_cast<std::uint16_t>(config_.integer("http_port", settings_.default_port));
  http_options.worker_threads = static_cast<std::size_t>(config_.integer("http_worker_threads", 4));
  http_options.trusted_proxies = string_list(config_, "trusted_proxies");
  server_ = std::make_unique<http::Server>(http_options, metrics_);
  http::add_standard_routes(
      *server_, metrics_,
      {{"database", [this] { return db_->ping(); }},
       {"kafka", [this] { return relay_->broker_reachable(std::chrono::milliseconds(1000)); }},
       // Events published before the group first assigns this consumer its
       // partitions wait for the join (on a fresh broker, for the group
       // coordinator to exist: a second or more), so a service is not ready
       // to take part in a flow before that.
       {"consumer", [this] { return consumer_->handlers().topics().empty() || consumer_->assigned(); }}},
      config_.string("metrics_token", ""));
  if (settings_.api_docs)
    http::add_docs_routes(*server_, config_.string("docs_assets_dir", EMIS_DOCS_ASSETS_DIR));
}

ServiceHost::~ServiceHost() = default;

int ServiceHost::run() {
  relay_->start();
  if (!consumer_->handlers().topics().empty()) consumer_->start();
  server_->start();
  spdlog::info("{} listening on {}:{} (kafka {})", settings_.name, server_->options().address,
               server_->options().port, bus_.bootstrap_servers);

  const sigset_t signals = shutdown_signals();
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{} received {}, shutting down", settings_.name, strsignal(signal));

  server_->stop();
  consumer_->stop();
  relay_->stop();
  spdlog::info("{} stopped", settings_.name);
  return 0;
}

}  // namespace emis::host
