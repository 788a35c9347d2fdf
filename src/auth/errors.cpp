#include "auth/errors.hpp"

namespace emis::auth {

UnknownKeyId::UnknownKeyId(std::string kid)
    : core::DomainError(core::ErrorKind::unauthorized, "Unauthorized", "token is signed with an unknown key"),
      kid_(std::move(kid)) {}

void reject_token(const std::string& detail) {
  throw core::DomainError(core::ErrorKind::unauthorized, "Unauthorized", detail);
}

}  // namespace emis::auth
