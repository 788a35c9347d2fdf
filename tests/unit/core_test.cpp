// Configuration overrides, ids, phone numbers, time and problem details.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "core/metrics.hpp"
#include "core/phone.hpp"
#include "http/principal.hpp"
#include "http/problem.hpp"

namespace emis {
namespace {

TEST(Config, EnvironmentOverridesTheFile) {
  const auto c = core::Config::from({{"http_port", 5001}, {"db", "a.db"}},
                                    {{"EMIS_HTTP_PORT", "6001"}, {"EMIS_KAFKA_TOPIC_PREFIX", "t1"}});
  EXPECT_EQ(c.integer("http_port", 0), 6001);
  EXPECT_EQ(c.string("db", ""), "a.db");
  EXPECT_EQ(c.string("kafka_topic_prefix", ""), "t1");
  EXPECT_EQ(c.string("missing", "fallback"), "fallback");
}

TEST(Config, RejectsANonIntegerWhereAnIntegerIsNeeded) {
  const auto c = core::Config::from({}, {{"EMIS_HTTP_PORT", "50x1"}});
  EXPECT_THROW(c.integer("http_port", 0), std::runtime_error);
}

TEST(Ids, AreVersion7AndSortByTheMillisecondTheyWereMadeIn) {
  const auto first = core::new_uuid();
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2)) {
  }
  const auto later = core::new_uuid();
  EXPECT_TRUE(core::is_uuid(first));
  EXPECT_EQ(first[14], '7');
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos);
  EXPECT_LT(first, later);
  EXPECT_NE(core::new_uuid(), core::new_uuid());
}

TEST(Ids, SortInTheOrderTheyWereMadeWithinAMillisecondToo) {
  // Thousands of ids are made in each millisecond here.
  std::vector<std::string> ids(20000);
  for (auto& id : ids) id = core::new_uuid();
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  for (const auto& id : ids) ASSERT_EQ(id[14], '7');
}

TEST(Phone, NormalisesVietnameseNumbersToE164) {
  EXPECT_EQ(core::normalize_phone("0912345678", "VN"), "+84912345678");
  EXPECT_EQ(core::normalize_phone("+84987654321", "VN"), "+84987654321");
  EXPECT_EQ(core::normalize_phone("0123456789", "VN"), std::nullopt);  // a retired range
  EXPECT_EQ(core::normalize_phone("", "VN"), std::nullopt);
}

TEST(Clock, Iso8601RoundTrips) {
  const auto t = core::parse_iso8601("2026-11-29T09:37:43.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(core::to_iso8601(*t), "2026-11-29T09:37:43.123Z");
  EXPECT_FALSE(core::parse_iso8601("2026-11-29 09:37:43"));
  EXPECT_FALSE(core::parse_iso8601("2026-13-01T00:00:00Z"));
}

TEST(Problem, ValidationErrorsListEachField) {
  const core::DomainError e(core::ErrorKind::validation, "Invalid", "",
                            {{"fullName", "required"}, {"fullName", "short"}});
  const auto r = http::problem(e, "/api/v1/teachers");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["instance"], "/api/v1/teachers");
  EXPECT_EQ(body["errors"]["fullName"].size(), 2u);
}

TEST(Problem, TooManyRequestsCarriesRetryAfter) {
  auto e = core::DomainError(core::ErrorKind::too_many_requests, "Slow down").with_retry_after(7);
  const auto r = http::problem(e);
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "7"}));
}

TEST(Traceparent, KeepsAValidOneAndMakesOneOtherwise) {
  http::Request r;
  const std::string valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  r.headers["traceparent"] = valid;
  EXPECT_EQ(http::traceparent_of(r), valid);
  r.headers["traceparent"] = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
  const auto made = http::traceparent_of(r);
  EXPECT_NE(made, r.headers["traceparent"]);
  EXPECT_EQ(made.size(), 55u);
  EXPECT_EQ(made.substr(0, 3), "00-");
}

TEST(Metrics, RendersPrometheusText) {
  core::MetricsRegistry m;
  m.counter("emis_x_total", "Things", {{"topic", "a\"b"}}).inc(3);
  m.gauge_callback("emis_backlog", "Rows", {}, [] { return 5.0; });
  const auto text = m.render();
  EXPECT_NE(text.find("# TYPE emis_x_total counter"), std::string::npos);
  EXPECT_NE(text.find(R"(emis_x_total{topic="a\"b"} 3)"), std::string::npos);
  EXPECT_NE(text.find("emis_backlog 5"), std::string::npos);
}

TEST(Metrics, AHistogramCountsEachObservationInTheBucketsAtOrAboveIt) {
  core::MetricsRegistry m;
  auto& h = m.histogram("emis_wait_seconds", "Waits", {{"topic", "t"}}, {0.001, 0.01});
  for (const double seconds : {0.0005, 0.001, 0.004, 3.0}) h.observe(seconds);
  EXPECT_EQ(&h, &m.histogram("emis_wait_seconds", "Waits", {{"topic", "t"}}, {0.001, 0.01}));
  const auto text = m.render();
  EXPECT_NE(text.find("# TYPE emis_wait_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find(R"(emis_wait_seconds_bucket{le="0.001",topic="t"} 2)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_wait_seconds_bucket{le="0.01",topic="t"} 3)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_wait_seconds_bucket{le="+Inf",topic="t"} 4)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_wait_seconds_sum{topic="t"} 3.0055)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_wait_seconds_count{topic="t"} 4)"), std::string::npos) << text;
}

TEST(Metrics, AHistogramIgnoresNegativeAndNotANumber) {
  core::Histogram h({0.001});
  h.observe(-0.5);
  h.observe(std::nan(""));
  h.observe(0.002);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.count_in(0), 0u);
  EXPECT_EQ(h.count_in(1), 1u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.002);
}

TEST(Metrics, LatenciesAreBucketedFromAMillisecondToFifteenMinutes) {
  core::MetricsRegistry m;
  m.histogram("emis_hop_seconds", "Hops").observe(120);
  const auto text = m.render();
  EXPECT_NE(text.find(R"(emis_hop_seconds_bucket{le="0.001"} 0)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_hop_seconds_bucket{le="60"} 0)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_hop_seconds_bucket{le="300"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(emis_hop_seconds_bucket{le="900"} 1)"), std::string::npos) << text;
}

TEST(Metrics, AHistogramsBoundsMustIncrease) {
  EXPECT_THROW(core::Histogram({0.01, 0.001}), std::logic_error);
  EXPECT_THROW(core::Histogram({0.001, 0.001}), std::logic_error);
  EXPECT_THROW(core::Histogram({0.001, std::numeric_limits<double>::infinity()}), std::logic_error);
}

}  // namespace
}  // namespace emis
