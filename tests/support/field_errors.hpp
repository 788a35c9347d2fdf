// The fields a validation DomainError names, for tests of request parsing.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace emis::testing {

// Runs `parse`; the fields of the validation error it throws, in order, or
// none when it accepts the input.
template <class Parse>
std::vector<std::string> invalid_fields_of(Parse&& parse) {
  try {
    parse();
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::validation);
    std::vector<std::string> fields;
    for (const auto& f : e.fields()) fields.push_back(f.field);
    return fields;
  }
  return {};
}

}  // namespace emis::testing
