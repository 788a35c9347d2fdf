// The administrator's teacher operations, passed on to the Teacher service
// (and to Identity for activation codes) with the session's token: the
// services authorise and validate, the console adds the session and CSRF.
#include "console/console_api.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"

namespace emis::console {
namespace {

// Only a UUID goes into an upstream path.
const std::string& teacher_id_of(const http::Request& request) {
  const auto& id = request.param("id");
  if (!core::is_uuid(id))
    throw core::DomainError(core::ErrorKind::not_found, "Teacher not found", "No teacher has this id.");
  return id;
}

// The teacher's account: from the read model, else from the Teacher service's view of it.
std::string user_id_of(const ConsoleContext& ctx, const Session& session, const std::string& teacher_id) {
  const auto known = ctx.onboarding.statuses(session.tenant_id, {teacher_id});
  if (!known.empty() && !known.front().user_id.empty()) return known.front().user_id;
  const auto teacher =
      call_upstream("GET", ctx.upstream.teacher + "/api/v1/teachers/" + teacher_id, session.access_token);
  const auto json = nlohmann::json::parse(teacher.body, nullptr, false);
  if (teacher.status == 200 && json.is_object() && json.contains("userId") && json["userId"].is_string())
    return json["userId"].get<std::string>();
  throw core::DomainError(core::ErrorKind::conflict, "No account yet",
                          "The teacher's account is still being created; try again in a moment.");
}

}  // namespace

void add_teacher_routes(http::Server& server, const ConsoleContext& ctx) {
  using http::Method;
  const auto teachers = ctx.upstream.teacher + "/api/v1/teachers";
  server.route(Method::get, "/console/api/teachers", [ctx, teachers](const http::Request& request) {
    const auto session = ctx.sessions.require(request);
    return call_upstream("GET", with_query(teachers, request.query), session.access_token);
  });
  server.route(Method::post, "/console/api/teachers", [ctx, teachers](const http::Request& request) {
    const auto session = ctx.sessions.require_write(request);
    return call_upstream("POST", teachers, session.access_token, request.body);
  });
  server.route(Method::get, "/console/api/teachers/:id", [ctx, teachers](const http::Request& request) {
    const auto session = ctx.sessions.require(request);
    return call_upstream("GET", teachers + "/" + teacher_id_of(request), session.access_token);
  });
  server.route(Method::put, "/console/api/teachers/:id", [ctx, teachers](const http::Request& request) {
    const auto session = ctx.sessions.require_write(request);
    return call_upstream("PUT", teachers + "/" + teacher_id_of(request), session.access_token, request.body);
  });
  server.route(Method::del, "/console/api/teachers/:id", [ctx, teachers](const http::Request& request) {
    const auto session = ctx.sessions.require_write(request);
    return call_upstream("DELETE", teachers + "/" + teacher_id_of(request), session.access_token);
  });
  server.route(
      Method::post, "/console/api/teachers/:id/activation-code", [ctx](const http::Request& request) {
        const auto session = ctx.sessions.require_write(request);
        const auto user_id = user_id_of(ctx, session, teacher_id_of(request));
        return call_upstream("POST", ctx.upstream.identity + "/api/v1/users/" + user_id + "/activation-code",
                             session.access_token);
      });
}

}  // namespace emis::console
