// A partition whose fetching stops while the consumer keeps polling (as
// librdkafka 2.0.2 can leave one after a rebalance) is noticed by the stall
// watch and restarted: the events waiting in it are handled, once each.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

TEST(EventbusStall, AStalledPartitionIsRestartedAndItsEventsHandled) {
  spdlog::set_level(spdlog::level::err);
  auto options = test_bus_options("stall");
  options.stall_patience = 1s;  // checked with the lag, every 5 s
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("stall");

  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  auto publish = [&](int seq) {
    ASSERT_TRUE(
        publisher.publish_and_wait(eventbus::encode(ThingHappened{"thing-1", seq, {}}, publisher.context()))
            .ok);
  };

  ConsumerRig rig(tdb.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [](store::Transaction& tx, const ThingHappened& thing, const eventbus::IncomingEvent& e) {
        record_effect(tx, e, thing);
      });
  rig.consumer.start();
  publish(1);
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 1; }, 30s));

  ASSERT_TRUE(rig.consumer.stall_for_test(topic, 0));
  for (int seq = 2; seq <= 5; ++seq) publish(seq);

  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 5; }, 30s))
      << effect_count(tdb.db()) << " of 5 handled";
  EXPECT_GE(rig.count("emis_eventbus_fetch_restarts_total", topic), 1u);
  const auto all = effects(tdb.db());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
}

}  // namespace
}  // namespace emis::testing
