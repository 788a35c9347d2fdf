// The bus's options as a service's configuration gives them: batch sizes are
// read by name, and one below 1 (or past an int) is refused with its key.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/config.hpp"
#include "eventbus/options.hpp"

namespace emis::eventbus {
namespace {

TEST(EventbusOptions, BatchSizesComeFromTheConfigOrTheirDefaults) {
  const auto defaults = BusOptions::from(core::Config{}, "teacher");
  EXPECT_EQ(defaults.consumer_batch_size, 500);
  EXPECT_EQ(defaults.retention_batch, 10'000);
  const auto set = BusOptions::from(
      core::Config(nlohmann::json{{"consumer_batch_size", 50}, {"retention_batch", 250}}), "teacher");
  EXPECT_EQ(set.consumer_batch_size, 50);
  EXPECT_EQ(set.retention_batch, 250);
}

TEST(EventbusOptions, ABatchSizeBelowOneOrPastAnIntIsRefusedByName) {
  for (const std::string key : {"consumer_batch_size", "retention_batch"})
    for (const long long value : {0LL, -1LL, 1LL << 40}) {
      try {
        BusOptions::from(core::Config(nlohmann::json{{key, value}}), "teacher");
        ADD_FAILURE() << key << " = " << value << " was taken";
      } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      }
    }
}

}  // namespace
}  // namespace emis::eventbus
