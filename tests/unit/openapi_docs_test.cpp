// The OpenAPI documents embedded in the services (docs/*.openapi.json, served
// at GET /openapi.json): they parse, are OpenAPI 3, and describe exactly the
// routes each service serves.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "auth/http_get.hpp"
#include "core/metrics.hpp"
#include "embedded/identity_openapi_json.hpp"
#include "embedded/student_openapi_json.hpp"
#include "embedded/teacher_openapi_json.hpp"
#include "http/document_route.hpp"
#include "http/server.hpp"
#include "support/test_env.hpp"

namespace {

using Paths = std::set<std::string>;

// Every service's standard routes (http/standard_routes.cpp) and the document itself.
const Paths kStandardPaths{"/health/live", "/health/ready", "/metrics", "/openapi.json"};

// The routes of teacher_api.cpp, in OpenAPI's path syntax.
Paths teacher_paths() {
  Paths paths = kStandardPaths;
  paths.insert({"/api/v1/teachers", "/api/v1/teachers/{id}", "/api/v1/audit"});
  return paths;
}

// The routes of auth_api.cpp and users_api.cpp.
Paths identity_paths() {
  Paths paths = kStandardPaths;
  paths.insert({"/api/v1/auth/login", "/api/v1/auth/set-password", "/api/v1/auth/refresh-token",
                "/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/users", "/api/v1/users/{id}",
                "/api/v1/users/{id}/activation-code", "/api/v1/users/{id}/password-reset-code",
                "/api/v1/users/{id}/disable", "/api/v1/users/{id}/enable", "/api/v1/audit",
                "/.well-known/jwks.json"});
  return paths;
}

// The routes of student_api.cpp.
Paths student_paths() {
  Paths paths = kStandardPaths;
  paths.insert({"/api/v1/students", "/api/v1/students/{id}", "/api/v1/parents", "/api/v1/parents/{id}",
                "/api/v1/audit"});
  return paths;
}

nlohmann::json parse(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "the embedded document is not valid JSON";
  return doc;
}

Paths documented_paths(const nlohmann::json& doc) {
  Paths paths;
  for (const auto& [path, item] : doc.at("paths").items()) paths.insert(path);
  return paths;
}

void expect_openapi3(const nlohmann::json& doc) {
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc.contains("openapi"));
  EXPECT_EQ(doc.at("openapi").get<std::string>().rfind("3.", 0), 0u) << doc.at("openapi");
  EXPECT_TRUE(doc.contains("info"));
  EXPECT_TRUE(doc.at("components").at("securitySchemes").contains("bearerAuth"));
  EXPECT_TRUE(doc.at("components").at("schemas").contains("ProblemDetails"));
}

// Each documented operation's error answers point at problem+json.
void expect_problem_errors(const nlohmann::json& doc) {
  const auto& responses = doc.at("components").at("responses");
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      for (const auto& [status, response] : op.at("responses").items()) {
        if (status.front() != '4' && status.front() != '5') continue;
        const auto& r = response.contains("$ref")
                            ? responses.at(response.at("$ref").get<std::string>().substr(
                                  sizeof("#/components/responses/") - 1))
                            : response;
        EXPECT_TRUE(r.at("content").contains("application/problem+json"))
            << method << ' ' << path << ' ' << status;
      }
    }
}

TEST(OpenApiDocs, TeacherDocumentIsOpenApi3AndListsEveryRoute) {
  const auto doc = parse(emis::embedded::teacher_openapi_json);
  expect_openapi3(doc);
  EXPECT_EQ(documented_paths(doc), teacher_paths());
  expect_problem_errors(doc);
}

TEST(OpenApiDocs, StudentDocumentIsOpenApi3AndListsEveryRoute) {
  const auto doc = parse(emis::embedded::student_openapi_json);
  expect_openapi3(doc);
  EXPECT_EQ(documented_paths(doc), student_paths());
  expect_problem_errors(doc);
}

TEST(OpenApiDocs, IdentityDocumentIsOpenApi3AndListsEveryRoute) {
  const auto doc = parse(emis::embedded::identity_openapi_json);
  expect_openapi3(doc);
  EXPECT_EQ(documented_paths(doc), identity_paths());
  expect_problem_errors(doc);
  // Login is throttled: its 429 says when to come back.
  const auto& too_many = doc.at("components").at("responses").at("TooManyAttempts");
  EXPECT_TRUE(too_many.at("headers").contains("Retry-After"));
}

TEST(OpenApiDocs, DocumentRouteServesTheEmbeddedText) {
  emis::core::MetricsRegistry metrics;
  emis::http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = emis::testing::free_loopback_port();
  ASSERT_NE(options.port, 0);
  options.io_threads = 1;
  options.worker_threads = 1;
  emis::http::Server server(options, metrics);
  emis::http::add_document_route(server, "/openapi.json", emis::embedded::teacher_openapi_json,
                                 "application/json");
  server.start();
  const auto body =
      emis::auth::http_get("http://127.0.0.1:" + std::to_string(options.port) + "/openapi.json");
  server.stop();
  EXPECT_EQ(body, emis::embedded::teacher_openapi_json);
}

}  // namespace
