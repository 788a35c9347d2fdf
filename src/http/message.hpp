// The HTTP request and response as the services see them: plain values,
// independent of the server library, so handlers are easy to test.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace emis::http {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const noexcept;
};

struct Request {
  std::string method;
  std::string path;
  std::string body;
  // The client: the TCP peer, or the address a trusted proxy forwarded
  // (ServerOptions::trusted_proxies, http/client_address.hpp).
  std::string remote_address;
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;  // from the route pattern, e.g. ":id"

  std::optional<std::string> header(const std::string& name) const;
  std::optional<std::string> query_param(const std::string& name) const;
  const std::string& param(const std::string& name) const;  // throws if the route has none
  // The body as a JSON object; malformed JSON or another type is a validation error.
  nlohmann::json json_object() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, const nlohmann::json& body);
  static Response no_content();
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  Response& with_header(std::string name, std::string value);
};

}  // namespace emis::http
