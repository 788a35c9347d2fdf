#include "http/problem.hpp"

namespace emis::http {

int status_for(core::ErrorKind kind) noexcept {
  using core::ErrorKind;
  switch (kind) {
    case ErrorKind::validation:
      return 400;
    case ErrorKind::unauthorized:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::payload_too_large:
      return 413;
    case ErrorKind::too_many_requests:
      return 429;
    case ErrorKind::transient:
      return 503;
    case ErrorKind::internal:
      return 500;
  }
  return 500;
}

namespace {
std::string type_uri(int status) {
  // RFC 9110's section for each status, as ASP.NET Core's ProblemDetails does.
  switch (status) {
    case 400:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.1";
    case 401:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.2";
    case 403:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.4";
    case 404:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.5";
    case 409:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.10";
    case 413:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.14";
    case 429:
      return "https://tools.ietf.org/html/rfc6585#section-4";
    case 503:
      return "https://tools.ietf.org/html/rfc9110#section-15.6.4";
    default:
      return "https://tools.ietf.org/html/rfc9110#section-15.6.1";
  }
}
}  // namespace

Response problem(int status, const std::string& title, const std::string& detail,
                 const std::string& instance) {
  nlohmann::json body{{"type", type_uri(status)}, {"title", title}, {"status", status}};
  if (!detail.empty()) body["detail"] = detail;
  if (!instance.empty()) body["instance"] = instance;
  auto r = Response::json(status, body);
  r.content_type = "application/problem+json";
  return r;
}

Response problem(const core::DomainError& error, const std::string& instance) {
  const int status = status_for(error.kind());
  nlohmann::json body{{"type", type_uri(status)}, {"title", error.title()}, {"status", status}};
  if (!error.detail().empty()) body["detail"] = error.detail();
  if (!instance.empty()) body["instance"] = instance;
  if (!error.fields().empty()) {
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& f : error.fields()) errors[f.field].push_back(f.message);
    body["errors"] = std::move(errors);
  }
  auto r = Response::json(status, body);
  r.content_type = "application/problem+json";
  if (error.retry_after_seconds() > 0)
    r.with_header("Retry-After", std::to_string(error.retry_after_seconds()));
  // RFC 9110 15.5.2: a 401 names the scheme that would be accepted.
  if (status == 401) r.with_header("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace emis::http
