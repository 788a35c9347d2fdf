#include <gtest/gtest.h>

#include <string>

#include "auth/base64url.hpp"

namespace emis::auth {
namespace {

TEST(AuthBase64Url, EncodesWithUrlAlphabetAndNoPadding) {
  EXPECT_EQ(base64url_encode(std::string_view("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(base64url_encode(std::string_view("a")), "YQ");
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
}

TEST(AuthBase64Url, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= bytes.size(); len += 37) {
    const std::string part = bytes.substr(0, len);
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part) << "length " << len;
  }
}

TEST(AuthBase64Url, RejectsAnythingButCanonicalUnpaddedUrlSafeText) {
  EXPECT_EQ(base64url_decode("YQ"), std::string("a"));
  EXPECT_FALSE(base64url_decode("YQ=="));   // padding
  EXPECT_FALSE(base64url_decode("+/+/"));   // standard alphabet
  EXPECT_FALSE(base64url_decode("YQ YQ"));  // whitespace
  EXPECT_FALSE(base64url_decode("Y"));      // impossible length
  EXPECT_FALSE(base64url_decode("YR"));     // non-zero trailing bits: a second spelling of "a"
  EXPECT_FALSE(base64url_decode(std::string_view("YQ\0", 3)));
}

}  // namespace
}  // namespace emis::auth
