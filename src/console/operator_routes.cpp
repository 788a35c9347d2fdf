// The operator's view of the event flow (role Operator only): every
// component's readiness and outbox backlog, the system's topics with end offsets, and the lag of
// the watched consumer groups per partition. The page turns successive end
// offsets into messages per second.
#include "console/operator_routes.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "console/event_story.hpp"
#include "console/operator_access.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::console {
namespace {

// The service's outbox backlog from its Prometheus gauge emis_outbox_backlog
// (the console reads no other service's database); null when not readable.
nlohmann::json outbox_backlog(const std::string& url) {
  const auto answer = call_upstream("GET", url + "/metrics", {});
  if (answer.status != 200) return nullptr;
  std::istringstream lines(answer.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("emis_outbox_backlog", 0) != 0) continue;
    const auto space = line.find_last_of(' ');
    try {
      return static_cast<long long>(std::stod(line.substr(space + 1)));
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  return nullptr;
}

nlohmann::json readiness(const std::string& name, const std::string& url) {
  const auto answer = call_upstream("GET", url + "/health/ready", {});
  auto detail = nlohmann::json::parse(answer.body, nullptr, false);
  return {{"name", name},
          {"url", url},
          {"ready", answer.status == 200},
          {"status", answer.status},
          {"outboxBacklog", outbox_backlog(url)},
          {"detail", detail.is_discarded() ? nlohmann::json(nullptr) : detail}};
}

}  // namespace

void add_operator_routes(http::Server& server, const OperatorContext& ctx) {
  server.route(http::Method::get, "/console/api/operator/health", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    auto components = nlohmann::json::array();
    for (const auto& [name, url] : ctx.components) components.push_back(readiness(name, url));
    bool kafka = true;
    try {
      ctx.kafka.topics(kKafkaTimeout);
    } catch (const std::exception&) {
      kafka = false;
    }
    components.push_back({{"name", "kafka"}, {"url", ctx.bootstrap_servers}, {"ready", kafka}});
    return http::Response::json(200, {{"components", components}}).with_header("Cache-Control", "no-store");
  });
  server.route(http::Method::get, "/console/api/operator/topics", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    const auto topics = from_kafka([&] { return ctx.kafka.topics(kKafkaTimeout); });
    auto topic_json = nlohmann::json::array();
    for (const auto& t : topics) {
      auto partitions = nlohmann::json::array();
      for (const auto& p : t.partitions)
        partitions.push_back({{"partition", p.partition}, {"low", p.low}, {"high", p.high}});
      topic_json.push_back({{"name", t.name}, {"partitions", partitions}});
    }
    auto lag_json = nlohmann::json::array();
    for (const auto& group : ctx.groups) {
      try {
        for (const auto& l : ctx.kafka.lag(group, topics, kKafkaTimeout))
          lag_json.push_back({{"group", l.group},
                              {"topic", l.topic},
                              {"partition", l.partition},
                              {"committed", l.committed},
                              {"lag", l.lag}});
      } catch (const std::exception& e) {
        spdlog::warn("lag of {}: {}", group, e.what());
      }
    }
    return http::Response::json(200, {{"topics", topic_json},
                                      {"lag", lag_json},
                                      {"groups", ctx.groups},
                                      {"at", core::now_iso8601()}})
        .with_header("Cache-Control", "no-store");
  });
  server.route(http::Method::get, "/console/api/operator/story", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    const auto query = request.query_param("q").value_or("");
    if (query.empty() || query.size() > 64)
      throw core::DomainError(core::ErrorKind::validation, "Invalid query",
                              "q is a teacher id, an event key or a trace id.",
                              {{"q", "Give a teacher id, an event key or a trace id."}});
    const auto story = find_story(ctx.db, query);
    auto events = nlohmann::json::array();
    for (const auto& e : story.events)
      events.push_back({{"occurredOn", e.occurred_on},
                        {"topic", e.topic},
                        {"partition", e.partition},
                        {"offset", e.offset},
                        {"key", e.key},
                        {"eventType", e.event_type},
                        {"eventId", e.event_id},
                        {"traceId", e.trace_id}});
    return http::Response::json(200, {{"teacherId", story.teacher_id}, {"events", events}})
        .with_header("Cache-Control", "no-store");
  });
}

}  // namespace emis::console
