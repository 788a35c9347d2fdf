// The password of `identity-service create-admin`: never from the command
// line, where every user of the machine sees it (ps, /proc/PID/cmdline).
#pragma once

#include <istream>
#include <string>

#include "core/config.hpp"

namespace emis::identity {

// EMIS_ADMIN_PASSWORD (config key admin_password) when set, else the first
// line of `in` (typed without echo when `in` is a terminal). Throws a
// validation DomainError when there is none.
std::string read_admin_password(const core::Config& config, std::istream& in);

}  // namespace emis::identity
