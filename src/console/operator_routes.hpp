// GET /console/api/operator/health and /console/api/operator/topics (see
// operator_routes.cpp); both need the Operator role.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "console/kafka_inspector.hpp"
#include "console/sessions.hpp"
#include "console/upstream.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::console {

struct OperatorContext {
  Sessions& sessions;
  store::Database& db;  // the console's own: the recorded stories
  const KafkaInspector& kafka;
  std::vector<std::pair<std::string, std::string>> components;  // name, base URL
  std::vector<std::string> groups;                              // consumer groups to show the lag of
  std::string bootstrap_servers;
};

void add_operator_routes(http::Server& server, const OperatorContext& ctx);

}  // namespace emis::console
