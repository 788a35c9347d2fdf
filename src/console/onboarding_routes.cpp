// The onboarding read model over HTTP, for the signed-in user's own tenant:
// the statuses of the teachers on screen (polled by the page for live
// updates) and the overview.
#include "console/console_api.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"

namespace emis::console {
namespace {

constexpr std::size_t kMaxIds = 200;

std::vector<std::string> ids_of(const http::Request& request) {
  std::vector<std::string> ids;
  const auto text = request.query_param("ids").value_or("");
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find(',', start), text.size());
    const auto id = text.substr(start, end - start);
    if (!core::is_uuid(id))
      throw core::DomainError(core::ErrorKind::validation, "Invalid ids",
                              "ids is a comma-separated list of UUIDs.",
                              {{"ids", "Not a UUID: " + id.substr(0, 40)}});
    ids.push_back(id);
    start = end + 1;
  }
  if (ids.size() > kMaxIds)
    throw core::DomainError(core::ErrorKind::validation, "Too many ids", "At most 200 ids at once.",
                            {{"ids", "At most 200 ids at once."}});
  return ids;
}

nlohmann::json to_json(const OnboardingEntry& e) {
  return {{"teacherId", e.teacher_id},
          {"fullName", e.full_name},
          {"phoneNumber", e.phone_number},
          {"status", e.status},
          {"userId", e.user_id},
          {"statusAtMs", e.status_at_ms},
          {"statusReason", e.status_reason}};
}

}  // namespace

void add_onboarding_routes(http::Server& server, const ConsoleContext& ctx) {
  using http::Method;
  server.route(Method::get, "/console/api/onboarding", [ctx](const http::Request& request) {
    const auto session = ctx.sessions.require(request);
    auto items = nlohmann::json::array();
    for (const auto& e : ctx.onboarding.statuses(session.tenant_id, ids_of(request)))
      items.push_back(to_json(e));
    return http::Response::json(200, {{"items", items}}).with_header("Cache-Control", "no-store");
  });
  server.route(Method::get, "/console/api/onboarding/overview", [ctx](const http::Request& request) {
    const auto session = ctx.sessions.require(request);
    const auto overview = ctx.onboarding.overview(session.tenant_id);
    auto pending = nlohmann::json::array();
    for (const auto& e : overview.longest_pending) pending.push_back(to_json(e));
    return http::Response::json(200, {{"counts", overview.counts}, {"longestPending", pending}})
        .with_header("Cache-Control", "no-store");
  });
}

}  // namespace emis::console
