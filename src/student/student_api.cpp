#include "student/student_api.hpp"

#include <algorithm>

#include "audit/audited_write.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "http/id_param.hpp"
#include "http/paging.hpp"
#include "student/enrolment.hpp"
#include "student/parent_store.hpp"
#include "student/student_store.hpp"

namespace emis::student {
namespace {

constexpr const char* kAdminRole = "SchoolAdmin";
constexpr const char* kParentRole = "Parent";

// A reader of one student or parent: a SchoolAdmin of the tenant, or a
// Parent (its token's entities name its parent records) reading itself or its own
// children. Anything else a Parent asks for is answered as unknown (404),
// so it learns nothing of other families.
http::Principal require_reader(const http::Request& request, const http::TokenVerifier& verify) {
  auto principal = http::authenticate(request, verify);
  if (!principal.has_role(kAdminRole) && !principal.has_role(kParentRole))
    core::throw_forbidden("This operation requires the SchoolAdmin or Parent role.");
  return principal;
}

bool may_read(const http::Principal& reader, const Student& student) {
  if (reader.has_role(kAdminRole)) return true;
  return std::any_of(student.guardians.begin(), student.guardians.end(),
                     [&](const Guardian& g) { return reader.is_entity(kParentRole, g.parent_id); });
}

bool may_read(const http::Principal& reader, const Parent& parent) {
  return reader.has_role(kAdminRole) || reader.is_entity(kParentRole, parent.id);
}

}  // namespace

void add_student_routes(http::Server& server, StudentApiContext ctx) {
  using http::Method;
  using http::Request;
  using http::Response;

  server.route(Method::post, "/api/v1/students", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    Student s;
    s.fields = parse_student_input(request.json_object(), ctx.phone_region);
    s.id = core::new_uuid();
    s.tenant_id = admin.tenant_id;
    s.created_at = s.updated_at = core::now_iso8601();
    const auto entry = audit::entry_of(admin, "student.create", "Student", s.id);
    const auto created = audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      return Enrolment{tx, ctx.outbox, http::traceparent_of(request)}.enrol(s);
    });
    return Response::json(201, to_json(created)).with_header("Location", "/api/v1/students/" + created.id);
  });

  server.route(Method::get, "/api/v1/students", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    core::FieldErrors errors;
    const auto paging = http::paging_of(request, errors);
    errors.throw_if_any();
    StudentQuery q{admin.tenant_id, paging.page_number, paging.page_size, std::nullopt};
    if (auto term = request.query_param("searchTerm"); term && !term->empty()) q.search_term = term;
    const auto page = ctx.db.read([&](soci::session& s) { return list_students(s, q); });
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : page.items) items.push_back(to_json(s));
    return Response::json(200, http::page_json(std::move(items), paging, page.total_count));
  });

  server.route(Method::get, "/api/v1/students/:id", [ctx](const Request& request) {
    const auto reader = require_reader(request, ctx.verify);
    const auto& id = http::id_param(request, "Student");
    const auto s =
        ctx.db.read([&](soci::session& session) { return find_student(session, reader.tenant_id, id); });
    if (!s || !may_read(reader, *s)) core::throw_not_found("Student " + id);
    return Response::json(200, to_json(*s));
  });

  server.route(Method::put, "/api/v1/students/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = http::id_param(request, "Student");
    auto input = parse_student_input(request.json_object(), ctx.phone_region);
    const auto entry = audit::entry_of(admin, "student.update", "Student", id);
    const auto updated = audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      return Enrolment{tx, ctx.outbox, http::traceparent_of(request)}.replace(admin.tenant_id, id,
                                                                              std::move(input));
    });
    return Response::json(200, to_json(updated));
  });

  server.route(Method::del, "/api/v1/students/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = http::id_param(request, "Student");
    const auto entry = audit::entry_of(admin, "student.delete", "Student", id);
    audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      Enrolment{tx, ctx.outbox, http::traceparent_of(request)}.withdraw(admin.tenant_id, id);
    });
    return Response::no_content();
  });

  // 0 or 1 parent: a phone names one parent in a tenant.
  server.route(Method::get, "/api/v1/parents", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    core::FieldErrors errors;
    const auto paging = http::paging_of(request, errors);
    const auto phone = request.query_param("phoneNumber");
    std::optional<std::string> e164;
    if (!phone || phone->empty())
      errors.add("phoneNumber", "'phoneNumber' is required.");
    else if (!(e164 = core::normalize_phone(*phone, ctx.phone_region)))
      errors.add("phoneNumber", "'phoneNumber' is not a valid phone number.");
    errors.throw_if_any();
    const auto parent =
        ctx.db.read([&](soci::session& s) { return find_parent_by_phone(s, admin.tenant_id, *e164); });
    nlohmann::json items = nlohmann::json::array();
    if (parent && paging.page_number == 1) items.push_back(to_json(*parent));
    return Response::json(200, http::page_json(std::move(items), paging, parent ? 1 : 0));
  });

  server.route(Method::get, "/api/v1/parents/:id", [ctx](const Request& request) {
    const auto reader = require_reader(request, ctx.verify);
    const auto& id = http::id_param(request, "Parent");
    const auto p = ctx.db.read([&](soci::session& s) { return find_parent(s, reader.tenant_id, id); });
    if (!p || !may_read(reader, *p)) core::throw_not_found("Parent " + id);
    return Response::json(200, to_json(*p));
  });
}

}  // namespace emis::student
