// Poison messages against the real broker: every kind of message that can
// never be handled lands in <topic>.dlq with its key, value and headers plus
// the dlq-* headers, and the good message behind it on the same partition is
// still handled.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>
#include <stdexcept>

#include "core/errors.hpp"
#include "eventbus/dead_letter.hpp"
#include "eventbus/errors.hpp"
#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

using eventbus::Headers;
using eventbus::IncomingEvent;

struct Poison {
  std::string name;
  std::string value;
  Headers headers;
  std::string error_class;  // expected dlq-error-class
  int attempts = 1;
  std::string event_id;  // set when the value carries a usable id (then the inbox remembers it)
  std::optional<std::string> key = std::nullopt;  // nullopt: produced with a null key
  Produced produced = {};
};

Headers with_header(Headers headers, const std::string& name, const std::optional<std::string>& value) {
  std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  if (value) headers.emplace_back(name, *value);
  return headers;
}

TEST(EventbusPoison, EachPoisonMessageIsDeadLetteredAndTheNextOneHandled) {
  spdlog::set_level(spdlog::level::err);
  auto options = test_bus_options("poison");
  options.unclassified_max_attempts = 3;
  const auto topic = options.topics.topic(ThingHappened::type);
  const auto dlq = eventbus::dead_letter_topic(topic);
  create_topic(topic, 1);  // one partition: every poison message sits in front of a good one
  TestDatabase tdb("poison");
  const eventbus::PublishContext context{options.topics, options.source, {}};
  const std::string key = "thing-poison";

  auto good = [&](int seq, const std::string& note = {}) {
    return eventbus::encode(ThingHappened{key, seq, note}, context);
  };
  auto poison = [&](std::string name, const eventbus::OutgoingMessage& base, std::string value,
                    Headers headers, std::string error_class, int attempts = 1, bool has_id = true) {
    Poison p{std::move(name),        std::move(value), std::move(headers),
             std::move(error_class), attempts,         has_id ? base.event_id : std::string()};
    p.key = key;
    return p;
  };
  auto without = [](const std::string& json_text, const std::string& field) {
    auto j = nlohmann::json::parse(json_text);
    j.erase(field);
    return j.dump();
  };

  std::vector<Poison> poisons;
  {
    const auto m = good(1000);
    poisons.push_back(poison("malformed JSON", m, "{\"id\": \"" + m.event_id + "\", \"thingId\": ", m.headers,
                             "malformed", 1, false));
  }
  {
    const auto m = good(1001);
    poisons.push_back(poison("non-object JSON", m, "[1, 2, 3]", m.headers, "malformed", 1, false));
  }
  {
    const auto m = good(1002);
    poisons.push_back(poison("missing id", m, without(m.value, "id"), m.headers, "malformed", 1, false));
  }
  {
    const auto m = good(1003);
    poisons.push_back(poison("unknown event-type", m, m.value,
                             with_header(m.headers, "event-type", "MysteryIntegrationEvent"),
                             "unknown-type"));
  }
  {
    const auto m = good(1004);
    poisons.push_back(poison("no type header at all", m, m.value,
                             with_header(with_header(m.headers, "event-type", {}), "ce_type", {}),
                             "unknown-type", 1, false));
  }
  {
    const auto m = good(1005);
    poisons.push_back(poison("unsupported event-version", m, m.value,
                             with_header(m.headers, "event-version", "7"), "unsupported-version"));
  }
  {
    const auto m = good(1006);
    poisons.push_back(poison("unparsable event-version", m, m.value,
                             with_header(m.headers, "event-version", "v2"), "unsupported-version", 1, false));
  }
  {
    const auto m = good(1007);
    poisons.push_back(poison("missing required field", m, without(m.value, "seq"), m.headers, "malformed"));
  }
  {
    const auto m = good(1008, "reject-domain");
    poisons.push_back(poison("handler validation (DomainError)", m, m.value, m.headers, "validation"));
  }
  {
    const auto m = good(1009, "reject-permanent");
    poisons.push_back(poison("handler PermanentError", m, m.value, m.headers, "validation"));
  }
  {
    const auto m = good(1010, "crash");
    poisons.push_back(poison("unclassified, attempts exhausted", m, m.value, m.headers, "unclassified",
                             options.unclassified_max_attempts));
  }
  {
    auto m = good(1011);
    poisons.push_back(poison("null key", m, m.value,
                             with_header(m.headers, "event-type", "MysteryIntegrationEvent"),
                             "unknown-type"));
    poisons.back().key = std::nullopt;
  }

  // good 0, poison 0, good 1, poison 1, ..., good N
  std::vector<std::string> good_ids;
  for (std::size_t i = 0; i <= poisons.size(); ++i) {
    const auto m = good(static_cast<int>(i));
    produce_raw(topic, key, m.value, m.headers);
    good_ids.push_back(m.event_id);
    if (i < poisons.size())
      poisons[i].produced = produce_raw(topic, poisons[i].key, poisons[i].value, poisons[i].headers);
  }

  ConsumerRig rig(tdb.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
        record_effect(tx, e, thing);  // rolled back with the transaction when the handler throws below
        if (thing.note == "reject-domain")
          throw core::DomainError(core::ErrorKind::validation, "One or more validation errors occurred.", {},
                                  {{"seq", "out of range"}});
        if (thing.note == "reject-permanent") throw eventbus::PermanentError("validation", "not acceptable");
        if (thing.note == "crash") throw std::runtime_error("a bug in the handler");
      });
  rig.consumer.start();

  ASSERT_TRUE(
      eventually([&] { return effect_count(tdb.db()) == static_cast<std::int64_t>(good_ids.size()); }, 45s))
      << "good events handled: " << effect_count(tdb.db()) << " of " << good_ids.size();
  const auto all = effects(tdb.db());
  ASSERT_EQ(all.size(), good_ids.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].event_id, good_ids[i]) << "good event " << i;

  // Every dead letter was in the outbox before the offset moved on; the relay sends them.
  const auto letters = read_topic(dlq, poisons.size(), 20s);
  auto where = [&] {
    std::ostringstream out;
    out << "\n  read:";
    for (const auto& l : letters) out << " " << l.partition << "@" << l.offset;
    out << "\n  the topic holds " << topic_message_count(dlq) << " messages";
    return out.str();
  };
  ASSERT_EQ(letters.size(), poisons.size())
      << "each poison message dead-lettered exactly once" << outbox_rows(tdb.db()) << where();
  std::map<std::int64_t, const eventbus::RawMessage*> by_offset;
  for (const auto& l : letters)
    by_offset[std::stoll(l.header(eventbus::dlq_header::original_offset).value_or("-1"))] = &l;
  for (const auto& p : poisons) {
    SCOPED_TRACE(p.name);
    ASSERT_TRUE(by_offset.count(p.produced.offset)) << "no dead letter for offset " << p.produced.offset;
    const auto& l = *by_offset.at(p.produced.offset);
    EXPECT_EQ(l.key, p.key);  // a null key stays null
    EXPECT_EQ(l.value, p.value);
    EXPECT_EQ(l.header(eventbus::dlq_header::original_topic), topic);
    EXPECT_EQ(l.header(eventbus::dlq_header::original_partition), std::to_string(p.produced.partition));
    EXPECT_EQ(l.header(eventbus::dlq_header::error_class), p.error_class);
    EXPECT_EQ(l.header(eventbus::dlq_header::attempts), std::to_string(p.attempts));
    EXPECT_EQ(l.header(eventbus::dlq_header::consumer_group), options.group_id);
    EXPECT_FALSE(l.header(eventbus::dlq_header::error_message).value_or("").empty());
    EXPECT_TRUE(l.header(eventbus::dlq_header::failed_at).has_value());
    for (const auto& [name, value] : p.headers)
      EXPECT_EQ(l.header(name), value) << "original header " << name;
    if (!p.event_id.empty()) {
      EXPECT_EQ(
          scalar(tdb.db(), "SELECT COUNT(*) FROM inbox WHERE outcome = 'dead-lettered' AND event_id = '" +
                               p.event_id + "'"),
          1);
    }
  }
  // The counters go up just after the commit that made the effects visible.
  const auto counted = [&] {
    return rig.dead_lettered(topic) == poisons.size() && rig.handled(topic) == good_ids.size();
  };
  EXPECT_TRUE(eventually(counted, 10s))
      << "dead-lettered " << rig.dead_lettered(topic) << ", handled " << rig.handled(topic);
}

