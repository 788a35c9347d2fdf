// Reading columns of a soci::row. SOCI's SQLite backend types a column by its
// declared type ("INTEGER" reads as int, an expression as long long), so
// integers are read whatever width SOCI picked.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>

namespace emis::store {

std::int64_t int64_column(const soci::row& row, std::size_t index);
std::optional<std::string> optional_text(const soci::row& row, std::size_t index);

// An optional text bound as a statement parameter: SOCI needs the value and
// its indicator to live as long as the statement.
struct Nullable {
  std::string value;
  soci::indicator ind;
  explicit Nullable(const std::optional<std::string>& v)
      : value(v.value_or("")), ind(v ? soci::i_ok : soci::i_null) {}
};

}  // namespace emis::store
