// The paging query of every list endpoint: pageNumber (from 1) and pageSize
// (1 to 100, default 20).
#pragma once

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "http/message.hpp"

namespace emis::http {

struct Paging {
  int page_number = 1;
  int page_size = 20;
  int offset() const noexcept { return (page_number - 1) * page_size; }
};

// Reads pageNumber and pageSize; a bad value is reported in `errors` and
// the default used meanwhile.
Paging paging_of(const Request& request, core::FieldErrors& errors);

// A list endpoint's answer: {items, pageNumber, pageSize, totalCount}.
nlohmann::json page_json(nlohmann::json items, const Paging& paging, long long total_count);

}  // namespace emis::http
