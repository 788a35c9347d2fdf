// Dispatch by event type, the ce_type fallback, versions and upcasting.
#include <gtest/gtest.h>

#include "eventbus/errors.hpp"
#include "eventbus/handler_registry.hpp"

namespace emis::eventbus {
namespace {

constexpr EventType kGreeting{"test", "GreetingIntegrationEvent", 2};

IncomingEvent event_of(std::string type, int version, nlohmann::json payload = nlohmann::json::object()) {
  IncomingEvent e;
  e.event_type = std::move(type);
  e.version = version;
  e.payload = std::move(payload);
  return e;
}

TEST(HandlerRegistry, TopicsFollowTheNaming) {
  HandlerRegistry r(TopicNaming{"p1", {}});
  r.add(kGreeting, {2}, [](store::Transaction&, const IncomingEvent&) {});
  EXPECT_EQ(r.topics(), std::vector<std::string>{"p1.greeting"});
}

TEST(HandlerRegistry, UnknownTypeIsPermanent) {
  HandlerRegistry r(TopicNaming{});
  r.add(kGreeting, {2}, [](store::Transaction&, const IncomingEvent&) {});
  auto e = event_of("SomethingElseIntegrationEvent", 1);
  try {
    r.resolve(e);
    FAIL();
  } catch (const PermanentError& err) {
    EXPECT_EQ(err.error_class(), "unknown-type");
  }
}

TEST(HandlerRegistry, CeTypeNamesTheEventByTopic) {
  HandlerRegistry r(TopicNaming{});
  r.add(kGreeting, {2}, [](store::Transaction&, const IncomingEvent&) {});
  auto e = event_of("emis.test.greeting", 2);
  EXPECT_NO_THROW(r.resolve(e));
  EXPECT_EQ(e.event_type, "GreetingIntegrationEvent");
}

TEST(HandlerRegistry, UnsupportedVersionIsPermanent) {
  HandlerRegistry r(TopicNaming{});
  r.add(kGreeting, {2}, [](store::Transaction&, const IncomingEvent&) {});
  auto e = event_of("GreetingIntegrationEvent", 3);
  try {
    r.resolve(e);
    FAIL();
  } catch (const PermanentError& err) {
    EXPECT_EQ(err.error_class(), "unsupported-version");
  }
}

TEST(HandlerRegistry, UpcasterTurnsAnOldVersionIntoTheAcceptedOne) {
  HandlerRegistry r(TopicNaming{});
  r.add(kGreeting, {2}, [](store::Transaction&, const IncomingEvent&) {});
  r.upcast("GreetingIntegrationEvent", 1, [](nlohmann::json j) {
    j["text"] = "hello " + j["name"].get<std::string>();
    return j;
  });
  auto e = event_of("GreetingIntegrationEvent", 1, {{"name", "Lan"}});
  EXPECT_NO_THROW(r.resolve(e));
  EXPECT_EQ(e.version, 2);
  EXPECT_EQ(e.payload["text"], "hello Lan");
}

}  // namespace
}  // namespace emis::eventbus
