// What the tests share: the fixture broker's address, names unique to one
// test run, and scratch directories removed afterwards.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "eventbus/options.hpp"

namespace emis::testing {

// The bootstrap address of the CTest fixture's broker ($EMIS_TEST_KAFKA_DIR/bootstrap).
std::string kafka_bootstrap();
std::string kafka_fixture_dir();

// A name no other test (or earlier run) uses, e.g. for topic prefixes and groups.
std::string unique_name(const std::string& stem);

// Bus options against the fixture broker with a topic prefix of its own.
eventbus::BusOptions test_bus_options(const std::string& stem);

// librdkafka's debug contexts asked for with EMIS_TEST_RDKAFKA_DEBUG (e.g.
// "cgrp,fetch"), for every client a test makes; empty when not set.
std::string rdkafka_debug();

// A loopback port nothing listens on now (the kernel's choice, released
// before use); 0 if none could be had.
std::uint16_t free_loopback_port();

// A fresh directory, deleted with the object.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& stem = "emis-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// True when the tests run on the CTest fixture's PostgreSQL
// ($EMIS_TEST_POSTGRES_DIR) rather than on SQLite files.
bool on_postgresql();

// A fresh, empty database for one test: `dir`/`file` on SQLite, a new
// database of the fixture's server on PostgreSQL.
std::string test_database_url(const ScratchDir& dir, const std::string& file);

}  // namespace emis::testing
