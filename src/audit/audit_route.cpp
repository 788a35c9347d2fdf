#include "audit/audit_route.hpp"

#include "audit/audit_log.hpp"
#include "core/errors.hpp"
#include "http/paging.hpp"

namespace emis::audit {
namespace {

nlohmann::json to_json(const Entry& e) {
  return {{"id", e.id},
          {"occurredAt", e.occurred_at},
          {"tenantId", e.tenant_id},
          {"actorId", e.actor_id},
          {"actorRole", e.actor_role},
          {"action", e.action},
          {"targetType", e.target_type},
          {"targetId", e.target_id},
          {"outcome", e.outcome},
          {"detail", e.detail ? nlohmann::json(*e.detail) : nlohmann::json(nullptr)}};
}

}  // namespace

void add_audit_route(http::Server& server, store::Database& db, http::TokenVerifier verify) {
  server.route(
      http::Method::get, "/api/v1/audit", [&db, verify = std::move(verify)](const http::Request& request) {
        const auto caller = http::authenticate(request, verify);
        // An Operator (a platform role of no tenant) sees every tenant's entries.
        const bool operator_role = caller.has_role("Operator");
        if (!operator_role && !caller.has_role("SchoolAdmin"))
          core::throw_forbidden("This operation requires the SchoolAdmin or Operator role.");
        core::FieldErrors errors;
        const auto paging = http::paging_of(request, errors);
        errors.throw_if_any();
        const auto tenant = operator_role ? std::nullopt : std::optional(caller.tenant_id);
        const auto page =
            db.read([&](soci::session& s) { return list(s, tenant, paging.page_number, paging.page_size); });
        nlohmann::json items = nlohmann::json::array();
        for (const auto& e : page.items) items.push_back(to_json(e));
        return http::Response::json(200, {{"items", items},
                                          {"pageNumber", paging.page_number},
                                          {"pageSize", paging.page_size},
                                          {"totalCount", page.total_count}});
      });
}

}  // namespace emis::audit
