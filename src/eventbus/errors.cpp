#include "eventbus/errors.hpp"

#include <soci/soci-backend.h>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "store/database.hpp"

namespace emis::eventbus {

Failure classify_current_exception() {
  try {
    throw;
  } catch (const PermanentError& e) {
    return {FailureKind::permanent, e.error_class(), e.what()};
  } catch (const core::DomainError& e) {
    switch (e.kind()) {
      case core::ErrorKind::transient:
        return {FailureKind::transient, "transient", e.what()};
      case core::ErrorKind::internal:
        return {FailureKind::unclassified, "internal", e.what()};
      default:
        return {FailureKind::permanent, core::to_string(e.kind()), e.what()};
    }
  } catch (const nlohmann::json::exception& e) {
    // A field missing or of the wrong type in an event that did parse.
    return {FailureKind::permanent, "malformed", e.what()};
  } catch (const soci::soci_error& e) {
    // A constraint the event breaks stays broken on retry; busy, locked,
    // I/O and a full disk may pass. Anything else ("no such column") is a bug:
    // retried a few times like any other, then dead-lettered, never forever.
    if (store::is_constraint_violation(e)) return {FailureKind::permanent, "conflict", e.what()};
    if (store::is_transient_failure(e)) return {FailureKind::transient, "database", e.what()};
    return {FailureKind::unclassified, "database-error", e.what()};
  } catch (const std::exception& e) {
    return {FailureKind::unclassified, "unclassified", e.what()};
  } catch (...) {
    return {FailureKind::unclassified, "unclassified", "unknown exception"};
  }
}

}  // namespace emis::eventbus
