// The outbox relay under faults: the broker stopped while events are
// committed (rows wait, then drain in order, a retried one perhaps twice), a
// fatal producer error (the producer is replaced and delivery goes on), and
// stopping while the relay backs off after failed deliveries.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <map>
#include <thread>

#include "eventbus/outbox.hpp"
#include "eventbus/outbox_relay.hpp"
#include "store/row.hpp"
#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

using eventbus::Outbox;
using eventbus::OutboxRelay;

class EventbusRelayFaults : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }

  static std::int64_t unsent(store::Database& db) {
    return scalar(db, "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL");
  }

  // Checks that the topic holds exactly `ids`, each once, in commit order per key.
  static void expect_published_in_order(const std::string& topic, const std::vector<std::string>& ids) {
    expect_published_in_order(topic, ids, {});
  }

  // The same, but an event may stand again after it, up to once per attempt
  // its outbox row records (`attempts`, by event id). A delivery that timed
  // out while its request was on the wire may still have reached the log (a
  // broker just restarted can answer later than the timeout); the relay then
  // publishes the row again, and the consumers' inboxes drop the copy. What
  // must hold is that nothing is lost, that each event's first copy keeps its
  // key's commit order, and that no copy comes from anything but a retry.
  static void expect_published_in_order(const std::string& topic, const std::vector<std::string>& ids,
                                        const std::map<std::string, int>& attempts) {
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < ids.size(); ++i) position[ids[i]] = i;
    const auto messages = read_topic(topic, ids.size(), 30s);
    if (attempts.empty()) {
      EXPECT_EQ(messages.size(), ids.size());
    }
    std::map<std::string, int> copies;
    std::map<std::string, std::size_t> last;  // per key: commit position of its latest first copy
    for (const auto& m : messages) {
      const auto value = nlohmann::json::parse(m.value);
      const auto id = value.at("id").get<std::string>();
      ASSERT_TRUE(position.count(id)) << "unknown event " << id;
      if (++copies[id] > 1) continue;
      const auto key = value.at("thingId").get<std::string>();
      if (last.count(key)) {
        EXPECT_GT(position[id], last[key]) << "order broken for " << key;
      }
      last[key] = position[id];
    }
    EXPECT_EQ(copies.size(), ids.size());
    for (const auto& [id, n] : copies) {
      const auto tries = attempts.count(id) ? attempts.at(id) : 1;
      EXPECT_LE(n, tries) << id << " published " << n << " times in " << tries << " attempts";
    }
  }

  // Each outbox row's attempts (failed deliveries and the one that succeeded).
  static std::map<std::string, int> attempts_by_event(store::Database& db) {
    return db.read([](soci::session& s) {
      std::map<std::string, int> out;
      soci::rowset<soci::row> rows = (s.prepare << "SELECT event_id, attempts FROM outbox");
      for (const auto& r : rows) out[r.get<std::string>(0)] = static_cast<int>(store::int64_column(r, 1));
      return out;
    });
  }
};

TEST_F(EventbusRelayFaults, RowsWaitWhileTheBrokerIsDownAndDrainInOrderAfter) {
  auto options = test_bus_options("outage");
  options.delivery_timeout = 2000ms;  // fail fast while the broker is away
  options.relay_max_backoff = 1000ms;
  TestDatabase tdb("outage");
  core::MetricsRegistry metrics;
  OutboxRelay relay(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay.waker());
  relay.start();
  const auto topic = options.topics.topic(ThingHappened::type);

  std::vector<std::string> ids;
  std::map<std::string, std::int64_t> seq;
  auto commit = [&](int events) {
    tdb.db().write([&](store::Transaction& tx) {
      for (int i = 0; i < events; ++i) {
        const auto key = "thing-" + std::to_string(ids.size() % 2);
        ids.push_back(outbox.add(tx, ThingHappened{key, seq[key]++, {}}));
      }
    });
  };
  // The topic exists and the producer is connected before the outage.
  commit(1);
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 0; }, 20s));

  BrokerRestartGuard guard;  // whatever happens below, the broker runs again afterwards
  broker_stop();
  for (int t = 0; t < 5; ++t) commit(10);
  EXPECT_EQ(unsent(tdb.db()), 50);
  // The relay tried, the deliveries failed, and the rows stay unsent.
  ASSERT_TRUE(eventually(
      [&] { return scalar(tdb.db(), "SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL") > 0; }, 20s))
      << "the relay never reported a failed delivery";
  EXPECT_EQ(unsent(tdb.db()), 50);
  EXPECT_GT(metrics.counter("emis_eventbus_delivery_failures_total", "").value(), 0u);
  // Still writable while the broker is away.
  commit(10);
  EXPECT_EQ(unsent(tdb.db()), 60);

  broker_start();
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 0; }, 40s))
      << unsent(tdb.db()) << " rows still unsent";
  // Rows were marked sent in sequence order: a row is never sent before an earlier one.
  EXPECT_EQ(
      scalar(tdb.db(),
             "SELECT COUNT(*) FROM outbox a JOIN outbox b ON a.seq < b.seq AND a.event_key = b.event_key "
             "WHERE a.sent_at_ms > b.sent_at_ms"),
      0);
  expect_published_in_order(topic, ids, attempts_by_event(tdb.db()));
}

