#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace emis::core {

std::map<std::string, std::string> emis_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind("EMIS_", 0) != 0) continue;
    out.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return out;
}

Config Config::load(const std::optional<std::string>& file) {
  nlohmann::json values = nlohmann::json::object();
  if (file) {
    std::ifstream in(*file);
    if (!in) throw std::runtime_error("cannot read config file " + *file);
    try {
      values = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("config file " + *file + " is not valid JSON: " + e.what());
    }
    if (!values.is_object()) throw std::runtime_error("config file " + *file + " must hold a JSON object");
  }
  return from(std::move(values), emis_environment());
}

Config Config::from(nlohmann::json values, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    std::string key = name.substr(5);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    values[key] = value;
  }
  return Config(std::move(values));
}

bool Config::has(const std::string& key) const { return values_.contains(key) && !values_[key].is_null(); }

std::string Config::string(const std::string& key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const auto& v = values_[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::int64_t Config::integer(const std::string& key, std::int64_t fallback) const {
  if (!has(key)) return fallback;
  const auto& v = values_[key];
  if (v.is_number_integer()) return v.get<std::int64_t>();
  try {
    std::size_t used = 0;
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    const auto n = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return n;
  } catch (const std::exception&) {
    throw std::runtime_error("config key " + key + " must be an integer");
  }
}

bool Config::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = values_[key];
  if (v.is_boolean()) return v.get<bool>();
  const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw std::runtime_error("config key " + key + " must be a boolean");
}

nlohmann::json Config::object(const std::string& key) const {
  if (!has(key)) return nlohmann::json::object();
  const auto& v = values_[key];
  if (v.is_object()) return v;
  if (v.is_string()) {
    auto parsed = nlohmann::json::parse(v.get<std::string>(), nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  throw std::runtime_error("config key " + key + " must be a JSON object");
}

}  // namespace emis::core
