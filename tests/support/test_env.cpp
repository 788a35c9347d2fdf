#include "test_env.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/ids.hpp"
#include "store/dialect.hpp"

namespace emis::testing {

std::string kafka_fixture_dir() {
  if (const char* dir = std::getenv("EMIS_TEST_KAFKA_DIR")) return dir;
#ifdef EMIS_TEST_KAFKA_DIR_DEFAULT
  return EMIS_TEST_KAFKA_DIR_DEFAULT;
#else
  throw std::runtime_error("EMIS_TEST_KAFKA_DIR is not set: run the test through ctest");
#endif
}

bool on_postgresql() { return std::getenv("EMIS_TEST_POSTGRES_DIR") != nullptr; }

std::string test_database_url(const ScratchDir& dir, const std::string& file) {
  const char* fixture = std::getenv("EMIS_TEST_POSTGRES_DIR");
  if (!fixture) return dir.file(file);
  std::ifstream in(std::string(fixture) + "/url");
  std::string base;
  if (!(in >> base)) throw std::runtime_error("the PostgreSQL fixture has not written its url file");
  // Lower case and underscores: a name PostgreSQL takes without quoting.
  std::string name = "t_" + core::new_uuid();
  for (auto& c : name)
    if (c == '-') c = '_';
  soci::session admin(soci::postgresql, store::postgresql_conninfo(base + "postgres"));
  admin << "CREATE DATABASE " + name;
  return base + name;
}

std::string kafka_bootstrap() {
  std::ifstream in(kafka_fixture_dir() + "/bootstrap");
  std::string bootstrap;
  if (!(in >> bootstrap)) throw std::runtime_error("the Kafka fixture has not written its bootstrap file");
  return bootstrap;
}

// The id's last eight digits: random (its first ones are the time).
std::string unique_name(const std::string& stem) { return stem + "-" + core::new_uuid().substr(28); }

std::string rdkafka_debug() {
  const char* debug = std::getenv("EMIS_TEST_RDKAFKA_DEBUG");
  return debug ? debug : "";
}

eventbus::BusOptions test_bus_options(const std::string& stem) {
  eventbus::BusOptions o;
  o.bootstrap_servers = kafka_bootstrap();
  o.client_id = stem;
  o.group_id = unique_name(stem + "-group");
  o.topics.common_prefix = unique_name(stem);
  o.source = "/emis/" + stem;
  o.retry_initial_backoff = std::chrono::milliseconds(20);
  o.retry_max_backoff = std::chrono::milliseconds(200);
  o.relay_idle_poll = std::chrono::milliseconds(200);
  o.delivery_timeout = std::chrono::milliseconds(10000);
  // librdkafka's own debug contexts (e.g. "cgrp,fetch") on stderr, to explain a failure.
  if (const auto debug = rdkafka_debug(); !debug.empty()) o.kafka_properties["debug"] = debug;
  return o;
}

ScratchDir::ScratchDir(const std::string& stem)
    : path_(std::filesystem::temp_directory_path() / unique_name(stem)) {
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace emis::testing
