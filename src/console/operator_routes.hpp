// The operator's API under /console/api/operator (role Operator): health,
// topics and lag, one teacher's story (operator_routes.cpp), dead letters and
// their replay (dead_letter_routes.cpp), message search (search_routes.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "console/components.hpp"
#include "console/dead_letter_replay.hpp"
#include "console/kafka_inspector.hpp"
#include "console/replay_log.hpp"
#include "console/sessions.hpp"
#include "console/upstream.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::console {

struct OperatorContext {
  Sessions& sessions;
  store::Database& db;  // the console's own: the recorded stories
  const KafkaInspector& kafka;
  std::vector<Component> components;
  std::vector<std::string> groups;  // consumer groups to show the lag of
  std::string bootstrap_servers;
  DeadLetterReplayer& replayer;
  const ReplayLog& replay_log;
};

void add_operator_routes(http::Server& server, const OperatorContext& ctx);
void add_dead_letter_routes(http::Server& server, const OperatorContext& ctx);
void add_search_routes(http::Server& server, const OperatorContext& ctx);

}  // namespace emis::console
