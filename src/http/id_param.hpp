// The `:id` of a route that names one thing by its UUID.
#pragma once

#include <string>

#include "http/message.hpp"

namespace emis::http {

// The route's id; an id that is not a UUID cannot name anything, so it is
// answered 404 like an unknown one ("<what> <id> was not found.").
const std::string& id_param(const Request& request, const std::string& what);

}  // namespace emis::http
