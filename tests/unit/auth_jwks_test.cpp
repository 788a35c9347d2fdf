#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/base64url.hpp"
#include "auth/jwks_client.hpp"
#include "auth/jwt.hpp"
#include "auth/key_set.hpp"
#include "support/auth_claims.hpp"
#include "support/captured_log.hpp"
#include "support/test_env.hpp"

namespace emis::auth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using emis::testing::claims_for;

const core::SystemTime kNow{std::chrono::seconds{1'780'000'000}};

VerifyOptions options() {
  return {.issuer = "emis-identity", .audience = "emis", .leeway = 30s, .now = kNow};
}

json jwks_of(std::initializer_list<const SigningKey*> keys) {
  KeySet set;
  for (const SigningKey* key : keys) set.add(*key);
  return set.to_jwks();
}

// ---------------------------------------------------------------- KeySet

TEST(AuthKeySet, RoundTripsThroughJwks) {
  const SigningKey a = SigningKey::generate();
  const SigningKey b = SigningKey::generate();
  const json jwks = json::parse(jwks_of({&a, &b}).dump());
  ASSERT_EQ(jwks["keys"].size(), 2u);
  for (const auto& jwk : jwks["keys"]) EXPECT_FALSE(jwk.contains("d"));

  const KeySet parsed = KeySet::from_jwks(jwks);
  EXPECT_EQ(parsed.size(), 2u);
  ASSERT_NE(parsed.find(a.kid()), nullptr);
  ASSERT_NE(parsed.find(b.kid()), nullptr);
  EXPECT_EQ(parsed.find(a.kid())->jwk(), a.public_jwk());
  EXPECT_EQ(parsed.to_jwks(), jwks_of({&a, &b}));
  EXPECT_EQ(verify_token(issue_token(b, claims_for("u1")), parsed, options()), claims_for("u1"));
  EXPECT_EQ(parsed.find("no-such-kid"), nullptr);
}

TEST(AuthKeySet, SkipsKeysThatAreNotEs256SignatureKeys) {
  const SigningKey a = SigningKey::generate();
  json p256 = a.public_jwk();
  json jwks = {{"keys", json::array()}};
  jwks["keys"].push_back({{"kty", "RSA"}, {"kid", "rsa"}, {"n", "AQAB"}, {"e", "AQAB"}});
  jwks["keys"].push_back({{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}});
  jwks["keys"].push_back({{"kty", "EC"}, {"crv", "P-384"}, {"kid", "p384"}, {"x", "AA"}, {"y", "AA"}});
  jwks["keys"].push_back({{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "ed"}, {"x", "AA"}});
  json enc = p256;
  enc["kid"] = "enc";
  enc["use"] = "enc";
  jwks["keys"].push_back(enc);
  json es384 = p256;
  es384["kid"] = "es384";
  es384["alg"] = "ES384";
  jwks["keys"].push_back(es384);
  json bare = p256;  // use and alg are optional
  bare.erase("use");
  bare.erase("alg");
  jwks["keys"].push_back(bare);

  const KeySet set = KeySet::from_jwks(jwks);
  EXPECT_EQ(set.size(), 1u);
  EXPECT_NE(set.find(a.kid()), nullptr);
}

TEST(AuthKeySet, KidDefaultsToTheThumbprint) {
  const SigningKey a = SigningKey::generate();
  json jwk = a.public_jwk();
  jwk.erase("kid");
  const KeySet set = KeySet::from_jwks({{"keys", {jwk}}});
  EXPECT_NE(set.find(a.kid()), nullptr);
}

TEST(AuthKeySet, RejectsMalformedP256KeysAndDocuments) {
  const json good = SigningKey::generate().public_jwk();
  const std::string x = base64url_decode(good["x"].get<std::string>()).value();
  std::string y = base64url_decode(good["y"].get<std::string>()).value();
  y[31] = static_cast<char>(y[31] ^ 1);  // no longer on the curve

  std::vector<json> bad_keys;
  for (const char* member : {"x", "y"}) {
    json k = good;
    k.erase(member);
    bad_keys.push_back(k);
    k[member] = 42;
    bad_keys.push_back(k);
    k[member] = "not base64!";
    bad_keys.push_back(k);
    k[member] = base64url_encode(x.substr(0, 31));
    bad_keys.push_back(k);
    k[member] = base64url_encode(x + "A");
    bad_keys.push_back(k);
  }
  json off_curve = good;
  off_curve["y"] = base64url_encode(y);
  bad_keys.push_back(off_curve);
  json zero = good;
  zero["x"] = zero["y"] = base64url_encode(std::string(32, '\0'));
  bad_keys.push_back(zero);
  json kid = good;
  kid["kid"] = 1;
  bad_keys.push_back(kid);
  kid["kid"] = "";
  bad_keys.push_back(kid);

  for (const json& key : bad_keys) {
    SCOPED_TRACE(key.dump());
    EXPECT_THROW(KeySet::from_jwks({{"keys", {good, key}}}), std::invalid_argument);
  }
  EXPECT_THROW(KeySet::from_jwks({{"keys", {good, good}}}), std::invalid_argument);  // duplicate kid
  EXPECT_THROW(KeySet::from_jwks({{"keys", {good, "string"}}}), std::invalid_argument);
  EXPECT_THROW(KeySet::from_jwks({{"keys", good}}), std::invalid_argument);
  EXPECT_THROW(KeySet::from_jwks({{"key", {good}}}), std::invalid_argument);
  EXPECT_THROW(KeySet::from_jwks(json::array({good})), std::invalid_argument);
  EXPECT_NO_THROW(KeySet::from_jwks({{"keys", {good}}}));
}

// ------------------------------------------------- loopback JWKS server

// Serves one body (settable) for any GET on 127.0.0.1 and a port chosen by
// the kernel; counts the requests it answered.
class JwksServer {
 public:
  explicit JwksServer(std::string body) : body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~JwksServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/.well-known/jwks.json"; }
  int hits() const { return hits_; }
  void set_body(std::string body, int status = 200) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    status_ = status;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      answer(conn);
      ::close(conn);
    }
  }

  void answer(int conn) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    if (!request.starts_with("GET ")) return;
    std::string response;
    {
      std::lock_guard lock(mutex_);
      response = "HTTP/1.1 " + std::to_string(status_) +
                 " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                 std::to_string(body_.size()) + "\r\n\r\n" + body_;
    }
    ++hits_;
    for (std::string_view rest = response; !rest.empty();) {
      const ssize_t n = ::send(conn, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> hits_{0};
  std::mutex mutex_;
  std::string body_;
  int status_ = 200;
};

// A URL on which nothing listens: a port the kernel handed out, then closed.
std::string unreachable_url() {
  return "http://127.0.0.1:" + std::to_string(emis::testing::free_loopback_port()) + "/.well-known/jwks.json";
}

// A steady clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<std::atomic<std::int64_t>> seconds = std::make_shared<std::atomic<std::int64_t>>(1000);
  void advance(std::chrono::seconds s) { *seconds += s.count(); }
  JwksClientOptions options() const {
    JwksClientOptions o;
    o.clock = [s = seconds] {
      return std::chrono::steady_clock::time_point(std::chrono::seconds(s->load()));
    };
    return o;
  }
};

void expect_keys_unavailable(JwksClient& client, const std::string& token) {
  try {
    client.verify(token, options());
    ADD_FAILURE() << "token was accepted";
  } catch (const UnknownKeyId&) {
    ADD_FAILURE() << "rejected as unknown key, expected: keys unavailable";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::unauthorized);
    EXPECT_NE(e.detail().find("unavailable"), std::string::npos) << e.detail();
  }
}

