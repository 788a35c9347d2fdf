// Two consumers in one group over a topic with several partitions: both get
// partitions, and when one of them stops mid-stream (a rebalance) while
// events keep coming, every event's effect happens exactly once.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

using eventbus::IncomingEvent;

// The effects rows name who handled the event and from which partition: "a:2".
struct Handled {
  std::string consumer;
  int partition = -1;
};
Handled parse(const std::string& who) {
  const auto colon = who.find(':');
  return {who.substr(0, colon), std::stoi(who.substr(colon + 1))};
}

TEST(EventbusRebalance, TwoConsumersSplitPartitionsAndARebalanceLosesAndDuplicatesNothing) {
  spdlog::set_level(spdlog::level::warn);
  constexpr int partitions = 4, before = 200;
  const auto options = test_bus_options("rebalance");
  const auto topic = options.topics.topic(ThingHappened::type);
  create_topic(topic, partitions);
  // One service, two instances: they share the service's database (and so its inbox).
  TestDatabase tdb("rebalance");

  core::MetricsRegistry publisher_metrics;
  eventbus::Publisher publisher(options, publisher_metrics);
  std::mutex ids_mutex;
  std::vector<std::string> ids;
  std::map<std::string, std::pair<int, std::int64_t>> placed;  // event id -> partition, offset
  std::atomic<int> failed_deliveries{0};
  auto publish_one = [&](int i) {
    const auto m =
        eventbus::encode(ThingHappened{"thing-" + std::to_string(i % 40), i, {}}, publisher.context());
    {
      std::lock_guard lock(ids_mutex);
      ids.push_back(m.event_id);
    }
    // Asynchronous, so the stream keeps flowing; the flush below waits for all.
    publisher.publish(m, [&, id = m.event_id](const eventbus::DeliveryReport& r) {
      if (!r.ok) ++failed_deliveries;
      std::lock_guard lock(ids_mutex);
      placed[id] = {r.partition, r.offset};
    });
  };

  auto make_rig = [&](const std::string& name) {
    auto rig = std::make_unique<ConsumerRig>(tdb.db(), options);
    rig->consumer.handlers().on<ThingHappened>(
        [name](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
          record_effect(tx, e, thing, name + ":" + std::to_string(e.raw->partition));
        });
    return rig;
  };
  auto a = make_rig("a");
  auto b = make_rig("b");
  a->consumer.start();
  for (int i = 0; i < before; ++i) publish_one(i);
  ASSERT_TRUE(eventually([&] { return a->handled(topic) > 0; }, 30s));

  // From here on events keep flowing until the test has seen the takeover.
  std::atomic<bool> stop_stream{false};
  std::thread stream([&] {
    for (int i = before; !stop_stream; ++i) {
      publish_one(i);
      std::this_thread::sleep_for(2ms);  // pacing: a stream, not a burst
    }
  });
  struct StreamJoiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StreamJoiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop_stream, stream};

  b->consumer.start();  // joins: the group rebalances and splits the partitions
  // b has handled events of each of its partitions (b's first events may all come from one).
  auto partitions_handled_by_b = [&] {
    std::set<int> of_b;
    for (const auto& e : effects(tdb.db()))
      if (const auto h = parse(e.consumer); h.consumer == "b") of_b.insert(h.partition);
    return of_b.size();
  };
  ASSERT_TRUE(eventually(
      [&] {
        return b->handled(topic) >= 30 &&
               partitions_handled_by_b() >= static_cast<std::size_t>(partitions / 2);
      },
      30s))
      << "b never got its partitions: it handled " << b->handled(topic) << " events of "
      << partitions_handled_by_b() << " partitions";

  b->consumer.stop();  // mid-stream: commits, leaves the group, a takes its partitions over
  // Who owned what while both ran.
  std::set<int> partitions_of_a, partitions_of_b;
  std::int64_t last_effect_of_b = 0;
  const auto before_takeover = effects(tdb.db());
  for (std::size_t n = 0; n < before_takeover.size(); ++n) {
    const auto h = parse(before_takeover[n].consumer);
    (h.consumer == "a" ? partitions_of_a : partitions_of_b).insert(h.partition);
    if (h.consumer == "b") last_effect_of_b = static_cast<std::int64_t>(n);
  }
  EXPECT_EQ(partitions_of_b.size(), static_cast<std::size_t>(partitions / 2))
      << "b's share of the partitions";
  EXPECT_FALSE(partitions_of_a.empty());
  // a handles new events of every partition b had, after b's last effect.
  const bool taken_over = eventually(
      [&] {
        std::set<int> taken;
        const auto all = effects(tdb.db());
        for (std::size_t n = static_cast<std::size_t>(last_effect_of_b) + 1; n < all.size(); ++n)
          if (const auto h = parse(all[n].consumer); h.consumer == "a" && partitions_of_b.count(h.partition))
            taken.insert(h.partition);
        return taken == partitions_of_b;
      },
      30s);
  stop_stream = true;
  stream.join();
  ASSERT_TRUE(publisher.flush(10s));
  EXPECT_EQ(failed_deliveries.load(), 0);
  ASSERT_TRUE(taken_over) << "a did not take b's partitions over";

  const auto total = static_cast<std::int64_t>(ids.size());
  // On failure: which events are missing, and where each partition's handling stands.
  auto missing = [&] {
    std::set<std::string> seen;
    for (const auto& e : effects(tdb.db())) seen.insert(e.event_id);
    std::ostringstream out;
    std::lock_guard lock(ids_mutex);
    for (const auto& id : ids)
      if (!seen.count(id))
        out << "\n  missing " << id << " at partition " << placed[id].first << " offset "
            << placed[id].second;
    for (int p = 0; p < partitions; ++p)
      out << "\n  partition " << p << ": inbox holds offsets up to "
          << scalar(tdb.db(), "SELECT COALESCE(MAX(offset_no), -1) FROM inbox WHERE partition_no = " +
                                  std::to_string(p));
    return out.str();
  };
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) >= total; }, 45s))
      << effect_count(tdb.db()) << " of " << total << " handled" << missing();
  // Every message read by someone (a redelivery would be read after its effect).
  const auto read_by_b = b->handled(topic) + b->duplicates(topic);
  ASSERT_TRUE(eventually(
      [&] {
        return a->handled(topic) + a->duplicates(topic) + read_by_b >= static_cast<std::uint64_t>(total);
      },
      20s));

  std::map<std::string, int> by_id;
  std::map<std::string, int> by_consumer;
  for (const auto& e : effects(tdb.db())) {
    ++by_id[e.event_id];
    ++by_consumer[parse(e.consumer).consumer];
  }
  EXPECT_EQ(by_id.size(), ids.size()) << "every event handled";
  for (const auto& id : ids) {
    const int n = by_id.count(id) ? by_id.at(id) : 0;
    EXPECT_EQ(n, 1) << "event " << id << " took effect " << n << " times";
  }
  EXPECT_EQ(scalar(tdb.db(), "SELECT COUNT(*) FROM inbox WHERE consumer = '" + options.group_id + "'"),
            total);
  std::cout << total << " events; effects by a: " << by_consumer["a"] << ", by b: " << by_consumer["b"]
            << "; redeliveries skipped by a: " << a->duplicates(topic) << ", by b: " << b->duplicates(topic)
            << '\n';
}

}  // namespace
}  // namespace emis::testing
