// identity-service: accounts from teacher events, activation, login and
// tokens, and the account lifecycle events back to other services.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "access/revoked_users_gate.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_route.hpp"
#include "auth/jwks_client.hpp"
#include "auth/key_set.hpp"
#include "auth/signing_key.hpp"
#include "embedded/identity_openapi_json.hpp"
#include "host/import_command.hpp"
#include "host/service_host.hpp"
#include "host/token_verifier.hpp"
#include "http/document_route.hpp"
#include "identity/account_merge.hpp"
#include "identity/admin_password.hpp"
#include "identity/bootstrap.hpp"
#include "identity/identity_api.hpp"
#include "identity/notifier_config.hpp"
#include "identity/parent_handlers.hpp"
#include "identity/teacher_handlers.hpp"
#include "identity/user_store.hpp"

namespace {

using namespace emis;

constexpr const char* kDatabaseFile = "identity.db";
const host::ServiceSettings kSettings{"identity-service", 5002, kDatabaseFile};

void migrate(store::Database& db) {
  db.migrate(identity::identity_migrations());
  db.migrate(identity::login_throttle_migrations());
  db.migrate(audit::audit_migrations());
}

identity::AdminSpec admin_from(const core::Config& config) {
  identity::AdminSpec spec;
  spec.phone = config.string("bootstrap_admin_phone", "");
  spec.password = config.string("bootstrap_admin_password", "");
  spec.tenant_id = config.string("bootstrap_tenant_id", identity::kDefaultTenantId);
  spec.region = host::phone_region_of(config);
  return spec;
}

int serve(core::Config config) {
  host::ServiceHost service(kSettings, std::move(config));
  const auto& cfg = service.config();
  migrate(service.db());
  access::RevokedUsers revoked;
  revoked.load(service.db());
  revoked.sync(service.db(), std::chrono::milliseconds(cfg.integer("revocation_sync_ms", 500)));
  identity::bootstrap_admin_if_empty(service.db(), admin_from(cfg));
  identity::announce_merged_accounts(service.db(), service.outbox());

  const auto key = auth::SigningKey::load_or_create(cfg.string("jwt_key_dir", service.data_dir() + "/keys"));
  auth::KeySet keys;
  keys.add(key);
  const auto verify_options = host::verify_options(cfg);
  identity::TokenSettings token_settings;
  token_settings.issuer = verify_options.issuer;
  token_settings.audience = verify_options.audience;
  const identity::TokenIssuer issuer(key, token_settings);
  identity::LoginThrottle throttle(service.db());
  const auto codes = identity::CodeKey::from_config(cfg, service.data_dir());
  // With a notifier, codes go to the user's phone through the SMS sender.
  const auto notifier = identity::notifier_from_config(cfg, service.data_dir());
  std::unique_ptr<identity::SmsSender> sms_sender;
  std::unique_ptr<identity::CodeDelivery> delivery;
  if (notifier) {
    sms_sender = std::make_unique<identity::SmsSender>(
        service.db(), *notifier, identity::retry_policy_from_config(cfg), service.metrics());
    delivery = std::make_unique<identity::CodeDelivery>(codes, sms_sender->waker());
  }
  const identity::IdentityApiContext api{
      service.db(),
      service.outbox(),
      revoked,
      access::refusing_revoked(
          host::make_token_verifier(std::make_shared<auth::JwksClient>(keys), verify_options), revoked),
      issuer,
      codes,
      throttle,
      keys.to_jwks(),
      host::phone_region_of(cfg),
      delivery.get()};
  identity::add_auth_routes(service.server(), api);
  identity::add_user_routes(service.server(), api);
  audit::add_audit_route(service.server(), service.db(), api.verify);
  http::add_document_route(service.server(), "/openapi.json", embedded::identity_openapi_json,
                           "application/json");
  identity::add_teacher_handlers(service.consumer().handlers(), {service.outbox(), revoked},
                                 host::phone_region_of(cfg), delivery.get());
  identity::add_parent_handlers(service.consumer().handlers(), {service.outbox(), revoked},
                                host::phone_region_of(cfg), delivery.get());
  service.consumer().prune_with_inbox("tombstones", identity::prune_tombstones);
  if (sms_sender) sms_sender->start();
  // The sender stops when it goes out of scope, after the service has
  // stopped queuing messages; what it has not sent waits in the table.
  return service.run();
}

}  // namespace

int main(int argc, char** argv) {
  if (const auto imported = emis::host::run_import_command(argc, argv, kSettings, migrate)) return *imported;
  CLI::App app{"identity-service"};
  std::string config_file;
  app.add_option("--config", config_file, "JSON configuration file");
  identity::AdminSpec admin;
  auto* create_admin = app.add_subcommand("create-admin", "Create an active SchoolAdmin and exit");
  create_admin->add_option("--phone", admin.phone, "Phone number")->required();
  std::string refused_password;
  auto* password_option = create_admin->add_option(
      "--password", refused_password, "Not accepted: give the password on stdin or in EMIS_ADMIN_PASSWORD");
  create_admin->add_option("--tenant", admin.tenant_id, "Tenant id (UUID)");
  create_admin->add_option("--name", admin.full_name, "Full name");
  create_admin->add_flag("--operator", admin.operator_role,
                         "Give the Operator role (the console's event flow)");
  create_admin
      ->fallthrough();  // `create-admin ... --config FILE` works as well as `--config FILE create-admin ...`
  CLI11_PARSE(app, argc, argv);
  try {
    auto config = host::load_config_file(config_file);
    if (create_admin->parsed()) {
      if (password_option->count() > 0) {
        std::cerr << "identity-service: --password is not accepted: a command line is visible to every "
                     "user of the machine. Give the password on standard input or in EMIS_ADMIN_PASSWORD.\n";
        return 2;
      }
      admin.password = identity::read_admin_password(config, std::cin);
      store::Database db(host::database_options(config, kDatabaseFile));
      migrate(db);
      admin.region = host::phone_region_of(config);
      std::cout << identity::create_admin(db, admin) << '\n';
      return 0;
    }
    return serve(std::move(config));
  } catch (const core::DomainError& e) {
    std::cerr << "identity-service: " << e.what();
    for (const auto& f : e.fields()) std::cerr << "; " << f.field << ": " << f.message;
    std::cerr << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "identity-service: " << e.what() << '\n';
    return 1;
  }
}
