// The client address behind trusted reverse proxies (EMIS_TRUSTED_PROXIES):
// X-Forwarded-For is believed only from a trusted peer, right to left, up to
// the first address that is not itself a trusted proxy.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/metrics.hpp"
#include "http/client_address.hpp"
#include "http/server.hpp"
#include "support/http_call.hpp"
#include "support/test_env.hpp"

namespace emis::http {
namespace {

TEST(TrustedProxies, MatchesAddressesAndNetworks) {
  const TrustedProxies proxies({"10.0.0.0/8", " 192.168.1.7 ", "fd00::/8", "::1"});
  EXPECT_TRUE(proxies.contains("10.200.3.4"));
  EXPECT_TRUE(proxies.contains("192.168.1.7"));
  EXPECT_FALSE(proxies.contains("192.168.1.8"));
  EXPECT_FALSE(proxies.contains("11.0.0.1"));
  EXPECT_TRUE(proxies.contains("::ffff:10.1.1.1"));  // a dual-stack socket's form
  EXPECT_TRUE(proxies.contains("fd12::1"));
  EXPECT_TRUE(proxies.contains("::1"));
  EXPECT_FALSE(proxies.contains("fe80::1"));
  EXPECT_FALSE(proxies.contains("not an address"));
}

TEST(TrustedProxies, RejectsWhatItCannotRead) {
  EXPECT_THROW(TrustedProxies({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"proxy.example"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"10.0.0.0/"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"::/129"}), std::invalid_argument);
  EXPECT_TRUE(TrustedProxies({"", " "}).empty());
}

TEST(TrustedProxies, TakesTheRightMostUntrustedForwardedAddress) {
  const TrustedProxies proxies({"10.0.0.0/8"});
  // An untrusted peer's header is ignored: anyone can send one.
  EXPECT_EQ(proxies.client_address("203.0.113.9", "198.51.100.1"), "203.0.113.9");
  // Trusted peer: the hop it saw.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "198.51.100.1"), "198.51.100.1");
  // A client-supplied address left of the real one is not believed.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3"), "198.51.100.1");
  // Every hop trusted: the left-most.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "10.0.0.9,10.0.0.3"), "10.0.0.9");
  // No header, or garbage next to it: the last address that can be believed.
  EXPECT_EQ(proxies.client_address("10.0.0.2", ""), "10.0.0.2");
  EXPECT_EQ(proxies.client_address("10.0.0.2", "198.51.100.1, junk"), "10.0.0.2");
  EXPECT_EQ(proxies.client_address("10.0.0.2", "junk, 10.0.0.3"), "10.0.0.3");
  EXPECT_EQ(TrustedProxies().client_address("10.0.0.2", "198.51.100.1"), "10.0.0.2");
}

// The server hands handlers (and so the login throttle) the resolved address.
TEST(TrustedProxies, ServerResolvesRemoteAddress) {
  core::MetricsRegistry metrics;
  for (const bool trusted : {true, false}) {
    ServerOptions options{
        .address = "127.0.0.1", .port = emis::testing::free_loopback_port(), .worker_threads = 1};
    if (trusted) options.trusted_proxies = {"127.0.0.1"};
    Server server(options, metrics);
    server.route(Method::get, "/whoami",
                 [](const Request& r) { return Response::text(200, r.remote_address); });
    server.start();
    const auto url = "http://127.0.0.1:" + std::to_string(options.port) + "/whoami";
    const auto answer = emis::testing::http_call("GET", url, {"X-Forwarded-For: 198.51.100.1"});
    EXPECT_EQ(answer.body, trusted ? "198.51.100.1" : "127.0.0.1");
    EXPECT_EQ(emis::testing::http_call("GET", url).body, "127.0.0.1");
  }
}

}  // namespace
}  // namespace emis::http
