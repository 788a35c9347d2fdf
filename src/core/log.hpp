// Logging as JSON lines on stderr (one object per line: time, level,
// service, msg), so log shippers need no parsing rules.
#pragma once

#include <string>

namespace emis::core {

// Installs the default spdlog logger. `level` is spdlog's name ("info", "debug" ...).
void init_logging(const std::string& service, const std::string& level);

}  // namespace emis::core
