// Statements of one SQLite connection, prepared once and kept. SQLite spends
// more time parsing and planning a small INSERT or a lookup by key than
// running it, and the requests and events run the same text thousands of
// times a second. A Database keeps one for its writer and one for each
// reader; the queries below find it from their session with `of`.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace emis::store {

class StatementCache {
 public:
  explicit StatementCache(soci::session& session);
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement of `sql`, prepared on first use. Its user ends each run
  // with a RunEnd, which also clears the bindings for the next user.
  soci::statement& statement(const std::string& sql);
  // The cache of the connection `session` works on (a pooled session hands
  // out its pool's connection), or null when it has none (PostgreSQL).
  static StatementCache* of(soci::session& session);
  // Ends a statement's run when it leaves scope, failed or not: resets it
  // and lets go of the caller's bindings.
  class RunEnd {
   public:
    explicit RunEnd(soci::statement& st) : st_(st) {}
    ~RunEnd();
    RunEnd(const RunEnd&) = delete;
    RunEnd& operator=(const RunEnd&) = delete;

   private:
    soci::statement& st_;
  };

 private:
  soci::session& session_;
  std::unordered_map<std::string, std::unique_ptr<soci::statement>> statements_;
};

// Calls `use(st)` with the statement of `sql`, `elements` (soci::use and
// soci::into) exchanged and bound. On a connection with a StatementCache the
// statement is prepared once, and its run ends when `use` returns or throws
// (a SELECT left open would hold its read snapshot); elsewhere it is prepared
// for this call.
template <class Use, class... Elements>
decltype(auto) with_statement(soci::session& s, const std::string& sql, Use&& use, Elements&&... elements) {
  StatementCache* cache = StatementCache::of(s);
  if (cache == nullptr) {
    // A binary fold over soci's comma operator binds each element in turn.
    soci::statement st = ((s.prepare << sql), ..., std::forward<Elements>(elements));
    return use(st);
  }
  soci::statement& st = cache->statement(sql);
  const StatementCache::RunEnd end(st);  // also when binding throws: the next use starts clean
  (st.exchange(std::forward<Elements>(elements)), ...);
  st.define_and_bind();
  return use(st);
}

// Runs `sql` with `elements` bound and returns the rows it changed.
template <class... Elements>
long long run(soci::session& s, const std::string& sql, Elements&&... elements) {
  return with_statement(
      s, sql,
      [](soci::statement& st) {
        st.execute(true);
        return static_cast<long long>(st.get_affected_rows());
      },
      std::forward<Elements>(elements)...);
}

// Calls `visit(row)` for each row `sql` yields with `params` bound in turn;
// `visit` must not run the same SQL on the same session.
template <class Visit, class... Params>
void for_each_row(soci::session& s, const std::string& sql, Visit&& visit, const Params&... params) {
  soci::row row;
  with_statement(
      s, sql,
      [&](soci::statement& st) {
        if (!st.execute(true)) return;
        do visit(static_cast<const soci::row&>(row));
        while (st.fetch());
      },
      soci::into(row), soci::use(params)...);
}

}  // namespace emis::store
