// Reading the string fields of a JSON request body, reporting every missing
// or mistyped one at once.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/errors.hpp"

namespace emis::identity {

std::string required_field(const nlohmann::json& body, const char* name, core::FieldErrors& errors);

}  // namespace emis::identity
