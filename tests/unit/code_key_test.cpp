// Where the activation-code secret comes from: the environment, shared by
// every instance of a database, or a file made once with the CSPRNG.
#include "identity/code_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/test_env.hpp"

namespace emis::identity {
namespace {

TEST(CodeKey, TheConfiguredSecretWinsAndIsShared) {
  testing::ScratchDir a, b;
  const auto config =
      core::Config::from(nlohmann::json::object(), {{"EMIS_ACTIVATION_SECRET", std::string(40, 'k')}});
  const auto one = CodeKey::from_config(config, a.path());
  const auto two = CodeKey::from_config(config, b.path());
  EXPECT_EQ(one.hash("ABCDEFGHJK"), two.hash("ABCDEFGHJK"));
  EXPECT_FALSE(std::filesystem::exists(a.path() / "keys" / "activation-secret"));
}

TEST(CodeKey, AShortSecretIsRefused) {
  EXPECT_THROW(CodeKey(std::string(CodeKey::kMinSecretSize - 1, 'k')), std::invalid_argument);
}

TEST(CodeKey, WithoutOneAPrivateFileIsMadeOnceAndKept) {
  testing::ScratchDir dir;
  const auto first = CodeKey::from_config(core::Config{}, dir.path());
  const auto file = dir.path() / "keys" / "activation-secret";
  ASSERT_TRUE(std::filesystem::exists(file));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto again = CodeKey::from_config(core::Config{}, dir.path());
  EXPECT_EQ(first.hash("ABCDEFGHJK"), again.hash("ABCDEFGHJK"));

  testing::ScratchDir elsewhere;
  EXPECT_NE(first.hash("ABCDEFGHJK"),
            CodeKey::from_config(core::Config{}, elsewhere.path()).hash("ABCDEFGHJK"));
}

}  // namespace
}  // namespace emis::identity
