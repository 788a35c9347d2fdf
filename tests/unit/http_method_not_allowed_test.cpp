// A known path asked with a method it has no route for answers 405 with an
// Allow header naming the methods it has; an unknown path stays 404.
#include <gtest/gtest.h>

#include <string>

#include "core/metrics.hpp"
#include "http/server.hpp"
#include "http/standard_routes.hpp"
#include "support/http_call.hpp"
#include "support/test_env.hpp"

namespace emis::http {
namespace {

class HttpMethodNotAllowed : public ::testing::Test {
 protected:
  HttpMethodNotAllowed()
      : server_({.address = "127.0.0.1", .port = emis::testing::free_loopback_port(), .worker_threads = 1},
                metrics_) {
    const auto ok = [](const Request&) { return Response::no_content(); };
    server_.route(Method::get, "/items", ok);
    server_.route(Method::post, "/items", ok);
    server_.route(Method::get, "/items/:id", ok);
    server_.route(Method::put, "/items/:id", ok);
    server_.route(Method::del, "/items/:id", ok);
    server_.route(Method::post, "/items/:id/archive", ok);
    add_standard_routes(server_, metrics_, {});
    server_.start();
  }

  emis::testing::HttpAnswer call(const std::string& method, const std::string& path) {
    return emis::testing::http_call(method,
                                    "http://127.0.0.1:" + std::to_string(server_.options().port) + path);
  }

  core::MetricsRegistry metrics_;
  Server server_;
};

TEST_F(HttpMethodNotAllowed, KnownPathWithAnotherMethodIs405WithAllow) {
  for (const auto* method : {"TRACE", "PATCH", "DELETE", "PUT", "OPTIONS"}) {
    auto answer = call(method, "/items");
    EXPECT_EQ(answer.status, 405) << method;
    EXPECT_EQ(answer.headers["Allow"], "GET, POST") << method;
    EXPECT_EQ(answer.headers["Content-Type"], "application/problem+json") << method;
    EXPECT_NE(answer.body.find("\"status\":405"), std::string::npos) << answer.body;
  }
  auto item = call("PATCH", "/items/42");
  EXPECT_EQ(item.status, 405);
  EXPECT_EQ(item.headers["Allow"], "GET, PUT, DELETE");
  auto archive = call("GET", "/items/42/archive");
  EXPECT_EQ(archive.status, 405);
  EXPECT_EQ(archive.headers["Allow"], "POST");
}

TEST_F(HttpMethodNotAllowed, StandardRoutesAnswer405Too) {
  for (const auto* path : {"/health/live", "/health/ready", "/metrics"}) {
    auto answer = call("TRACE", path);
    EXPECT_EQ(answer.status, 405) << path;
    EXPECT_EQ(answer.headers["Allow"], "GET") << path;
  }
}

TEST_F(HttpMethodNotAllowed, UnknownPathStays404) {
  for (const auto* path : {"/nothing", "/items/42/unknown", "/items/a/b"}) {
    auto answer = call("TRACE", path);
    EXPECT_EQ(answer.status, 404) << path;
    EXPECT_EQ(answer.headers.count("Allow"), 0u) << path;
    EXPECT_EQ(call("GET", path).status, 404) << path;
  }
}

TEST_F(HttpMethodNotAllowed, RoutedMethodsStillAnswer) {
  EXPECT_EQ(call("GET", "/items").status, 204);
  EXPECT_EQ(call("DELETE", "/items/7").status, 204);
  EXPECT_EQ(call("POST", "/items/7/archive").status, 204);
}

}  // namespace
}  // namespace emis::http
