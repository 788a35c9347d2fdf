#include "console/web_routes.hpp"

#include "embedded/console_app_css.hpp"
#include "embedded/console_app_js.hpp"
#include "embedded/console_index_html.hpp"
#include "http/document_route.hpp"

namespace emis::console {

void add_web_routes(http::Server& server) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
       " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-cache"}};
  for (const char* page : {"/", "/activate"})
    http::add_document_route(server, page, embedded::console_index_html, "text/html; charset=utf-8", headers);
  http::add_document_route(server, "/app.js", embedded::console_app_js, "text/javascript; charset=utf-8",
                           headers);
  http::add_document_route(server, "/app.css", embedded::console_app_css, "text/css; charset=utf-8", headers);
}

}  // namespace emis::console
