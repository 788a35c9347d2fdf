// The routes every service answers: liveness, readiness and metrics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "http/server.hpp"

namespace emis::http {

struct ReadinessCheck {
  std::string name;             // "database", "kafka"
  std::function<bool()> ready;  // must be quick; runs on a worker thread
};

// GET /health/live -> 200 {"status":"Healthy"} while the process serves;
// GET /health/ready -> 200 when every check passes, 503 naming the failing ones;
// GET /metrics -> Prometheus text; when `metrics_token` is not empty, only to
// "Authorization: Bearer <metrics_token>" (401 problem+json otherwise).
void add_standard_routes(Server& server, core::MetricsRegistry& metrics, std::vector<ReadinessCheck> checks,
                         std::string metrics_token = {});

}  // namespace emis::http
