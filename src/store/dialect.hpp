// The two SQL engines a service can run on, told apart by its database URL:
// SQLite (a file path, the embedded default) or PostgreSQL (a
// postgresql:// URL, for several instances sharing one database). Statements
// are written in the SQL both accept; what differs lives here.
#pragma once

#include <exception>
#include <string>

namespace emis::store {

enum class Dialect { sqlite, postgresql };

Dialect dialect_of(const std::string& url) noexcept;

// A migration's DDL for `dialect`. Migrations are written for SQLite, whose
// INTEGER is 64 bits wide: on PostgreSQL it becomes BIGINT, and an INTEGER
// PRIMARY KEY (a rowid, numbered when left out) a BIGSERIAL.
// libpq's keyword=value form of a postgresql:// URL (SOCI would misread the
// URL form): user, password, host, port, dbname, and any ?key=value options
// (sslmode, sslrootcert, connect_timeout, ...), percent-decoded and quoted.
std::string postgresql_conninfo(const std::string& url);

std::string ddl_for(Dialect dialect, const std::string& statement);

// A 64-bit key for PostgreSQL's advisory locks, stable across builds and
// processes (FNV-1a of the name).
long long advisory_lock_key(const std::string& name) noexcept;

// True when `e` is a UNIQUE/PRIMARY KEY constraint failure.
bool is_unique_violation(const std::exception& e) noexcept;
// True for any constraint failure (UNIQUE, NOT NULL, CHECK, FOREIGN KEY).
bool is_constraint_violation(const std::exception& e) noexcept;
// True when the database may accept the same statement later: busy, locked,
// an I/O error or a full disk; on PostgreSQL also a lost connection, a
// serialization failure or deadlock, a server shutting down or out of
// resources. Any other SQL error (a missing column, a syntax error) is a bug
// that no retry cures.
bool is_transient_failure(const std::exception& e) noexcept;

}  // namespace emis::store
