// The claims the auth tests sign and expect back: an admin of one tenant,
// issued at a fixed instant for 15 minutes.
#pragma once

#include <string>

#include "auth/claims.hpp"

namespace emis::testing {

inline auth::Claims claims_for(std::string sub) {
  auth::Claims c;
  c.sub = std::move(sub);
  c.tenant_id = "tenant-1";
  c.roles = {"SchoolAdmin"};
  c.iss = "emis-identity";
  c.aud = "emis";
  c.jti = "jti";
  c.iat = 1'780'000'000;
  c.exp = c.iat + 900;
  return c;
}

}  // namespace emis::testing
