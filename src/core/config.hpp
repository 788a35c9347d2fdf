// Service configuration: a flat JSON object read from `--config FILE`, with
// environment overrides. EMIS_HTTP_PORT overrides key "http_port",
// EMIS_KAFKA_BOOTSTRAP_SERVERS overrides "kafka_bootstrap_servers": the key is
// the variable's name without the EMIS_ prefix, lowercased. Values keep their
// JSON type where the file gave one (a number stays a number).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace emis::core {

class Config {
 public:
  Config() = default;
  explicit Config(nlohmann::json values) : values_(std::move(values)) {}

  // Reads `file` (if given) then applies the EMIS_* variables of `environ`.
  static Config load(const std::optional<std::string>& file);
  static Config from(nlohmann::json values, const std::map<std::string, std::string>& env);

  std::string string(const std::string& key, const std::string& fallback) const;
  std::int64_t integer(const std::string& key, std::int64_t fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  bool has(const std::string& key) const;
  // A nested JSON object (e.g. raw librdkafka properties); empty when absent.
  nlohmann::json object(const std::string& key) const;

  void set(const std::string& key, nlohmann::json value) { values_[key] = std::move(value); }
  const nlohmann::json& values() const noexcept { return values_; }

 private:
  nlohmann::json values_ = nlohmann::json::object();
};

std::map<std::string, std::string> emis_environment();

}  // namespace emis::core
