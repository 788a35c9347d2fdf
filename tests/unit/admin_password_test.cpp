// Where `identity-service create-admin` takes the password from: the
// environment (EMIS_ADMIN_PASSWORD) or standard input, never the command line.
#include "identity/admin_password.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "core/errors.hpp"

namespace emis::identity {
namespace {

TEST(AdminPassword, TheEnvironmentWins) {
  const auto config =
      core::Config::from(nlohmann::json::object(), {{"EMIS_ADMIN_PASSWORD", "from-the-env-1"}});
  std::istringstream in("from-stdin-12\n");
  EXPECT_EQ(read_admin_password(config, in), "from-the-env-1");
}

TEST(AdminPassword, ElseTheFirstLineOfStandardInput) {
  std::istringstream in("from-stdin-12\r\nsecond line\n");
  EXPECT_EQ(read_admin_password(core::Config{}, in), "from-stdin-12");
}

TEST(AdminPassword, NoneIsAnError) {
  std::istringstream in("");
  EXPECT_THROW(read_admin_password(core::Config{}, in), core::DomainError);
}

}  // namespace
}  // namespace emis::identity
