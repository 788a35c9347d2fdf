// `<service> import-sqlite FILE [--config FILE]`: moves a service's SQLite
// file into the database its configuration names (EMIS_DB, PostgreSQL),
// migrating that database first as the service would. Run it once, with the
// service stopped, before starting the instances on PostgreSQL.
#pragma once

#include <functional>
#include <optional>

#include "host/service_host.hpp"

namespace emis::host {

// The import's exit code when argv[1] is "import-sqlite", else nullopt (the
// caller goes on to serve). `migrate` applies the service's own migrations.
std::optional<int> run_import_command(int argc, char** argv, const ServiceSettings& settings,
                                      const std::function<void(store::Database&)>& migrate);

}  // namespace emis::host
