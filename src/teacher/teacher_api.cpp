#include "teacher/teacher_api.hpp"

#include "audit/audited_write.hpp"
#include "contracts/teacher_events.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "http/id_param.hpp"
#include "http/paging.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

constexpr const char* kAdminRole = "SchoolAdmin";

// The fields TeacherUpdated carries: those whose value changed.
contracts::TeacherUpdated changes(const Teacher& before, const Teacher& after) {
  contracts::TeacherUpdated event{after.id, after.tenant_id, {}, {}, {}};
  if (before.fields.phone_number != after.fields.phone_number) event.phone_number = after.fields.phone_number;
  if (before.fields.full_name != after.fields.full_name) event.full_name = after.fields.full_name;
  if (before.fields.email != after.fields.email) event.email = after.fields.email.value_or("");
  return event;
}

}  // namespace

void add_teacher_routes(http::Server& server, TeacherApiContext ctx) {
  using http::Method;
  using http::Request;
  using http::Response;

  // Asynchronous: while a commit is under way the worker queues the write and
  // moves on, and the commit thread answers once the teacher is durable, so a
  // flush serves every request in flight rather than one per worker; when
  // none is, the worker commits and answers itself.
  server.route_async(Method::post, "/api/v1/teachers", [ctx](const Request& request, http::Reply reply) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    Teacher t;
    t.fields = parse_teacher_input(request.json_object(), ctx.phone_region);
    t.id = core::new_uuid();
    t.tenant_id = admin.tenant_id;
    t.created_at = t.updated_at = core::now_iso8601();
    // Built here, not on the commit thread, which serves every writer.
    auto created = Response::json(201, to_json(t)).with_header("Location", "/api/v1/teachers/" + t.id);
    contracts::TeacherCreated event{t.id, t.tenant_id, t.fields.phone_number, t.fields.full_name,
                                    t.fields.email.value_or("")};
    // One copy for each lambda: their captures run in no fixed order.
    const auto entry = audit::entry_of(admin, "teacher.create", "Teacher", t.id);
    auto failure_entry = entry;
    ctx.db.write_async(
        [&outbox = ctx.outbox, t = std::move(t), event = std::move(event), entry,
         traceparent = http::traceparent_of(request)](store::Transaction& tx) {
          insert_teacher(tx, t);
          outbox.add(tx, event, traceparent);
          audit::record(tx, entry);
        },
        [&db = ctx.db, reply = std::move(reply), created = std::move(created),
         failure_entry = std::move(failure_entry)](std::exception_ptr error) mutable {
          if (error) {
            audit::record_failure_async(db, std::move(failure_entry), error);
            return reply.fail(std::move(error));
          }
          reply(std::move(created));
        });
  });

  server.route(Method::get, "/api/v1/teachers", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    core::FieldErrors errors;
    TeacherQuery q;
    q.tenant_id = admin.tenant_id;
    const auto paging = http::paging_of(request, errors);
    q.page_number = paging.page_number;
    q.page_size = paging.page_size;
    if (auto term = request.query_param("searchTerm"); term && !term->empty()) {
      // A term written like a phone number matches the stored E.164 form. Only
      // such terms: libphonenumber also reads letters as keypad digits, so a
      // name like "Lan 3501bbe5" would otherwise turn into a phone number.
      if (core::looks_like_phone(*term))
        if (auto e164 = core::normalize_phone(*term, ctx.phone_region)) term = e164;
      q.search_term = term;
    }
    if (auto status = request.query_param("status")) {  // empty is no status either
      if (*status != "Active" && *status != "Inactive")
        errors.add("status", "'status' must be Active or Inactive.");
      q.status = status;
    }
    errors.throw_if_any();
    const auto page = ctx.db.read([&](soci::session& s) { return list_teachers(s, q); });
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : page.items) items.push_back(to_json(t));
    return Response::json(200, http::page_json(std::move(items), paging, page.total_count));
  });

  server.route(Method::get, "/api/v1/teachers/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = http::id_param(request, "Teacher");
    const auto t = ctx.db.read([&](soci::session& s) { return find_teacher(s, admin.tenant_id, id); });
    if (!t) core::throw_not_found("Teacher " + id);
    return Response::json(200, to_json(*t));
  });

  server.route(Method::put, "/api/v1/teachers/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = http::id_param(request, "Teacher");
    auto input = parse_teacher_input(request.json_object(), ctx.phone_region);
    const auto traceparent = http::traceparent_of(request);
    const auto entry = audit::entry_of(admin, "teacher.update", "Teacher", id);
    const auto updated = audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      auto before = find_teacher(tx.session(), admin.tenant_id, id);
      if (!before) core::throw_not_found("Teacher " + id);
      Teacher after = *before;
      after.fields = std::move(input);
      after.updated_at = core::now_iso8601();
      update_teacher(tx, after);
      if (auto event = changes(*before, after); event.phone_number || event.full_name || event.email)
        ctx.outbox.add(tx, event, traceparent);
      return after;
    });
    return Response::json(200, to_json(updated));
  });

  server.route(Method::del, "/api/v1/teachers/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = http::id_param(request, "Teacher");
    const auto traceparent = http::traceparent_of(request);
    const auto entry = audit::entry_of(admin, "teacher.delete", "Teacher", id);
    audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      if (!delete_teacher(tx, admin.tenant_id, id)) core::throw_not_found("Teacher " + id);
      ctx.outbox.add(tx, contracts::TeacherDeleted{id, admin.tenant_id}, traceparent);
    });
    return Response::no_content();
  });
}

}  // namespace emis::teacher
