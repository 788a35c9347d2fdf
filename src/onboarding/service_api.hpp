// What the HTTP API of a service that owns people works with: its database,
// its outbox, the token verifier and the region phone numbers are read in.
#pragma once

#include <string>

#include "eventbus/outbox.hpp"
#include "http/principal.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::onboarding {

struct ServiceApi {
  store::Database& db;
  eventbus::Outbox& outbox;
  http::TokenVerifier verify;
  std::string phone_region = "VN";
};

// Adds a service's own routes.
using AddRoutes = void (*)(http::Server& server, ServiceApi api);

}  // namespace emis::onboarding
