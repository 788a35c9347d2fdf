// The services behind the console, called on behalf of a signed-in user with
// the session's bearer token. Their answers, problem+json included, reach
// the browser unchanged, so validation messages are the API's own.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace emis::console {

struct UpstreamUrls {
  std::string teacher;   // http://127.0.0.1:5001
  std::string identity;  // http://127.0.0.1:5002
};

// Calls `url` with `bearer` (none when empty) and a JSON `body`; the answer as
// an http::Response (status, content type, body, Location). When nothing
// answers: 502 problem+json. `client` (the browser's address) goes on as
// X-Forwarded-For, so that Identity throttles sign-in attempts per browser
// rather than per console once it lists the console in its trusted_proxies.
http::Response call_upstream(const std::string& method, const std::string& url, const std::string& bearer,
                             const std::string& body = {}, const std::string& client = {});

// Trades a refresh token at Identity's /api/v1/auth/refresh-token.
std::optional<nlohmann::json> refresh_at_identity(const std::string& identity_url,
                                                  const std::string& refresh_token);

// `base` + `path` + "?" + the query, each value percent-encoded.
std::string with_query(const std::string& base, const std::map<std::string, std::string>& query);

}  // namespace emis::console
