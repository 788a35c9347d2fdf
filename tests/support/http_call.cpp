#include "support/http_call.hpp"

#include <curl/curl.h>

namespace emis::testing {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<HttpAnswer*>(out)->body.append(data, size * n);
  return size * n;
}

std::size_t add_header(char* data, std::size_t size, std::size_t n, void* out) {
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    const auto value_start = line.find_first_not_of(' ', colon + 1);
    const auto value_end = line.find_last_not_of("\r\n");
    static_cast<HttpAnswer*>(out)->headers[line.substr(0, colon)] =
        value_start == std::string::npos || value_end < value_start
            ? std::string()
            : line.substr(value_start, value_end - value_start + 1);
  }
  return size * n;
}

}  // namespace

HttpAnswer http_call(const std::string& method, const std::string& url,
                     const std::vector<std::string>& headers, const std::string& body) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, add_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

}  // namespace emis::testing
