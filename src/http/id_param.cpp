#include "http/id_param.hpp"

#include "core/errors.hpp"
#include "core/ids.hpp"

namespace emis::http {

const std::string& id_param(const Request& request, const std::string& what) {
  const auto& id = request.param("id");
  if (!core::is_uuid(id)) core::throw_not_found(what + " " + id);
  return id;
}

}  // namespace emis::http
