// The components whose readiness and outbox backlog the operator sees: each
// a name and the base URL of one service instance.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"

namespace emis::console {

using Component = std::pair<std::string, std::string>;  // name, base URL

// `component_urls` (name=url entries, a JSON array or comma-separated; e.g.
// teacher-1=http://127.0.0.1:5001,teacher-2=http://127.0.0.1:5011), else one
// per service from teacher_url, identity_url and student_url. Throws
// std::invalid_argument for an entry that is not name=url.
std::vector<Component> components_of(const core::Config& config);

}  // namespace emis::console
