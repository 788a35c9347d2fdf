// GET /metrics with EMIS_METRICS_TOKEN set: only to that bearer token, 401
// problem+json with WWW-Authenticate otherwise; unset, open to anyone.
#include <gtest/gtest.h>

#include <string>

#include "core/metrics.hpp"
#include "http/server.hpp"
#include "http/standard_routes.hpp"
#include "support/http_call.hpp"
#include "support/test_env.hpp"

namespace emis::http {
namespace {

class MetricsToken : public ::testing::Test {
 protected:
  std::string start(const std::string& token) {
    server_ = std::make_unique<Server>(
        ServerOptions{
            .address = "127.0.0.1", .port = emis::testing::free_loopback_port(), .worker_threads = 1},
        metrics_);
    add_standard_routes(*server_, metrics_, {}, token);
    server_->start();
    return "http://127.0.0.1:" + std::to_string(server_->options().port) + "/metrics";
  }

  core::MetricsRegistry metrics_;
  std::unique_ptr<Server> server_;
};

TEST_F(MetricsToken, WithATokenOnlyThatBearerTokenScrapes) {
  const auto url = start("s3cret-scrape-token");
  for (const auto& headers :
       std::vector<std::vector<std::string>>{{},
                                             {"Authorization: Bearer wrong"},
                                             {"Authorization: Bearer s3cret-scrape-token-and-more"},
                                             {"Authorization: Bearer s3cret"},
                                             {"Authorization: Basic czNjcmV0LXNjcmFwZS10b2tlbg=="}}) {
    auto answer = emis::testing::http_call("GET", url, headers);
    EXPECT_EQ(answer.status, 401) << (headers.empty() ? "no header" : headers[0]);
    EXPECT_EQ(answer.headers["Content-Type"], "application/problem+json");
    EXPECT_EQ(answer.headers["WWW-Authenticate"], "Bearer");
  }
  const auto ok = emis::testing::http_call("GET", url, {"Authorization: Bearer s3cret-scrape-token"});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("emis_http_requests_total"), std::string::npos) << ok.body;
}

TEST_F(MetricsToken, WithoutATokenMetricsAreOpen) {
  EXPECT_EQ(emis::testing::http_call("GET", start("")).status, 200);
}

}  // namespace
}  // namespace emis::http
