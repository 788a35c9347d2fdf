#include "teacher/teacher_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "contracts/teacher_events.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

constexpr const char* kAdminRole = "SchoolAdmin";

// Ids that are not UUIDs cannot name a teacher: 404, as for an unknown one.
const std::string& teacher_id(const http::Request& request) {
  const auto& id = request.param("id");
  if (!core::is_uuid(id)) core::throw_not_found("Teacher " + id);
  return id;
}

int int_param(const http::Request& request, const char* name, int fallback, int min, int max,
              core::FieldErrors& errors) {
  const auto text = request.query_param(name);
  if (!text) return fallback;  // an empty value is no integer: 400, as documented
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size() || value < min || value > max) {
    errors.add(name, std::string("'") + name + "' must be an integer between " + std::to_string(min) +
                         " and " + std::to_string(max) + ".");
    return fallback;
  }
  return value;
}

bool looks_like_phone(const std::string& term) {
  return std::all_of(term.begin(), term.end(), [](unsigned char c) {
    return std::isdigit(c) || c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
  });
}

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

  // Asynchronous: the worker queues the write and moves on; the commit thread
  // answers once the teacher is durable, so a flush serves every request in
  // flight rather than one per worker.
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
    ctx.db.write_async(
        [&outbox = ctx.outbox, t = std::move(t), event = std::move(event),
         traceparent = http::traceparent_of(request)](store::Transaction& tx) {
          insert_teacher(tx, t);
          outbox.add(tx, event, traceparent);
        },
        [reply = std::move(reply), created = std::move(created)](std::exception_ptr error) mutable {
          if (error) return reply.fail(std::move(error));
          reply(std::move(created));
        });
  });

  server.route(Method::get, "/api/v1/teachers", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    core::FieldErrors errors;
    TeacherQuery q;
    q.tenant_id = admin.tenant_id;
    q.page_number = int_param(request, "pageNumber", 1, 1, 1'000'000, errors);
    q.page_size = int_param(request, "pageSize", 20, 1, 100, errors);
    if (auto term = request.query_param("searchTerm"); term && !term->empty()) {
      // A term written like a phone number matches the stored E.164 form. Only
      // such terms: libphonenumber also reads letters as keypad digits, so a
      // name like "Lan 3501bbe5" would otherwise turn into a phone number.
      if (looks_like_phone(*term))
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
    return Response::json(200, {{"items", items},
                                {"pageNumber", q.page_number},
                                {"pageSize", q.page_size},
                                {"totalCount", page.total_count}});
  });

  server.route(Method::get, "/api/v1/teachers/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = teacher_id(request);
    const auto t = ctx.db.read([&](soci::session& s) { return find_teacher(s, admin.tenant_id, id); });
    if (!t) core::throw_not_found("Teacher " + id);
    return Response::json(200, to_json(*t));
  });

  server.route(Method::put, "/api/v1/teachers/:id", [ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, kAdminRole);
    const auto& id = teacher_id(request);
    auto input = parse_teacher_input(request.json_object(), ctx.phone_region);
    const auto traceparent = http::traceparent_of(request);
    const auto updated = ctx.db.write([&](store::Transaction& tx) {
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
    const auto& id = teacher_id(request);
    const auto traceparent = http::traceparent_of(request);
    ctx.db.write([&](store::Transaction& tx) {
      if (!delete_teacher(tx, admin.tenant_id, id)) core::throw_not_found("Teacher " + id);
      ctx.outbox.add(tx, contracts::TeacherDeleted{id, admin.tenant_id}, traceparent);
    });
    return Response::no_content();
  });
}

}  // namespace emis::teacher
