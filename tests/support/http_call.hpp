// One HTTP request with libcurl, for tests that drive a Server over the
// loopback: any method, extra headers, the answer's status, headers and body.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace emis::testing {

struct HttpAnswer {
  long status = 0;  // 0 when nothing answered
  std::map<std::string, std::string, http::CaseInsensitiveLess> headers;
  std::string body;
};

HttpAnswer http_call(const std::string& method, const std::string& url,
                     const std::vector<std::string>& headers = {}, const std::string& body = {});

}  // namespace emis::testing
