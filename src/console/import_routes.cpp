// Bulk import over HTTP: the template to fill in, and one batch of rows at a
// time (see teacher_import.hpp).
#include "console/console_api.hpp"
#include "console/teacher_import.hpp"
#include "http/document_route.hpp"

namespace emis::console {

inline constexpr const char* kTemplate = "fullName,phoneNumber,email,gender,dateOfBirth,hireDate\r\n";

void add_import_routes(http::Server& server, const ConsoleContext& ctx) {
  http::add_document_route(server, "/console/teachers-template.csv", kTemplate, "text/csv; charset=utf-8",
                           {{"Content-Disposition", "attachment; filename=\"teachers-template.csv\""}});
  server.route(http::Method::post, "/console/api/teachers/import", [ctx](const http::Request& request) {
    const auto session = ctx.sessions.require_write(request);
    bool dry_run = false;
    const auto rows = parse_import_batch(request.json_object(), dry_run);
    const ImportContext import{ctx.onboarding, ctx.upstream.teacher, ctx.phone_region};
    auto results = nlohmann::json::array();
    for (const auto& result : import_rows(import, session, rows, dry_run)) results.push_back(to_json(result));
    return http::Response::json(200, {{"dryRun", dry_run}, {"results", results}});
  });
}

}  // namespace emis::console
