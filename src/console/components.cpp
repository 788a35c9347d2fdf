#include "console/components.hpp"

#include <stdexcept>

#include "host/service_host.hpp"

namespace emis::console {

std::vector<Component> components_of(const core::Config& config) {
  std::vector<Component> out;
  for (const auto& entry : host::string_list(config, "component_urls")) {
    const auto eq = entry.find('=');
    if (eq == 0 || eq == std::string::npos || entry.find("://", eq) == std::string::npos)
      throw std::invalid_argument("component_urls: '" + entry + "' is not name=url");
    out.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  if (!out.empty()) return out;
  return {{"teacher-service", config.string("teacher_url", "http://127.0.0.1:5001")},
          {"identity-service", config.string("identity_url", "http://127.0.0.1:5002")},
          {"student-service", config.string("student_url", "http://127.0.0.1:5003")}};
}

}  // namespace emis::console
