#include "store/dialect.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <regex>
#include <string_view>

namespace emis::store {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// A libpq conninfo value: single-quoted, with \ and ' escaped.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

const soci::postgresql_soci_error* as_postgresql(const std::exception& e) noexcept {
  return dynamic_cast<const soci::postgresql_soci_error*>(&e);
}

}  // namespace

Dialect dialect_of(const std::string& url) noexcept {
  return starts_with(url, "postgresql://") || starts_with(url, "postgres://") ? Dialect::postgresql
                                                                              : Dialect::sqlite;
}

std::string postgresql_conninfo(const std::string& url) {
  std::string_view rest(url);
  rest.remove_prefix(rest.find("://") + 3);
  std::string info;
  const auto add = [&info](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!info.empty()) info += ' ';
    info.append(key).append("=").append(quoted(percent_decoded(value)));
  };
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos)
    query = rest.substr(q + 1), rest = rest.substr(0, q);
  std::string_view database;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos)
    database = rest.substr(slash + 1), rest = rest.substr(0, slash);
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    add("user", credentials.substr(0, colon));
    if (colon != std::string_view::npos) add("password", credentials.substr(colon + 1));
  }
  // host[:port]; an IPv6 host comes in brackets.
  std::string_view host = rest, port;
  if (const auto colon = rest.rfind(':');
      colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos)
    host = rest.substr(0, colon), port = rest.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  add("host", host);
  add("port", port);
  add("dbname", database);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    if (const auto eq = pair.find('='); eq != std::string_view::npos)
      add(pair.substr(0, eq), pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return info;
}

std::string ddl_for(Dialect dialect, const std::string& statement) {
  if (dialect == Dialect::sqlite) return statement;
  // An INTEGER PRIMARY KEY is SQLite's rowid: numbered when left out.
  static const std::regex autoincrement(R"(\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b)");
  static const std::regex integer(R"(\bINTEGER\b)");
  return std::regex_replace(std::regex_replace(statement, autoincrement, "BIGSERIAL PRIMARY KEY"), integer,
                            "BIGINT");
}

long long advisory_lock_key(const std::string& name) noexcept {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<long long>(hash);
}

bool is_unique_violation(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
    return (s->result() & 0xff) == SQLITE_CONSTRAINT &&
           std::string_view(s->what()).find("UNIQUE") != std::string_view::npos;
  if (const auto* p = as_postgresql(e)) return p->sqlstate() == "23505";
  return false;
}

bool is_constraint_violation(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e))
    return (s->result() & 0xff) == SQLITE_CONSTRAINT;
  if (const auto* p = as_postgresql(e)) return starts_with(p->sqlstate(), "23");
  return false;
}

bool is_transient_failure(const std::exception& e) noexcept {
  if (const auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int code = s->result() & 0xff;
    return code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR || code == SQLITE_FULL;
  }
  if (const auto* p = as_postgresql(e)) {
    if (p->get_error_category() == soci::soci_error::connection_error) return true;
    const std::string state = p->sqlstate();
    // 08: connection; 53: insufficient resources; 57P01-03: shutdown;
    // 40001/40P01: serialization failure, deadlock; 55P03: lock not available.
    return starts_with(state, "08") || starts_with(state, "53") || starts_with(state, "57P0") ||
           state == "40001" || state == "40P01" || state == "55P03";
  }
  // SOCI reports a connection that broke between statements without a state.
  if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e))
    return soci_error->get_error_category() == soci::soci_error::connection_error;
  return false;
}

}  // namespace emis::store
