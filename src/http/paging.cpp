#include "http/paging.hpp"

#include <charconv>
#include <string>

namespace emis::http {
namespace {

int int_param(const Request& request, const char* name, int fallback, int min, int max,
              core::FieldErrors& errors) {
  const auto text = request.query_param(name);
  if (!text) return fallback;  // an empty value is no integer: 400, as documented
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size() || value < min || value > max) {
    errors.add(name, std::string("'") + name + "' must be an integer between " + std::to_string(min) +
                         " and " + std::to_string(max) + ".");
    return fallback;
  }
  return value;
}

}  // namespace

Paging paging_of(const Request& request, core::FieldErrors& errors) {
  Paging paging;
  paging.page_number = int_param(request, "pageNumber", 1, 1, 1'000'000, errors);
  paging.page_size = int_param(request, "pageSize", 20, 1, 100, errors);
  return paging;
}

nlohmann::json page_json(nlohmann::json items, const Paging& paging, long long total_count) {
  return {{"items", std::move(items)},
          {"pageNumber", paging.page_number},
          {"pageSize", paging.page_size},
          {"totalCount", total_count}};
}

}  // namespace emis::http
