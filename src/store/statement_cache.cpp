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

void StatementCache::finish(soci::statement& st) noexcept {
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  if (backend->stmt_ != nullptr) sqlite_api::sqlite3_reset(backend->stmt_);
}

}  // namespace emis::store
