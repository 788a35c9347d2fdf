#include "http/docs_route.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "http/document_route.hpp"
#include "http/problem.hpp"

namespace emis::http {
namespace {

constexpr const char* kPage = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
)";

// The document names the service's default port; try-it-out calls this
// service wherever it runs. validatorUrl null: the default sends the
// document to an outside validator.
constexpr const char* kInitializer = R"(fetch("/openapi.json").then((r) => r.json()).then((spec) => {
  spec.servers = [{ url: window.location.origin, description: "This service" }];
  window.ui = SwaggerUIBundle({ spec, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
});
)";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void add_docs_routes(Server& server, const std::string& assets_dir) {
  const auto bundle = read_file(assets_dir + "/swagger-ui-bundle.js");
  const auto css = read_file(assets_dir + "/swagger-ui.css");
  if (!bundle || !css) {
    spdlog::warn("API documentation assets not found in {}; /docs answers 503 (./emis deps fetches them)",
                 assets_dir);
    server.route(
        Method::get, "/docs",
        [](const Request&) {
          return problem(503, "API documentation not installed",
                         "The swagger-ui-dist assets are missing; ./emis deps fetches them.");
        },
        Dispatch::inline_io);
    return;
  }
  add_document_route(server, "/docs", kPage, "text/html; charset=utf-8");
  add_document_route(server, "/docs/swagger-initializer.js", kInitializer, "text/javascript; charset=utf-8");
  add_document_route(server, "/docs/swagger-ui-bundle.js", *bundle, "text/javascript; charset=utf-8",
                     {{"Cache-Control", "max-age=86400"}});
  add_document_route(server, "/docs/swagger-ui.css", *css, "text/css; charset=utf-8",
                     {{"Cache-Control", "max-age=86400"}});
}

}  // namespace emis::http