// The inbox remembers dead-lettered events, so the same poison event
// delivered again (a producer retry, a replay) is not dead-lettered twice.
TEST(EventbusPoison, RedeliveredPoisonEventIsDeadLetteredOnce) {
  spdlog::set_level(spdlog::level::err);
  const auto options = test_bus_options("poison-again");
  const auto topic = options.topics.topic(ThingHappened::type);
  const auto dlq = eventbus::dead_letter_topic(topic);
  create_topic(topic, 1);
  TestDatabase tdb("poison-again");
  const eventbus::PublishContext context{options.topics, options.source, {}};
  const std::string key = "thing-poison";

  const auto unknown = eventbus::encode(ThingHappened{key, 1, {}}, context);
  const auto old_version = eventbus::encode(ThingHappened{key, 2, {}}, context);
  const auto rejected = eventbus::encode(ThingHappened{key, 3, "reject"}, context);
  const auto last = eventbus::encode(ThingHappened{key, 4, {}}, context);
  for (int copy = 0; copy < 2; ++copy) {
    produce_raw(topic, key, unknown.value,
                with_header(unknown.headers, "event-type", "MysteryIntegrationEvent"));
    produce_raw(topic, key, old_version.value, with_header(old_version.headers, "event-version", "9"));
    produce_raw(topic, key, rejected.value, rejected.headers);
  }
  produce_raw(topic, key, last.value, last.headers);

  ConsumerRig rig(tdb.db(), options);
  rig.consumer.handlers().on<ThingHappened>(
      [](store::Transaction& tx, const ThingHappened& thing, const IncomingEvent& e) {
        if (thing.note == "reject") throw eventbus::PermanentError("validation", "not acceptable");
        record_effect(tx, e, thing);
      });
  rig.consumer.start();
  ASSERT_TRUE(eventually([&] { return effect_count(tdb.db()) == 1; }, 30s));

  const auto letters = read_topic(dlq, 3, 20s);
  std::map<std::string, int> by_class;
  for (const auto& l : letters) ++by_class[l.header(eventbus::dlq_header::error_class).value_or("?")];
  EXPECT_EQ(letters.size(), 3u);
  EXPECT_EQ(by_class["unknown-type"], 1);
  EXPECT_EQ(by_class["unsupported-version"], 1);
  EXPECT_EQ(by_class["validation"], 1);
  // As above: counted just after the commit.
  EXPECT_TRUE(eventually([&] { return rig.dead_lettered(topic) == 3u && rig.duplicates(topic) == 3u; }, 10s))
      << "dead-lettered " << rig.dead_lettered(topic) << ", duplicates " << rig.duplicates(topic);
}

}  // namespace
}  // namespace emis::testing
