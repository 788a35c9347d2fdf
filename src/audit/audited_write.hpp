// Running an administrative action with its audit entry: recorded in the
// action's transaction when it succeeds; when it fails, the outcome is
// recorded in a transaction of its own and the error goes on to the caller.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include "audit/audit_log.hpp"

namespace emis::audit {

// Records `entry` as refused (a 4xx DomainError: the title says why) or
// failed (anything else) after `error` ended the action. Never throws: a
// lost audit entry must not hide the action's own error.
void record_failure(store::Database& db, Entry entry, std::exception_ptr error) noexcept;
// The same, queued without waiting: for a write_async completion, which
// must not block on the database.
void record_failure_async(store::Database& db, Entry entry, std::exception_ptr error) noexcept;

// db.write(work) with `entry` recorded in the same transaction.
template <class Work>
auto audited_write(store::Database& db, Entry entry, Work&& work)
    -> std::invoke_result_t<Work, store::Transaction&> {
  try {
    return db.write([&](store::Transaction& tx) {
      if constexpr (std::is_void_v<std::invoke_result_t<Work, store::Transaction&>>) {
        work(tx);
        record(tx, entry);
      } else {
        auto result = work(tx);
        record(tx, entry);
        return result;
      }
    });
  } catch (...) {
    record_failure(db, std::move(entry), std::current_exception());
    throw;
  }
}

}  // namespace emis::audit
