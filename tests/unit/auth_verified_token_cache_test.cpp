#include <gtest/gtest.h>

#include <string>

#include "auth/jwks_client.hpp"
#include "auth/jwt.hpp"
#include "auth/verified_token_cache.hpp"
#include "support/auth_claims.hpp"

namespace emis::auth {
namespace {

using namespace std::chrono_literals;
using emis::testing::claims_for;

constexpr std::int64_t kIssuedAt = 1'780'000'000;  // the iat of claims_for

VerifyOptions at(std::int64_t unix_seconds) {
  return {.issuer = "emis-identity",
          .audience = "emis",
          .leeway = 30s,
          .now = core::SystemTime{std::chrono::seconds{unix_seconds}}};
}

std::shared_ptr<const KeySet> keys_of(const SigningKey& key) {
  KeySet set;
  set.add(key);
  return std::make_shared<const KeySet>(std::move(set));
}

// Another token whose signature's last byte differs.
std::string tampered(std::string token) {
  token.back() = token.back() == 'A' ? 'B' : 'A';
  return token;
}

TEST(AuthVerifiedTokenCache, ServesTheExactTokenUntilItExpires) {
  const auto keys = keys_of(SigningKey::generate());
  VerifiedTokenCache cache(8);
  cache.insert("token", keys, claims_for("u1"), kIssuedAt, 30);
  EXPECT_EQ(cache.find("token", keys, kIssuedAt, 30), claims_for("u1"));
  EXPECT_EQ(cache.find("token", keys, kIssuedAt + 929, 30), claims_for("u1"));
  EXPECT_EQ(cache.find("token", keys, kIssuedAt + 930, 30), std::nullopt);  // exp + leeway
  EXPECT_EQ(cache.find("tokeN", keys, kIssuedAt, 30), std::nullopt);
  EXPECT_EQ(cache.find("token ", keys, kIssuedAt, 30), std::nullopt);
}

TEST(AuthVerifiedTokenCache, ServesOnlyAgainstTheKeySetThatVerified) {
  const auto key = SigningKey::generate();
  const auto keys = keys_of(key);
  VerifiedTokenCache cache(8);
  cache.insert("token", keys, claims_for("u1"), kIssuedAt, 30);
  EXPECT_EQ(cache.find("token", keys_of(key), kIssuedAt, 30), std::nullopt);  // a new JWKS, same key
}

TEST(AuthVerifiedTokenCache, StaysWithinItsCapacityDroppingExpiredTokensFirst) {
  const auto keys = keys_of(SigningKey::generate());
  VerifiedTokenCache cache(3);
  Claims short_lived = claims_for("old");
  short_lived.exp = kIssuedAt + 10;
  cache.insert("old", keys, short_lived, kIssuedAt, 0);
  cache.insert("a", keys, claims_for("a"), kIssuedAt, 0);
  cache.insert("b", keys, claims_for("b"), kIssuedAt, 0);
  cache.insert("c", keys, claims_for("c"), kIssuedAt + 20, 0);  // "old" has expired by now
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find("a", keys, kIssuedAt + 20, 0), std::nullopt);
  EXPECT_NE(cache.find("b", keys, kIssuedAt + 20, 0), std::nullopt);
  EXPECT_NE(cache.find("c", keys, kIssuedAt + 20, 0), std::nullopt);
  cache.insert("d", keys, claims_for("d"), kIssuedAt + 20, 0);  // none expired: one goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find("d", keys, kIssuedAt + 20, 0), std::nullopt);
}

class AuthJwksClientCache : public ::testing::Test {
 protected:
  const SigningKey key_ = SigningKey::generate();
  const std::string token_ = issue_token(key_, claims_for("user-a"));
  JwksClient client_{[this] {
    KeySet set;
    set.add(key_);
    return set;
  }()};
};

TEST_F(AuthJwksClientCache, RemembersAVerifiedToken) {
  EXPECT_EQ(client_.verify(token_, at(kIssuedAt)), claims_for("user-a"));
  EXPECT_EQ(client_.verified_tokens(), 1u);
  EXPECT_EQ(client_.verify(token_, at(kIssuedAt + 60)), claims_for("user-a"));
  EXPECT_EQ(client_.verified_tokens(), 1u);
}

TEST_F(AuthJwksClientCache, ATamperedTokenIsVerifiedInFullAndRefused) {
  ASSERT_EQ(client_.verify(token_, at(kIssuedAt)), claims_for("user-a"));
  EXPECT_THROW(client_.verify(tampered(token_), at(kIssuedAt)), core::DomainError);
  EXPECT_EQ(client_.verified_tokens(), 1u);
}

TEST_F(AuthJwksClientCache, ARememberedTokenStillExpires) {
  ASSERT_EQ(client_.verify(token_, at(kIssuedAt)), claims_for("user-a"));
  EXPECT_THROW(client_.verify(token_, at(kIssuedAt + 930)), core::DomainError);
}

TEST_F(AuthJwksClientCache, ARememberedTokenIsCheckedForIssuerAndAudience) {
  ASSERT_EQ(client_.verify(token_, at(kIssuedAt)), claims_for("user-a"));
  VerifyOptions other = at(kIssuedAt);
  other.audience = "another-service";
  EXPECT_THROW(client_.verify(token_, other), core::DomainError);
  other = at(kIssuedAt);
  other.issuer = "another-issuer";
  EXPECT_THROW(client_.verify(token_, other), core::DomainError);
}

}  // namespace
}  // namespace emis::auth
