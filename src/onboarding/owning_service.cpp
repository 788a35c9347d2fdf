#include "onboarding/owning_service.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

#include "access/revoked_users_gate.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_route.hpp"
#include "host/import_command.hpp"
#include "host/token_verifier.hpp"
#include "http/document_route.hpp"
#include "onboarding/account_handlers.hpp"

namespace emis::onboarding {

int run_owning_service(int argc, char** argv, const OwningService& spec) {
  const auto& name = spec.settings.name;
  const auto migrate = [&spec](store::Database& db) {
    db.migrate(spec.migrations);
    db.migrate(access::revocation_migrations());
    db.migrate(audit::audit_migrations());
  };
  if (const auto imported = host::run_import_command(argc, argv, spec.settings, migrate)) return *imported;
  try {
    host::ServiceHost service(spec.settings, host::load_config(argc, argv, name));
    const auto& config = service.config();
    migrate(service.db());
    access::RevokedUsers revoked;
    revoked.load(service.db());
    revoked.sync(service.db(), std::chrono::milliseconds(config.integer("revocation_sync_ms", 500)));

    auto jwks = std::make_shared<auth::JwksClient>(
        config.string("jwks_url", "http://127.0.0.1:5002/.well-known/jwks.json"));
    const auto verify =
        access::refusing_revoked(host::make_token_verifier(jwks, host::verify_options(config)), revoked);
    spec.add_routes(service.server(),
                    {service.db(), service.outbox(), verify, host::phone_region_of(config)});
    audit::add_audit_route(service.server(), service.db(), verify);
    http::add_document_route(service.server(), "/openapi.json", spec.openapi_json, "application/json");
    add_account_handlers(service.consumer().handlers(), revoked, spec.owner);
    return service.run();
  } catch (const std::exception& e) {
    spdlog::critical("{} failed to start: {}", name, e.what());
    std::cerr << name << ": " << e.what() << '\n';
    return 1;
  }
}

}  // namespace emis::onboarding
