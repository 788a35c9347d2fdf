#include "http/standard_routes.hpp"

#include "core/errors.hpp"
#include "http/principal.hpp"

namespace emis::http {
namespace {

// Looks at every byte of `given` whatever matches, so the time taken tells
// nothing about how much of the token a guess got right.
bool same_secret(std::string_view given, std::string_view secret) noexcept {
  if (secret.empty()) return false;
  unsigned diff = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(secret[i % secret.size()]);
  return diff == 0;
}

}  // namespace

void add_standard_routes(Server& server, core::MetricsRegistry& metrics, std::vector<ReadinessCheck> checks,
                         std::string metrics_token) {
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
  const bool protect = !metrics_token.empty();
  const TokenVerifier scraper = [token = std::move(metrics_token)](std::string_view given) {
    if (!same_secret(given, token)) core::throw_unauthorized("The metrics token is not valid.");
    return Principal{};
  };
  server.route(Method::get, "/metrics", [&metrics, scraper, protect](const Request& request) {
    if (protect) authenticate(request, scraper);
    return Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace emis::http
