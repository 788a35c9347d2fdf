#include "audit/audited_write.hpp"

#include <spdlog/spdlog.h>

#include "core/errors.hpp"

namespace emis::audit {
namespace {

bool is_refusal(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::validation:
    case core::ErrorKind::not_found:
    case core::ErrorKind::conflict:
    case core::ErrorKind::unauthorized:
    case core::ErrorKind::forbidden:
      return true;
    default:
      return false;
  }
}

Entry failed(Entry entry, std::exception_ptr error) {
  entry.outcome = "Failed";
  try {
    std::rethrow_exception(error);
  } catch (const core::DomainError& e) {
    if (is_refusal(e.kind())) entry.outcome = outcome::refused;
    entry.detail = e.title();
  } catch (const std::exception& e) {
    entry.detail = e.what();
  } catch (...) {
  }
  return entry;
}

void log_lost(const Entry& entry, const char* why) {
  spdlog::error("audit entry of {} on {} {} by {} lost: {}", entry.action, entry.target_type, entry.target_id,
                entry.actor_id, why);
}

}  // namespace

void record_failure(store::Database& db, Entry entry, std::exception_ptr error) noexcept {
  auto outcome = failed(std::move(entry), error);
  try {
    db.write([&](store::Transaction& tx) { record(tx, outcome); });
  } catch (const std::exception& e) {
    log_lost(outcome, e.what());
  }
}

void record_failure_async(store::Database& db, Entry entry, std::exception_ptr error) noexcept {
  try {
    db.write_async(
        [outcome = failed(std::move(entry), error)](store::Transaction& tx) { record(tx, outcome); },
        [](std::exception_ptr lost) {
          if (lost) spdlog::error("an audit entry of a failed action was lost");
        });
  } catch (const std::exception& e) {
    spdlog::error("an audit entry of a failed action was lost: {}", e.what());
  }
}

}  // namespace emis::audit
