#include "core/errors.hpp"

namespace emis::core {

DomainError::DomainError(ErrorKind kind, std::string title, std::string detail,
                         std::vector<FieldError> fields)
    : std::runtime_error(detail.empty() ? title : title + ": " + detail),
      kind_(kind),
      title_(std::move(title)),
      detail_(std::move(detail)),
      fields_(std::move(fields)) {}

void FieldErrors::add(std::string field, std::string message) {
  fields_.push_back({std::move(field), std::move(message)});
}

void FieldErrors::add_all(const FieldErrors& inner, const std::string& prefix) {
  for (const auto& f : inner.fields_) fields_.push_back({prefix + f.field, f.message});
}

void FieldErrors::throw_if_any(const std::string& title) const {
  if (!fields_.empty()) throw DomainError(ErrorKind::validation, title, {}, fields_);
}

void throw_not_found(const std::string& what) {
  throw DomainError(ErrorKind::not_found, "Not found", what + " was not found.");
}

void throw_conflict(const std::string& title, const std::string& detail) {
  throw DomainError(ErrorKind::conflict, title, detail);
}

void throw_unauthorized(const std::string& detail) {
  throw DomainError(ErrorKind::unauthorized, "Unauthorized", detail);
}

void throw_forbidden(const std::string& detail) {
  throw DomainError(ErrorKind::forbidden, "Forbidden", detail);
}

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::validation:
      return "validation";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::unauthorized:
      return "unauthorized";
    case ErrorKind::forbidden:
      return "forbidden";
    case ErrorKind::too_many_requests:
      return "too_many_requests";
    case ErrorKind::payload_too_large:
      return "payload_too_large";
    case ErrorKind::transient:
      return "transient";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace emis::core
