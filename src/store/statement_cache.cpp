#include "store/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace emis::store {

soci::statement& StatementCache::statement(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    auto st = std::make_unique<soci::statement>(session_);
    st->alloc();
    st->prepare(sql);
    slot = std::move(st);
  } else {
    slot->bind_clean_up();
  }
  return *slot;
}

long long StatementCache::execute(soci::statement& st) {
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  const auto finish = [backend] {
    if (backend->stmt_ != nullptr) sqlite_api::sqlite3_reset(backend->stmt_);
  };
  try {
    st.execute(true);
    const long long changed = st.get_affected_rows();
    finish();
    return changed;
  } catch (...) {
    finish();
    throw;
  }
}

}  // namespace emis::store
