// Reading event fields strictly: a required field that is missing or not a
// string is a permanent error (the event goes to the dead-letter topic).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace emis::contracts {

std::string required_string(const nlohmann::json& j, const char* name);
std::optional<std::string> optional_string(const nlohmann::json& j, const char* name);

}  // namespace emis::contracts
