// Interactive API documentation at GET /docs: Swagger UI over the service's
// own GET /openapi.json, with try-it-out. Its assets come from the npm
// package swagger-ui-dist (pinned in deploy/web/swagger-ui-dist.version),
// which ./emis deps fetches into a cache directory, never into the
// repository; they are read once at startup and served from memory.
#pragma once

#include <string>

#include "http/server.hpp"

namespace emis::http {

// Serves /docs and its assets from `assets_dir` (the package's files). When
// they are missing, /docs answers 503 problem+json naming the remedy, and the
// service runs on.
void add_docs_routes(Server& server, const std::string& assets_dir);

}  // namespace emis::http
