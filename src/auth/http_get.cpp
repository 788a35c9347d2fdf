#include "auth/http_get.hpp"

#include <curl/curl.h>

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

}  // namespace

std::string http_get(const std::string& url, const HttpGetLimits& limits) {
  ensure_curl_initialised();
  CurlPtr curl(curl_easy_init());
  if (!curl) throw std::runtime_error("curl_easy_init failed");

  Body body{.data = {}, .limit = limits.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  set(h, CURLOPT_URL, url.c_str());
  set(h, CURLOPT_PROTOCOLS_STR, "http,https");
  set(h, CURLOPT_FOLLOWLOCATION, 0L);
  set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  set(h, CURLOPT_NOSIGNAL, 1L);  // signals and multi-threaded callers do not mix
  set(h, CURLOPT_WRITEFUNCTION, &on_data);
  set(h, CURLOPT_WRITEDATA, &body);
  set(h, CURLOPT_ERRORBUFFER, error);

  const CURLcode rc = curl_easy_perform(h);
  if (body.too_large) throw std::runtime_error("response from " + url + " is too large");
  if (rc != CURLE_OK) {
    throw std::runtime_error("GET " + url +
                             " failed: " + (error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) throw std::runtime_error("GET " + url + " answered HTTP " + std::to_string(status));
  return std::move(body.data);
}

}  // namespace emis::auth
