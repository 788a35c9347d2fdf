// Which components the operator's health view asks.
#include <gtest/gtest.h>

#include "console/components.hpp"

namespace emis::console {
namespace {

TEST(ConsoleComponents, EveryServiceByDefault) {
  const core::Config config(nlohmann::json{{"teacher_url", "http://t:1"}, {"student_url", "http://s:3"}});
  const std::vector<Component> expected{{"teacher-service", "http://t:1"},
                                        {"identity-service", "http://127.0.0.1:5002"},
                                        {"student-service", "http://s:3"}};
  EXPECT_EQ(components_of(config), expected);
}

TEST(ConsoleComponents, EveryInstanceWhenListed) {
  const core::Config config(
      nlohmann::json{{"component_urls", "teacher-1=http://127.0.0.1:5001,teacher-2=http://127.0.0.1:5011"}});
  const std::vector<Component> expected{{"teacher-1", "http://127.0.0.1:5001"},
                                        {"teacher-2", "http://127.0.0.1:5011"}};
  EXPECT_EQ(components_of(config), expected);
}

TEST(ConsoleComponents, AnEntryThatIsNotNameEqualsUrlStopsTheConsole) {
  EXPECT_THROW(components_of(core::Config(nlohmann::json{{"component_urls", "http://127.0.0.1:5001"}})),
               std::invalid_argument);
  EXPECT_THROW(components_of(core::Config(nlohmann::json{{"component_urls", "=http://x"}})),
               std::invalid_argument);
}

}  // namespace
}  // namespace emis::console
