#include "auth/http_get.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace emis::auth {
namespace {

struct CurlDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

void ensure_curl_initialised() {
  // curl_global_init is not safe to race with other curl calls; run it once.
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) throw std::runtime_error("libcurl could not be initialised");
}

struct Body {
  std::string data;
  std::size_t limit;
  bool too_large = false;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = size * nmemb;
  if (body->data.size() + n > body->limit) {
    body->too_large = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

template <typename T>
void set(CURL* curl, CURLoption option, T value) {
  if (curl_easy_setopt(curl, option, value) != CURLE_OK) throw std::runtime_error("curl_easy_setopt failed");
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

// Keeps the headers a caller wants to read; curl hands them over one by one.
std::size_t on_header(char* ptr, std::size_t size, std::size_t nmemb, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const std::string line(ptr, size * nmemb);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string{} : value.substr(first, last - first + 1);
    if (name == "location") answer->location = value;
  }
  return size * nmemb;
}

}  // namespace

HttpAnswer http_request(const std::string& method, const std::string& url,
                        const std::vector<std::string>& headers, const std::string& body,
                        const HttpGetLimits& limits) {
  ensure_curl_initialised();
  CurlPtr curl(curl_easy_init());
  if (!curl) throw std::runtime_error("curl_easy_init failed");

  Body received{.data = {}, .limit = limits.max_body_bytes};
  HttpAnswer answer;
  HeaderList list;
  for (const auto& header : headers) list.list = curl_slist_append(list.list, header.c_str());
  char error[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  set(h, CURLOPT_URL, url.c_str());
  set(h, CURLOPT_PROTOCOLS_STR, "http,https");
  set(h, CURLOPT_FOLLOWLOCATION, 0L);
  set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  set(h, CURLOPT_NOSIGNAL, 1L);  // signals and multi-threaded callers do not mix
  set(h, CURLOPT_WRITEFUNCTION, &on_data);
  set(h, CURLOPT_WRITEDATA, &received);
  set(h, CURLOPT_HEADERFUNCTION, &on_header);
  set(h, CURLOPT_HEADERDATA, &answer);
  set(h, CURLOPT_ERRORBUFFER, error);
  set(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");  // loopback services never go through a proxy
  if (list.list != nullptr) set(h, CURLOPT_HTTPHEADER, list.list);
  if (method != "GET") {
    set(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    set(h, CURLOPT_POSTFIELDS, body.c_str());
    set(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }

  const CURLcode rc = curl_easy_perform(h);
  if (received.too_large) throw std::runtime_error("response from " + url + " is too large");
  if (rc != CURLE_OK) {
    throw std::runtime_error(method + " " + url +
                             " failed: " + (error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
  char* type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) answer.content_type = type;
  answer.body = std::move(received.data);
  return answer;
}

std::string http_get(const std::string& url, const HttpGetLimits& limits) {
  auto answer = http_request("GET", url, {}, {}, limits);
  if (answer.status != 200)
    throw std::runtime_error("GET " + url + " answered HTTP " + std::to_string(answer.status));
  return std::move(answer.body);
}

}  // namespace emis::auth
