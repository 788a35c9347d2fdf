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
};

void add_session_routes(http::Server& server, const ConsoleContext& ctx);
void add_teacher_routes(http::Server& server, const ConsoleContext& ctx);
void add_onboarding_routes(http::Server& server, const ConsoleContext& ctx);

}  // namespace emis::console
