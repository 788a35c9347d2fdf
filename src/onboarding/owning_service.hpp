// The process of a service that owns people with accounts (teachers,
// parents), wired once: its migrations with the revocation and audit
// tables, the import-sqlite command, token verification that refuses
// disabled accounts, Identity's account events shown on the owner's table,
// the audit trail and the OpenAPI document. The service adds its own routes.
#pragma once

#include <string_view>
#include <vector>

#include "host/service_host.hpp"
#include "onboarding/account_state.hpp"
#include "onboarding/service_api.hpp"

namespace emis::onboarding {

struct OwningService {
  host::ServiceSettings settings;
  std::vector<store::Migration> migrations;  // the service's own domain
  AccountOwner owner;
  std::string_view openapi_json;
  AddRoutes add_routes;
};

// Runs the service until SIGTERM; returns the process's exit code.
int run_owning_service(int argc, char** argv, const OwningService& service);

}  // namespace emis::onboarding
