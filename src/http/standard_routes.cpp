#include "http/standard_routes.hpp"

namespace emis::http {

void add_standard_routes(Server& server, core::MetricsRegistry& metrics, std::vector<ReadinessCheck> checks) {
  server.route(
      Method::get, "/health/live",
      [](const Request&) {
        return Response::json(200, {{"status", "Healthy"}});
      },
      Dispatch::inline_io);
  server.route(Method::get, "/health/ready", [checks = std::move(checks)](const Request&) {
    nlohmann::json entries = nlohmann::json::object();
    bool healthy = true;
    for (const auto& check : checks) {
      bool ok = false;
      try {
        ok = check.ready();
      } catch (const std::exception&) {
        ok = false;
      }
      healthy = healthy && ok;
      entries[check.name] = ok ? "Healthy" : "Unhealthy";
    }
    return Response::json(healthy ? 200 : 503,
                          {{"status", healthy ? "Healthy" : "Unhealthy"}, {"checks", entries}});
  });
  server.route(Method::get, "/metrics", [&metrics](const Request&) {
    return Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace emis::http