class AuthJwksClient : public ::testing::Test {
 protected:
  const SigningKey a_ = SigningKey::generate();
  const SigningKey b_ = SigningKey::generate();
  const std::string token_a_ = issue_token(a_, claims_for("user-a"));
  const std::string token_b_ = issue_token(b_, claims_for("user-b"));
  ManualClock clock_;
};

TEST_F(AuthJwksClient, FetchesOnFirstUseAndCaches) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(server.hits(), 0);
  EXPECT_EQ(client.keys(), nullptr);
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  clock_.advance(60s);
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  EXPECT_EQ(server.hits(), 1);
  ASSERT_NE(client.keys(), nullptr);
  EXPECT_EQ(client.keys()->size(), 1u);
}

TEST_F(AuthJwksClient, RefreshesOnUnknownKidAndRetries) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  server.set_body(jwks_of({&a_, &b_}).dump());  // the issuer rotated in key b
  clock_.advance(11s);
  EXPECT_EQ(client.verify(token_b_, options()), claims_for("user-b"));
  EXPECT_EQ(server.hits(), 2);
}

TEST_F(AuthJwksClient, RefreshesAtMostOncePerInterval) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  server.set_body(jwks_of({&a_, &b_}).dump());
  clock_.advance(9s);
  // A flood of tokens with unknown kids within 10 s of the last fetch makes
  // no request to the issuer.
  for (int i = 0; i < 20; ++i) {
    const std::string forged = issue_token(SigningKey::generate(), claims_for("x"));
    EXPECT_THROW(client.verify(forged, options()), UnknownKeyId);
  }
  EXPECT_THROW(client.verify(token_b_, options()), UnknownKeyId);
  EXPECT_EQ(server.hits(), 1);
  clock_.advance(1s);
  EXPECT_EQ(client.verify(token_b_, options()), claims_for("user-b"));
  EXPECT_EQ(server.hits(), 2);
}

TEST_F(AuthJwksClient, StillUnknownAfterRefreshFailsWithoutLooping) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  clock_.advance(11s);
  EXPECT_THROW(client.verify(token_b_, options()), UnknownKeyId);
  EXPECT_EQ(server.hits(), 2);
}

TEST_F(AuthJwksClient, OtherRejectionsDoNotRefresh) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  clock_.advance(11s);
  Claims expired = claims_for("user-a");
  expired.exp = expired.iat - 100;
  EXPECT_THROW(client.verify(issue_token(a_, expired), options()), core::DomainError);
  EXPECT_THROW(client.verify(token_a_ + "x", options()), core::DomainError);
  EXPECT_EQ(server.hits(), 1);
}

