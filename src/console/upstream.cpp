#include "console/upstream.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <stdexcept>

#include "auth/http_get.hpp"
#include "http/problem.hpp"

namespace emis::console {
namespace {

std::string percent_encoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

http::Response call_upstream(const std::string& method, const std::string& url, const std::string& bearer,
                             const std::string& body, const std::string& client) {
  std::vector<std::string> headers{"Accept: application/json"};
  if (!bearer.empty()) headers.push_back("Authorization: Bearer " + bearer);
  if (method != "GET") headers.push_back("Content-Type: application/json");
  if (!client.empty()) headers.push_back("X-Forwarded-For: " + client);
  try {
    auto answer = auth::http_request(method, url, headers, body, {std::chrono::milliseconds(10000), 1 << 20});
    http::Response out;
    out.status = static_cast<int>(answer.status);
    out.content_type = answer.content_type.empty() ? "application/json" : answer.content_type;
    out.body = std::move(answer.body);
    if (!answer.location.empty()) out.with_header("Location", answer.location);
    return out;
  } catch (const std::runtime_error& e) {
    spdlog::warn("upstream call failed: {}", e.what());
    return http::problem(502, "Service unavailable", "A service behind the console did not answer.");
  }
}

std::optional<nlohmann::json> refresh_at_identity(const std::string& identity_url,
                                                  const std::string& refresh_token) {
  const auto answer = call_upstream("POST", identity_url + "/api/v1/auth/refresh-token", {},
                                    nlohmann::json{{"refreshToken", refresh_token}}.dump());
  if (answer.status != 200) return std::nullopt;
  auto login = nlohmann::json::parse(answer.body, nullptr, false);
  if (!login.is_object()) return std::nullopt;
  return login;
}

std::string with_query(const std::string& base, const std::map<std::string, std::string>& query) {
  std::string url = base;
  char separator = '?';
  for (const auto& [name, value] : query) {
    url += separator + percent_encoded(name) + "=" + percent_encoded(value);
    separator = '&';
  }
  return url;
}

}  // namespace emis::console
