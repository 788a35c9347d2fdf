// A consumer process killed with SIGKILL in the middle of a stream of
// events, then started again: every event takes effect exactly once in the
// SQLite file (its handler transaction and inbox row commit together; the
// offsets it had not committed are read again and skipped by the inbox).
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <iostream>
#include <map>

#include "eventbus/schema.hpp"
#include "support/bus_testing.hpp"

#ifndef EMIS_BUS_CONSUMER_CHILD
#error "EMIS_BUS_CONSUMER_CHILD must name the consumer child executable (tests/CMakeLists.txt)"
#endif

namespace emis::testing {
namespace {

TEST(EventbusCrash, ConsumerKilledMidStreamAndRestartedTakesEveryEffectOnce) {
  spdlog::set_level(spdlog::level::warn);
  constexpr int first = 400, while_down = 100;
  const auto options = test_bus_options("crash");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 3);
  ScratchDir dir("crash");
  const auto db_path = test_database_url(dir, "consumer.db");
  store::Database db(test_database_options(db_path));  // the test's own view of the child's file
  db.migrate(eventbus::schema_migrations());
  db.migrate(effects_migrations());

  core::MetricsRegistry metrics;
  eventbus::Publisher publisher(options, metrics);
  std::vector<std::string> ids;
  auto publish = [&](int from, int n) {
    for (int i = from; i < from + n; ++i) {
      const auto m =
          eventbus::encode(ThingHappened{"thing-" + std::to_string(i % 10), i, {}}, publisher.context());
      ids.push_back(m.event_id);
      publisher.publish(m, [](const eventbus::DeliveryReport& r) { EXPECT_TRUE(r.ok) << r.error; });
    }
    ASSERT_TRUE(publisher.flush(20s));
  };
  auto child = [&](int delay_ms, const std::string& name) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{EMIS_BUS_CONSUMER_CHILD, db_path, options.bootstrap_servers,
                                 options.topics.common_prefix, options.group_id, std::to_string(delay_ms),
                                 dir.file(name + ".stats")},
        dir.file(name + ".log"));
  };
  auto log_of = [&](const std::string& name) { return read_file(dir.file(name + ".log")); };

  publish(0, first);
  // A slow handler, so the kill lands while the child is working through the stream.
  auto victim = child(3, "victim");
  ASSERT_TRUE(eventually([&] { return effect_count(db) >= 100; }, 30s))
      << "the child handled " << effect_count(db) << " events\n"
      << log_of("victim");
  victim->kill(SIGKILL);
  const auto status = victim->wait(10s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
  const auto at_kill = effect_count(db);
  EXPECT_LT(at_kill, first) << "the child finished before it was killed: not mid-stream";

  publish(first, while_down);
  auto survivor = child(0, "survivor");
  const auto total = static_cast<std::int64_t>(ids.size());
  ASSERT_TRUE(eventually([&] { return effect_count(db) >= total; }, 45s))
      << effect_count(db) << " of " << total << " events handled\n"
      << log_of("survivor");
  survivor->kill(SIGTERM);  // a clean stop, so it reports what it skipped
  const auto survivor_status = survivor->wait(20s);
  ASSERT_TRUE(survivor_status.has_value());
  EXPECT_TRUE(WIFEXITED(*survivor_status) && WEXITSTATUS(*survivor_status) == 0) << log_of("survivor");

  std::map<std::string, int> by_id;
  for (const auto& e : effects(db)) ++by_id[e.event_id];
  EXPECT_EQ(by_id.size(), ids.size());
  for (const auto& id : ids) {
    const int n = by_id.count(id) ? by_id.at(id) : 0;
    EXPECT_EQ(n, 1) << "event " << id << " took effect " << n << " times";
  }
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM inbox"), total);
  std::cout << "killed after " << at_kill
            << " effects; the restarted consumer: " << read_file(dir.file("survivor.stats"));
}

}  // namespace
}  // namespace emis::testing
