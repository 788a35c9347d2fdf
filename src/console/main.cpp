// console: the web console for administrators and operators. Serves the web
// app and its API, and keeps its own onboarding read model from the teacher
// and identity events (its own consumer group and database). It publishes
// only its own dead letters and the dead letters an operator replays.
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
    service.db().migrate(console::replay_log_migrations());
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
                                      host::phone_region_of(config)};
    console::add_session_routes(service.server(), ctx);
    console::add_teacher_routes(service.server(), ctx);
    console::add_onboarding_routes(service.server(), ctx);
    console::add_import_routes(service.server(), ctx);

    const auto& bus = service.bus_options();
    const console::KafkaInspector kafka(bus,
                                        {bus.topics.prefix_for("teacher"), bus.topics.prefix_for("identity"),
                                         bus.topics.prefix_for("student")});
    auto groups = host::string_list(config, "watched_groups");
    if (groups.empty())
      groups = {"teacher-service-consumer", "identity-service-consumer", "student-service-consumer"};
    groups.push_back(bus.group_id);
    const console::ReplayLog replay_log(service.db());
    console::DeadLetterReplayer replayer(kafka, replay_log, bus, service.metrics());
    const console::OperatorContext operator_ctx{
        sessions, service.db(),          kafka,    console::components_of(config),
        groups,   bus.bootstrap_servers, replayer, replay_log};
    console::add_operator_routes(service.server(), operator_ctx);
    console::add_dead_letter_routes(service.server(), operator_ctx);
    console::add_search_routes(service.server(), operator_ctx);
    console::add_web_routes(service.server());
    return service.run();
  } catch (const std::exception& e) {
    spdlog::critical("console failed to start: {}", e.what());
    std::cerr << "console: " << e.what() << '\n';
    return 1;
  }
}
