// Serving a fixed document, such as the service's OpenAPI description that is
// embedded in the binary at build time (cmake/embed.cmake).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/server.hpp"

namespace emis::http {

// GET `path` answers 200 with `body` as `content_type`. The body is copied
// once; the route runs on the I/O thread, as it does no blocking work.
// `headers` go on every answer (e.g. a Content-Security-Policy for a page).
void add_document_route(Server& server, const std::string& path, std::string_view body,
                        std::string content_type,
                        std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace emis::http
