// The console's own API under /console/api: sign-in and the session, the
// administrator's teacher operations passed on to the Teacher and Identity
// services with the session's token, the onboarding read model, and the
// teacher's activation (no sign-in).
#pragma once

#include "console/onboarding_view.hpp"
#include "console/sessions.hpp"
#include "console/upstream.hpp"
#include "http/server.hpp"

namespace emis::console {

struct ConsoleContext {
  Sessions& sessions;
  OnboardingView& onboarding;
  UpstreamUrls upstream;
  std::string phone_region;  // for checking imported rows as the Teacher service does
};

void add_session_routes(http::Server& server, const ConsoleContext& ctx);
void add_teacher_routes(http::Server& server, const ConsoleContext& ctx);
void add_onboarding_routes(http::Server& server, const ConsoleContext& ctx);
// POST /console/api/teachers/import (a batch of CSV rows) and the CSV template.
void add_import_routes(http::Server& server, const ConsoleContext& ctx);

}  // namespace emis::console
