#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "auth/password.hpp"

namespace emis::auth {
namespace {

TEST(AuthPassword, HashIsArgon2idWithAtLeastOwaspParameters) {
  const std::string hash = hash_password("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << hash;
}

TEST(AuthPassword, VerifiesTheRightPasswordOnly) {
  const std::string hash = hash_password("correct horse battery");
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(hash, "correct horse batterz"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery "));
  EXPECT_FALSE(verify_password(hash, "correct horse"));
  EXPECT_FALSE(verify_password(hash, ""));
}

TEST(AuthPassword, SaltsEveryHash) {
  const std::string a = hash_password("same password");
  const std::string b = hash_password("same password");
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "same password"));
  EXPECT_TRUE(verify_password(b, "same password"));
}

TEST(AuthPassword, HandlesNonAsciiPasswords) {
  const std::string password = "mật khẩu của tôi 🔑";
  const std::string hash = hash_password(password);
  EXPECT_TRUE(verify_password(hash, password));
  EXPECT_FALSE(verify_password(hash, "mat khau cua toi 🔑"));
}

TEST(AuthPassword, UnparsableHashNeverVerifies) {
  const std::string good = hash_password("pw-1234567");
  EXPECT_FALSE(verify_password("", "pw-1234567"));
  EXPECT_FALSE(verify_password("pw-1234567", "pw-1234567"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "pw-1234567"));
  EXPECT_FALSE(verify_password(good + std::string(200, 'A'), "pw-1234567"));
  EXPECT_FALSE(verify_password(std::string(good).insert(10, 1, '\0'), "pw-1234567"));
}

TEST(AuthPassword, FreshHashNeedsNoRehash) {
  EXPECT_FALSE(password_needs_rehash(hash_password("pw-1234567")));
}

TEST(AuthPassword, WeakerOrOtherHashesNeedRehash) {
  char weak[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(weak, "pw", 2, 1, 8 * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
  EXPECT_TRUE(verify_password(weak, "pw"));  // still accepted, so it can be upgraded at login
  EXPECT_TRUE(password_needs_rehash(weak));

  // Argon2i with exactly our costs: libsodium's own check compares only
  // the costs and would call it current.
  std::string argon2i = hash_password("pw");
  argon2i.replace(0, std::string_view("$argon2id$").size(), "$argon2i$");
  EXPECT_EQ(crypto_pwhash_str_needs_rehash(argon2i.c_str(), kPasswordOpsLimit, kPasswordMemLimit), 0);
  EXPECT_TRUE(password_needs_rehash(argon2i));

  EXPECT_TRUE(password_needs_rehash(""));
  EXPECT_TRUE(password_needs_rehash("not a hash"));
}

}  // namespace
}  // namespace emis::auth
