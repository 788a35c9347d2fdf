#include "store/row.hpp"

#include <stdexcept>

namespace emis::store {

std::int64_t int64_column(const soci::row& row, std::size_t index) {
  switch (row.get_properties(index).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(index);
    case soci::dt_long_long:
      return row.get<long long>(index);
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(row.get<unsigned long long>(index));
    case soci::dt_double:
      return static_cast<std::int64_t>(row.get<double>(index));
    case soci::dt_string:
      return std::stoll(row.get<std::string>(index));
    default:
      throw std::runtime_error("column " + row.get_properties(index).get_name() + " is not an integer");
  }
}

std::optional<std::string> optional_text(const soci::row& row, std::size_t index) {
  if (row.get_indicator(index) == soci::i_null) return std::nullopt;
  return row.get<std::string>(index);
}

}  // namespace emis::store
