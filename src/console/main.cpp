// console: the web console for administrators. Serves the web app and its
// API, and keeps its own onboarding read model from the teacher and identity
// events (its own consumer group and database; it publishes nothing).
#include <spdlog/spdlog.h>

#include <iostream>

#include "console/console_api.hpp"
#include "console/kafka_inspector.hpp"
#include "console/operator_routes.hpp"
#include "console/web_routes.hpp"
#include "host/service_host.hpp"

int main(int argc, char** argv) {
  using namespace emis;
  try {
    host::ServiceHost service({"console", 8080, "console.db", false},
                              host::load_config(argc, argv, "console"));
    const auto& config = service.config();
    service.db().migrate(console::onboarding_migrations());
    console::add_onboarding_handlers(service.consumer().handlers());

    const auto identity_url = config.string("identity_url", "http://127.0.0.1:5002");
    console::Sessions sessions(
        [identity_url](const std::string& token) {
          return console::refresh_at_identity(identity_url, token);
        },
        std::chrono::minutes(config.integer("session_minutes", 60)));
    console::OnboardingView onboarding(service.db());
    const console::ConsoleContext ctx{sessions,
                                      onboarding,
                                      {config.string("teacher_url", "http://127.0.0.1:5001"), identity_url},
                                      config.string("phone_region", "VN")};
    console::add_session_routes(service.server(), ctx);
    console::add_teacher_routes(service.server(), ctx);
    console::add_onboarding_routes(service.server(), ctx);
    console::add_import_routes(service.server(), ctx);

    const auto& bus = service.bus_options();
    const console::KafkaInspector kafka(bus,
                                        {bus.topics.prefix_for("teacher"), bus.topics.prefix_for("identity"),
                                         bus.topics.prefix_for("student")});
    auto groups = host::string_list(config, "watched_groups");
    if (groups.empty()) groups = {"teacher-service-consumer", "identity-service-consumer"};
    groups.push_back(bus.group_id);
    console::add_operator_routes(service.server(), {sessions,
                                                    service.db(),
                                                    kafka,
                                                    {{"teacher-service", ctx.upstream.teacher},
                                                     {"identity-service", ctx.upstream.identity}},
                                                    groups,
                                                    bus.bootstrap_servers});
    console::add_web_routes(service.server());
    return service.run();
  } catch (const std::exception& e) {
    spdlog::critical("console failed to start: {}", e.what());
    std::cerr << "console: " << e.what() << '\n';
    return 1;
  }
}
