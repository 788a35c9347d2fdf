// A minimal, bounded HTTP(S) GET for fetching a JWKS with libcurl.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace emis::auth {

struct HttpGetLimits {
  std::chrono::milliseconds timeout{2000};  // connect and whole transfer, each
  std::size_t max_body_bytes = 256 * 1024;
};

// Returns the body of a 200 response. Only http and https are allowed and
// redirects are not followed (a JWKS URL is configured, not discovered).
// Throws std::runtime_error with the reason on any failure.
std::string http_get(const std::string& url, const HttpGetLimits& limits = {});

}  // namespace emis::auth