TEST_F(EventbusRelayFaults, FatalProducerErrorReplacesTheProducer) {
  const auto options = test_bus_options("fatal");
  TestDatabase tdb("fatal");
  core::MetricsRegistry metrics;
  OutboxRelay relay(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay.waker());
  relay.start();
  const auto topic = options.topics.topic(ThingHappened::type);

  std::vector<std::string> ids;
  auto commit = [&](int from, int n) {
    tdb.db().write([&](store::Transaction& tx) {
      for (int i = from; i < from + n; ++i) ids.push_back(outbox.add(tx, ThingHappened{"thing-1", i, {}}));
    });
  };
  commit(0, 10);
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 0; }, 20s));
  EXPECT_EQ(relay.producers_created(), 1u);

  relay.inject_fatal_error("injected by the test");
  commit(10, 10);
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 0; }, 30s))
      << unsent(tdb.db()) << " rows still unsent";
  EXPECT_GE(relay.producers_created(), 2u);
  expect_published_in_order(topic, ids);

  // The new producer keeps working.
  commit(20, 5);
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 0; }, 20s));
  expect_published_in_order(topic, ids);
}

// Clean shutdown must not hang when Kafka is away (SIGTERM during an outage).
TEST_F(EventbusRelayFaults, ConsumerAndRelayStopWhileTheBrokerIsDown) {
  auto options = test_bus_options("stop-outage");
  options.delivery_timeout = 2000ms;
  // The consumer's stop waits on the unreachable group coordinator for about
  // two session timeouts (commit, then close); the broker's minimum keeps it short.
  options.kafka_properties["session.timeout.ms"] = "6000";
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, 1);
  TestDatabase tdb("stop-outage");
  core::MetricsRegistry metrics;
  auto relay = std::make_unique<OutboxRelay>(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay->waker());
  relay->start();
  auto rig = std::make_unique<ConsumerRig>(tdb.db(), options);
  rig->consumer.handlers().on<ThingHappened>(
      [](store::Transaction& tx, const ThingHappened& thing, const eventbus::IncomingEvent& e) {
        record_effect(tx, e, thing);
      });
  rig->consumer.start();
  tdb.db().write([&](store::Transaction& tx) {
    for (int i = 0; i < 5; ++i) outbox.add(tx, ThingHappened{"thing-1", i, {}});
  });
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 5; }, 30s));

  BrokerRestartGuard guard;
  broker_stop();
  tdb.db().write([&](store::Transaction& tx) { outbox.add(tx, ThingHappened{"thing-1", 5, {}}); });
  std::atomic<bool> stopped{false};
  std::chrono::milliseconds consumer_took{0};
  const auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    rig->consumer.stop();
    consumer_took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    relay->stop();
    stopped = true;
  });
  const bool in_time = eventually([&] { return stopped.load(); }, 45s, 50ms);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!in_time) broker_start();  // let a hung stop finish, so the thread can be joined
  stopper.join();
  EXPECT_TRUE(in_time) << "stopping took " << took.count() << " ms";
  std::cout << "consumer stopped in " << consumer_took.count() << " ms, consumer and relay in "
            << took.count() << " ms with the broker down\n";
  EXPECT_EQ(unsent(tdb.db()), 1);  // the event committed during the outage waits for the next start
}

// stop() must end the relay's wait at once, whenever it comes: a stop that
// slips between the relay's check of its flags and the start of its wait
// would otherwise sleep out the whole wait (the backoff, or here the idle
// poll of an hour). Each round stops a fresh relay at a different moment
// around its first wait; a lost wake-up hangs the test until CTest's timeout.
TEST_F(EventbusRelayFaults, StopEndsTheWaitAtOnce) {
  auto options = test_bus_options("stop-wait");
  options.bootstrap_servers = "127.0.0.1:1";  // no broker needed: the outbox is empty
  options.relay_max_backoff = std::chrono::hours(1);
  options.relay_idle_poll = std::chrono::hours(1);
  TestDatabase tdb("stop-wait");
  core::MetricsRegistry metrics;
  for (int round = 0; round < 300; ++round) {
    OutboxRelay relay(tdb.db(), options, metrics);
    relay.start();
    // Spread the stops over the relay's first drain and the start of its wait.
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(round % 60 * 20);
    while (std::chrono::steady_clock::now() < until) {
    }
    relay.stop();
  }
  EXPECT_EQ(unsent(tdb.db()), 0);
}

// An event the producer refuses for good (bigger than it takes) holds back
// only the later events of its key; other keys keep flowing.
TEST_F(EventbusRelayFaults, AnEventThatCannotBeSentHoldsBackOnlyItsKey) {
  auto options = test_bus_options("refused");
  options.kafka_properties["message.max.bytes"] = "2000";
  options.relay_max_backoff = 200ms;
  TestDatabase tdb("refused");
  core::MetricsRegistry metrics;
  OutboxRelay relay(tdb.db(), options, metrics);
  Outbox outbox({options.topics, options.source, {}}, relay.waker());
  const auto topic = options.topics.topic(ThingHappened::type);
  std::vector<std::string> flowing;
  tdb.db().write([&](store::Transaction& tx) {
    outbox.add(tx, ThingHappened{"stuck", 0, std::string(3000, 'x')});
    for (int i = 0; i < 5; ++i) {
      outbox.add(tx, ThingHappened{"stuck", i + 1, {}});
      flowing.push_back(outbox.add(tx, ThingHappened{"flowing", i, {}}));
    }
  });
  relay.start();
  expect_published_in_order(topic, flowing);
  ASSERT_TRUE(eventually([&] { return unsent(tdb.db()) == 6; }, 20s)) << unsent(tdb.db()) << " rows unsent";
  EXPECT_EQ(scalar(tdb.db(), "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL AND event_key = 'stuck'"),
            6);
  EXPECT_EQ(topic_message_count(topic), 5);
}

}  // namespace
}  // namespace emis::testing
