// The web app (src/console/web/), embedded in the binary at build time
// (cmake/embed.cmake): one file to install, nothing to find at run time, and
// the page and the API always come from the same build.
#pragma once

#include "http/server.hpp"

namespace emis::console {

// GET / and /activate (the teacher's page) answer index.html; /app.js and
// /app.css the script and style. A strict Content-Security-Policy allows only
// this origin's script and style, so no injected markup can run code.
void add_web_routes(http::Server& server);

}  // namespace emis::console
