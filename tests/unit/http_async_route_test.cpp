// Asynchronous routes: a handler answers through a Reply, now or later and
// from another thread, with the same problem+json and metrics as a plain one.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "http/server.hpp"
#include "support/test_env.hpp"

namespace emis::http {
namespace {

struct Answer {
  long status = 0;
  std::string body;
};

Answer post(std::uint16_t port, const std::string& path, const std::string& body) {
  Answer answer;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_easy_cleanup(curl);
  return answer;
}

class HttpAsyncRoute : public ::testing::Test {
 protected:
  HttpAsyncRoute()
      : server_({.address = "127.0.0.1", .port = emis::testing::free_loopback_port(), .worker_threads = 2},
                metrics_) {}
  ~HttpAsyncRoute() override {
    server_.stop();
    for (auto& t : later_) t.join();
  }
  std::uint16_t port() const { return server_.options().port; }

  core::MetricsRegistry metrics_;
  Server server_;
  std::vector<std::thread> later_;
};

TEST_F(HttpAsyncRoute, AnswersFromAnotherThreadLater) {
  server_.route_async(Method::post, "/echo", [this](const Request& request, Reply reply) {
    later_.emplace_back([reply, body = request.body] { reply(Response::text(201, "got " + body)); });
  });
  server_.start();
  const auto answer = post(port(), "/echo", "hello");
  EXPECT_EQ(answer.status, 201);
  EXPECT_EQ(answer.body, "got hello");
  EXPECT_NE(metrics_.render().find(R"(emis_http_requests_total{route="/echo",status="201"} 1)"),
            std::string::npos)
      << metrics_.render();
}

TEST_F(HttpAsyncRoute, AFailureIsAnsweredAsProblemJson) {
  server_.route_async(Method::post, "/later", [this](const Request&, Reply reply) {
    later_.emplace_back([reply] {
      reply.fail(
          std::make_exception_ptr(core::DomainError(core::ErrorKind::conflict, "Taken", "It is taken.")));
    });
  });
  server_.route_async(Method::post, "/now", [](const Request&, Reply) {
    throw core::DomainError(core::ErrorKind::validation, "Bad", "It is bad.");
  });
  server_.route_async(Method::post, "/crash",
                      [](const Request&, Reply) { throw std::runtime_error("secret"); });
  server_.start();
  const auto later = post(port(), "/later", "{}");
  EXPECT_EQ(later.status, 409);
  EXPECT_NE(later.body.find("It is taken."), std::string::npos) << later.body;
  const auto now = post(port(), "/now", "{}");
  EXPECT_EQ(now.status, 400);
  EXPECT_NE(now.body.find("It is bad."), std::string::npos) << now.body;
  const auto crash = post(port(), "/crash", "{}");
  EXPECT_EQ(crash.status, 500);
  EXPECT_EQ(crash.body.find("secret"), std::string::npos) << crash.body;
}

TEST_F(HttpAsyncRoute, OnlyTheFirstAnswerIsSent) {
  server_.route_async(Method::post, "/twice", [](const Request&, Reply reply) {
    reply(Response::text(200, "first"));
    reply(Response::text(500, "second"));
  });
  server_.start();
  const auto answer = post(port(), "/twice", "{}");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "first");
  EXPECT_EQ(metrics_.render().find(R"(status="500")"), std::string::npos) << metrics_.render();
}

TEST_F(HttpAsyncRoute, AnOversizedBodyIsRefusedBeforeTheHandler) {
  bool called = false;
  server_.route_async(Method::post, "/big", [&](const Request&, Reply reply) {
    called = true;
    reply(Response::no_content());
  });
  server_.start();
  EXPECT_EQ(post(port(), "/big", std::string(server_.options().max_body_bytes + 1, 'x')).status, 413);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace emis::http
