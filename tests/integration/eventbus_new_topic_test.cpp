// Publishing to a topic that does not exist yet: the broker creates it on the
// first request and is briefly not the leader of its partitions, so the
// first requests fail and are retried. Every event reported delivered must
// be in the topic, exactly once per report.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

TEST(EventbusNewTopic, EveryEventReportedDeliveredIsInTheTopic) {
  spdlog::set_level(spdlog::level::err);
  constexpr int topics = 12, events = 20;
  const auto options = test_bus_options("new-topic");
  core::MetricsRegistry metrics;
  eventbus::Publisher publisher(options, metrics);
  for (int t = 0; t < topics; ++t) {
    const auto topic = unique_name("new-topic-" + std::to_string(t));
    std::atomic<int> delivered{0};
    for (int i = 0; i < events; ++i) {
      auto m = eventbus::encode(ThingHappened{"thing-1", i, {}}, publisher.context());
      m.topic = topic;  // auto-created by the broker on first use
      publisher.publish(m, [&](const eventbus::DeliveryReport& r) {
        if (r.ok) ++delivered;
      });
    }
    ASSERT_TRUE(publisher.flush(30s));
    // A report without an offset would be a guess; the publisher must not
    // call that delivered. The relay sends what was not delivered again.
    EXPECT_EQ(topic_message_count(topic), delivered.load()) << "topic " << topic;
  }
}

}  // namespace
}  // namespace emis::testing
