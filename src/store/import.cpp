#include "store/import.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "store/row.hpp"

namespace emis::store {
namespace {

// The tables to copy, each after the tables its foreign keys name.
std::vector<std::string> tables_of(Database& sqlite) {
  return sqlite.read([](soci::session& s) {
    std::vector<std::string> names;
    soci::rowset<std::string> rows =
        (s.prepare << "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                      "AND name <> 'schema_migrations' ORDER BY name");
    for (const auto& name : rows) names.push_back(name);
    std::map<std::string, std::set<std::string>> parents;
    for (const auto& name : names) {
      soci::rowset<soci::row> keys = (s.prepare << "PRAGMA foreign_key_list(" + name + ")");
      for (const auto& key : keys)
        if (key.get<std::string>(2) != name) parents[name].insert(key.get<std::string>(2));
    }
    std::vector<std::string> ordered;
    std::set<std::string> placed;
    while (ordered.size() < names.size()) {
      const auto before = ordered.size();
      for (const auto& name : names)
        if (!placed.count(name) && std::all_of(parents[name].begin(), parents[name].end(),
                                               [&](const auto& p) { return placed.count(p) > 0; }))
          ordered.push_back(name), placed.insert(name);
      if (ordered.size() == before) throw std::runtime_error("the source's foreign keys form a cycle");
    }
    return ordered;
  });
}

std::vector<std::string> columns_of(soci::session& s, const std::string& table) {
  std::vector<std::string> columns;
  soci::rowset<soci::row> info = (s.prepare << "PRAGMA table_info(" + table + ")");
  for (const auto& column : info) columns.push_back(column.get<std::string>(1));
  return columns;
}

// A column's value as text (or null): the target converts it to the
// column's type, as it would a literal.
struct Value {
  std::string text;
  soci::indicator ind = soci::i_ok;
};

}  // namespace

std::vector<ImportedTable> import_rows(Database& sqlite, Database& target) {
  if (sqlite.dialect() != Dialect::sqlite)
    throw std::runtime_error("the source of an import is a SQLite file");
  const auto tables = tables_of(sqlite);
  std::vector<ImportedTable> imported;
  target.write(
      [&](Transaction& tx) {
        for (const auto& table : tables) {
          long long present = 0;
          try {
            tx.session() << "SELECT COUNT(*) FROM " + table, soci::into(present);
          } catch (const std::exception& e) {
            throw std::runtime_error("table " + table + " is missing from the target: " + e.what());
          }
          if (present > 0) throw std::runtime_error("the target already holds rows in " + table);
          ImportedTable done{table, 0};
          sqlite.read([&](soci::session& s) {
            // Read as text: SOCI would read a column declared INTEGER as a
            // 32-bit int, cutting off a millisecond timestamp.
            const auto names = columns_of(s, table);
            std::string select, columns, params;
            for (std::size_t i = 0; i < names.size(); ++i) {
              select += (i ? ", CAST(" : "CAST(") + names[i] + " AS TEXT)";
              columns += (i ? ", " : "") + names[i];
              params += (i ? ", :v" : ":v") + std::to_string(i);
            }
            const std::string insert_sql =
                "INSERT INTO " + table + " (" + columns + ") VALUES (" + params + ")";
            soci::rowset<soci::row> rows = (s.prepare << "SELECT " + select + " FROM " + table);
            for (const auto& row : rows) {
              std::vector<Value> values;
              for (std::size_t i = 0; i < row.size(); ++i)
                values.push_back(row.get_indicator(i) == soci::i_null ? Value{"", soci::i_null}
                                                                      : Value{row.get<std::string>(i)});
              soci::statement insert = (tx.session().prepare << insert_sql);
              for (auto& v : values) insert.exchange(soci::use(v.text, v.ind));
              insert.define_and_bind();
              insert.execute(true);
              ++done.rows;
            }
          });
          imported.push_back(done);
        }
        // Numbered columns go on after the imported numbers.
        if (target.dialect() == Dialect::postgresql)
          for (const auto& table : tables) {
            soci::rowset<std::string> serials =
                (tx.session().prepare
                     << "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                        "AND column_default LIKE 'nextval%'",
                 soci::use(table));
            std::vector<std::string> columns(serials.begin(), serials.end());
            for (const auto& column : columns)
              tx.session() << "SELECT setval(pg_get_serial_sequence('" + table + "', '" + column +
                                  "'), COALESCE(MAX(" + column + "), 0) + 1, false) FROM " + table;
          }
      });
  return imported;
}

}  // namespace emis::store
