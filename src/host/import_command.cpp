#include "host/import_command.hpp"

#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "eventbus/schema.hpp"
#include "store/import.hpp"

namespace emis::host {

std::optional<int> run_import_command(int argc, char** argv, const ServiceSettings& settings,
                                      const std::function<void(store::Database&)>& migrate) {
  if (argc < 2 || std::string_view(argv[1]) != "import-sqlite") return std::nullopt;
  if (argc < 3 || !std::filesystem::is_regular_file(argv[2])) {
    std::cerr << "usage: " << settings.name
              << " import-sqlite FILE [--config FILE]  (FILE: an existing SQLite file)\n";
    return 2;
  }
  try {
    // The rest is what the service itself takes: --config.
    std::vector<char*> rest{argv[0]};
    for (int i = 3; i < argc; ++i) rest.push_back(argv[i]);
    const auto config = load_config(static_cast<int>(rest.size()), rest.data(), settings.name);
    const auto target_options = database_options(config, settings.default_db_file);
    if (store::dialect_of(target_options.url) != store::Dialect::postgresql) {
      std::cerr << settings.name << ": EMIS_DB must name the PostgreSQL database to import into\n";
      return 2;
    }
    store::Database source({argv[2]});
    store::Database target(target_options);
    for (auto* db : {&source, &target}) {  // the source may be of an older version
      db->migrate(eventbus::schema_migrations());
      migrate(*db);
    }
    for (const auto& table : store::import_rows(source, target))
      std::cout << table.table << ": " << table.rows << " rows\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << settings.name << ": import failed, nothing was written: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace emis::host
