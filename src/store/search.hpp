// Text search in SQL that both dialects read alike.
#pragma once

#include <string>

namespace emis::store {

// A LIKE pattern matching `term` anywhere, its wildcards escaped with '\'
// (use with ESCAPE '\').
std::string like_pattern(const std::string& term);

}  // namespace emis::store
