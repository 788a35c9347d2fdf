// Bounded HTTP(S) calls with libcurl: a GET for fetching a JWKS, and any
// method for a process that calls another service's API (the console).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace emis::auth {

struct HttpGetLimits {
  std::chrono::milliseconds timeout{2000};  // connect and whole transfer, each
  std::size_t max_body_bytes = 256 * 1024;
};

// Returns the body of a 200 response. Only http and https are allowed and
// redirects are not followed (a JWKS URL is configured, not discovered).
// Throws std::runtime_error with the reason on any failure.
std::string http_get(const std::string& url, const HttpGetLimits& limits = {});

struct HttpAnswer {
  long status = 0;
  std::string content_type;
  std::string location;  // the Location header, when any
  std::string body;
};

// One request with `headers` ("Name: value") and `body` (sent when not empty
// or when the method is not GET); any status is returned, not thrown. Throws
// std::runtime_error when nothing answers or the answer is too large.
HttpAnswer http_request(const std::string& method, const std::string& url,
                        const std::vector<std::string>& headers, const std::string& body,
                        const HttpGetLimits& limits = {});

}  // namespace emis::auth
