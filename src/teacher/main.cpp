// teacher-service: the administrator's teacher API, its outbox relay, and the
// consumer that follows Identity's account events.
#include <spdlog/spdlog.h>

#include <iostream>

#include "access/revoked_users_gate.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_route.hpp"
#include "embedded/teacher_openapi_json.hpp"
#include "host/import_command.hpp"
#include "host/service_host.hpp"
#include "host/token_verifier.hpp"
#include "http/document_route.hpp"
#include "teacher/account_handlers.hpp"
#include "teacher/teacher_api.hpp"
#include "teacher/teacher_store.hpp"

int main(int argc, char** argv) {
  using namespace emis;
  const host::ServiceSettings settings{"teacher-service", 5001, "teacher.db"};
  const auto migrate = [](store::Database& db) {
    db.migrate(teacher::teacher_migrations());
    db.migrate(access::revocation_migrations());
    db.migrate(audit::audit_migrations());
  };
  if (const auto imported = host::run_import_command(argc, argv, settings, migrate)) return *imported;
  try {
    host::ServiceHost service(settings, host::load_config(argc, argv, "teacher-service"));
    const auto& config = service.config();
    migrate(service.db());
    access::RevokedUsers revoked;
    revoked.load(service.db());
    revoked.sync(service.db(), std::chrono::milliseconds(config.integer("revocation_sync_ms", 500)));

    auto jwks = std::make_shared<auth::JwksClient>(
        config.string("jwks_url", "http://127.0.0.1:5002/.well-known/jwks.json"));
    const auto verify =
        access::refusing_revoked(host::make_token_verifier(jwks, host::verify_options(config)), revoked);
    teacher::add_teacher_routes(
        service.server(), {service.db(), service.outbox(), verify, config.string("phone_region", "VN")});
    audit::add_audit_route(service.server(), service.db(), verify);
    http::add_document_route(service.server(), "/openapi.json", embedded::teacher_openapi_json,
                             "application/json");
    teacher::add_account_handlers(service.consumer().handlers(), revoked);
    return service.run();
  } catch (const std::exception& e) {
    spdlog::critical("teacher-service failed to start: {}", e.what());
    std::cerr << "teacher-service: " << e.what() << '\n';
    return 1;
  }
}
