#include "test_env.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/ids.hpp"

namespace emis::testing {

std::string kafka_fixture_dir() {
  const char* dir = std::getenv("EMIS_TEST_KAFKA_DIR");
  if (!dir) throw std::runtime_error("EMIS_TEST_KAFKA_DIR is not set: run the test through ctest");
  return dir;
}

std::string kafka_bootstrap() {
  std::ifstream in(kafka_fixture_dir() + "/bootstrap");
  std::string bootstrap;
  if (!(in >> bootstrap)) throw std::runtime_error("the Kafka fixture has not written its bootstrap file");
  return bootstrap;
}

std::string unique_name(const std::string& stem) { return stem + "-" + core::new_uuid().substr(0, 8); }

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
