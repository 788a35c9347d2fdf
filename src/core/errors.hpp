// Typed errors shared by every module. A DomainError carries what a caller
// needs to act on it: its kind (mapped to an HTTP status or a DLQ decision),
// a short title and, for validation, one message per offending field.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace emis::core {

enum class ErrorKind {
  validation,    // the input can never be accepted as it is
  not_found,     // the addressed thing does not exist (for this tenant)
  conflict,      // the input clashes with stored state (duplicate phone ...)
  unauthorized,  // no or bad credentials
  forbidden,     // credentials fine, permission missing
  too_many_requests,
  payload_too_large,
  transient,  // may succeed when retried (database busy, broker away)
  internal,
};

struct FieldError {
  std::string field;
  std::string message;
};

class DomainError : public std::runtime_error {
 public:
  DomainError(ErrorKind kind, std::string title, std::string detail = {},
              std::vector<FieldError> fields = {});

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& title() const noexcept { return title_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }
  // For too_many_requests and transient errors: when to try again (0: unknown).
  int retry_after_seconds() const noexcept { return retry_after_seconds_; }
  DomainError& with_retry_after(int seconds) noexcept {
    retry_after_seconds_ = seconds;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::string title_;
  std::string detail_;
  std::vector<FieldError> fields_;
  int retry_after_seconds_ = 0;
};

// Collects per-field problems and throws one validation error with all of
// them, so a client sees every mistake in its request at once.
class FieldErrors {
 public:
  void add(std::string field, std::string message);
  // Takes over `inner`'s problems with their fields named under `prefix`
  // (e.g. "guardians[0]." for the members of a nested object).
  void add_all(const FieldErrors& inner, const std::string& prefix);
  bool empty() const noexcept { return fields_.empty(); }
  void throw_if_any(const std::string& title = "One or more validation errors occurred.") const;

 private:
  std::vector<FieldError> fields_;
};

[[noreturn]] void throw_not_found(const std::string& what);
[[noreturn]] void throw_conflict(const std::string& title, const std::string& detail);
[[noreturn]] void throw_unauthorized(const std::string& detail);
[[noreturn]] void throw_forbidden(const std::string& detail);

const char* to_string(ErrorKind kind) noexcept;

}  // namespace emis::core
