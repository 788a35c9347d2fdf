// The Identity service's HTTP API in-process, on a scratch database and a
// free loopback port, without Kafka (events stay in the outbox table):
// for tests that drive its routes and look at its tables.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "access/revoked_users.hpp"
#include "access/revoked_users_gate.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_route.hpp"
#include "auth/jwks_client.hpp"
#include "auth/signing_key.hpp"
#include "core/metrics.hpp"
#include "eventbus/schema.hpp"
#include "host/token_verifier.hpp"
#include "http/server.hpp"
#include "identity/identity_api.hpp"
#include "identity/user_store.hpp"
#include "support/http_call.hpp"
#include "support/test_env.hpp"

namespace emis::testing {

struct ApiAnswer {
  long status = 0;
  nlohmann::json body;  // null when the body is empty or not JSON
};

class IdentityApiFixture : public ::testing::Test {
 protected:
  IdentityApiFixture()
      : db_({test_database_url(dir_, "identity.db")}),
        outbox_({}, {}),
        key_(auth::SigningKey::load_or_create(dir_.path() / "keys")),
        issuer_(key_, {}),
        codes_(std::string(identity::CodeKey::kMinSecretSize, 's')),
        throttle_(db_),
        server_({.address = "127.0.0.1", .port = free_loopback_port(), .worker_threads = 2}, metrics_) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(identity::identity_migrations());
    db_.migrate(identity::login_throttle_migrations());
    db_.migrate(audit::audit_migrations());
    auth::KeySet keys;
    keys.add(key_);
    jwks_ = keys.to_jwks();
    verify_ = access::refusing_revoked(
        host::make_token_verifier(std::make_shared<auth::JwksClient>(std::move(keys)),
                                  host::verify_options(core::Config{})),
        revoked_);
    context_ = std::make_unique<identity::IdentityApiContext>(identity::IdentityApiContext{
        db_, outbox_, revoked_, verify_, issuer_, codes_, throttle_, jwks_, "VN"});
    identity::add_auth_routes(server_, *context_);
    identity::add_user_routes(server_, *context_);
    audit::add_audit_route(server_, db_, verify_);
    server_.start();
  }
  ~IdentityApiFixture() override { server_.stop(); }

  ApiAnswer call(const char* method, const std::string& path, const nlohmann::json& body = nullptr,
                 const std::string& token = {}) {
    std::vector<std::string> headers{"Content-Type: application/json"};
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    const auto raw = http_call(method, "http://127.0.0.1:" + std::to_string(server_.options().port) + path,
                               headers, body.is_null() ? "" : body.dump());
    ApiAnswer answer{raw.status, nlohmann::json::parse(raw.body, nullptr, /*allow_exceptions=*/false)};
    if (answer.body.is_discarded()) answer.body = nullptr;
    return answer;
  }

  // {accessToken, refreshToken, ...} of a successful login.
  nlohmann::json login(const std::string& phone, const std::string& password) {
    const auto answer = call("POST", "/api/v1/auth/login", {{"phoneNumber", phone}, {"password", password}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.body;
  }

  ScratchDir dir_;
  store::Database db_;
  eventbus::Outbox outbox_;
  access::RevokedUsers revoked_;
  auth::SigningKey key_;
  identity::TokenIssuer issuer_;
  identity::CodeKey codes_;
  identity::LoginThrottle throttle_;
  nlohmann::json jwks_;
  http::TokenVerifier verify_;
  std::unique_ptr<identity::IdentityApiContext> context_;
  core::MetricsRegistry metrics_;
  http::Server server_;  // last: stopped before what its routes use goes away
};

}  // namespace emis::testing
