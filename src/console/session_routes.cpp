// Sign-in through Identity: the login answer's tokens stay in the session;
// the browser gets the cookie and the CSRF token, never a token.
#include "console/console_api.hpp"
#include "core/errors.hpp"

namespace emis::console {
namespace {

nlohmann::json session_json(const Session& s) {
  return {
      {"user", {{"id", s.user_id}, {"fullName", s.full_name}, {"tenantId", s.tenant_id}, {"roles", s.roles}}},
      {"csrfToken", s.csrf_token}};
}

}  // namespace

void add_session_routes(http::Server& server, const ConsoleContext& ctx) {
  using http::Method;
  server.route(Method::post, "/console/api/session", [ctx](const http::Request& request) {
    const auto body = request.json_object();  // malformed JSON is a 400 here, not at Identity
    auto answer = call_upstream("POST", ctx.upstream.identity + "/api/v1/auth/login", {}, body.dump(),
                                request.remote_address);
    if (answer.status != 200) return answer;
    const auto login = nlohmann::json::parse(answer.body, nullptr, false);
    if (!login.is_object()) throw core::DomainError(core::ErrorKind::internal, "Unexpected sign-in answer");
    const auto session = ctx.sessions.open(login);
    return http::Response::json(200, session_json(session))
        .with_header("Set-Cookie", session_cookie(session))
        .with_header("Cache-Control", "no-store");
  });
  server.route(Method::get, "/console/api/session", [ctx](const http::Request& request) {
    return http::Response::json(200, session_json(ctx.sessions.require(request)))
        .with_header("Cache-Control", "no-store");
  });
  server.route(Method::del, "/console/api/session", [ctx](const http::Request& request) {
    const auto session = ctx.sessions.require_write(request);
    // Revokes the refresh token at Identity; signing out here happens either way.
    call_upstream("POST", ctx.upstream.identity + "/api/v1/auth/logout", session.access_token,
                  nlohmann::json{{"refreshToken", session.refresh_token}}.dump());
    ctx.sessions.close(session.id);
    return http::Response::no_content().with_header("Set-Cookie", cleared_session_cookie());
  });
  // The teacher's own activation: no session, Identity checks the code.
  server.route(Method::post, "/console/api/activation", [ctx](const http::Request& request) {
    const auto body = request.json_object();
    return call_upstream("POST", ctx.upstream.identity + "/api/v1/auth/set-password", {}, body.dump(),
                         request.remote_address);
  });
}

}  // namespace emis::console