TEST_F(AuthJwksClient, RefetchesAfterMaxAgeSoWithdrawnKeysStopWorking) {
  JwksServer server(jwks_of({&a_, &b_}).dump());
  JwksClient client(server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  server.set_body(jwks_of({&b_}).dump());  // key a withdrawn
  clock_.advance(599s);
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  clock_.advance(1s);
  EXPECT_THROW(client.verify(token_a_, options()), UnknownKeyId);
  EXPECT_EQ(client.verify(token_b_, options()), claims_for("user-b"));
  EXPECT_EQ(server.hits(), 2);
}

TEST_F(AuthJwksClient, UnreachableIssuerMeansKeysUnavailable) {
  JwksClient client(unreachable_url(), clock_.options());
  expect_keys_unavailable(client, token_a_);
  EXPECT_EQ(client.keys(), nullptr);
  clock_.advance(11s);
  EXPECT_FALSE(client.refresh());
  expect_keys_unavailable(client, token_a_);
}

TEST_F(AuthJwksClient, AListOfIssuerInstancesIsTriedInTurn) {
  JwksServer server(jwks_of({&a_}).dump());
  // The first instance is down: the second answers, and is asked first next time.
  JwksClient client(unreachable_url() + "," + server.url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  clock_.advance(11s);
  EXPECT_TRUE(client.refresh());
  EXPECT_EQ(server.hits(), 2);
}

TEST_F(AuthJwksClient, BadAnswersMeanKeysUnavailable) {
  JwksServer server("not json");
  JwksClient client(server.url(), clock_.options());
  expect_keys_unavailable(client, token_a_);
  for (const auto& [body, status] : std::initializer_list<std::pair<std::string, int>>{
           {R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})", 200},
           {R"({"no":"keys"})", 200},
           {jwks_of({&a_}).dump(), 500},
           {jwks_of({&a_}).dump(), 404},
           {std::string(300 * 1024, ' ') + jwks_of({&a_}).dump(), 200}}) {
    SCOPED_TRACE(status);
    server.set_body(body, status);
    clock_.advance(11s);
    expect_keys_unavailable(client, token_a_);
  }
  EXPECT_EQ(server.hits(), 6);
  server.set_body(jwks_of({&a_}).dump());
  clock_.advance(11s);
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
}

TEST_F(AuthJwksClient, KeepsCachedKeysWhenARefreshFails) {
  auto server = std::make_unique<JwksServer>(jwks_of({&a_}).dump());
  JwksClient client(server->url(), clock_.options());
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  server.reset();
  clock_.advance(11s);
  EXPECT_THROW(client.verify(token_b_, options()), UnknownKeyId);
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
}

TEST_F(AuthJwksClient, LogsAnOutageOnceAndItsEnd) {
  testing::CapturedLog log;
  {
    JwksServer server("not json");
    JwksClient client(server.url(), clock_.options());
    for (int i = 0; i < 3; ++i) {
      expect_keys_unavailable(client, token_a_);
      clock_.advance(11s);
    }
    EXPECT_EQ(server.hits(), 3);
    server.set_body(jwks_of({&a_}).dump());
    EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  }
  const auto lines = log.lines_with("");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("cannot load JWKS"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("available again"), std::string::npos) << lines[1];
}

TEST_F(AuthJwksClient, FixedKeySetNeverFetches) {
  KeySet keys;
  keys.add(a_);
  JwksClient client(std::move(keys));
  EXPECT_EQ(client.verify(token_a_, options()), claims_for("user-a"));
  EXPECT_THROW(client.verify(token_b_, options()), UnknownKeyId);
  EXPECT_FALSE(client.refresh());
}

TEST_F(AuthJwksClient, AcceptsOnlyHttpUrls) {
  EXPECT_THROW(JwksClient("file:///etc/passwd"), std::invalid_argument);
  EXPECT_THROW(JwksClient("ftp://identity/jwks.json"), std::invalid_argument);
  EXPECT_NO_THROW(JwksClient("https://identity.example/.well-known/jwks.json"));
}

TEST_F(AuthJwksClient, VerifiesConcurrentlyWhileRefreshing) {
  JwksServer server(jwks_of({&a_}).dump());
  JwksClientOptions opts = clock_.options();
  opts.min_refresh_interval = 0s;
  JwksClient client(server.url(), opts);
  server.set_body(jwks_of({&a_, &b_}).dump());
  const std::string unknown = issue_token(SigningKey::generate(), claims_for("x"));
  std::atomic<int> accepted{0};
  std::atomic<int> unknown_rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        try {
          client.verify(i % 5 == 0 ? unknown : (t % 2 == 0 ? token_a_ : token_b_), options());
          ++accepted;
        } catch (const UnknownKeyId&) {
          ++unknown_rejected;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted, 80);
  EXPECT_EQ(unknown_rejected, 20);
}

}  // namespace
}  // namespace emis::auth
