// Why a token was refused. Every refusal is a core::DomainError of kind
// unauthorized (HTTP 401); an unknown key id has its own type because it is
// the one failure a fresh JWKS can cure.
#pragma once

#include <string>

#include "core/errors.hpp"

namespace emis::auth {

class UnknownKeyId : public core::DomainError {
 public:
  explicit UnknownKeyId(std::string kid);

  // The token's kid as sent (attacker-controlled: log it, do not echo it).
  const std::string& kid() const noexcept { return kid_; }

 private:
  std::string kid_;
};

// Throws DomainError(unauthorized, "Unauthorized", detail).
[[noreturn]] void reject_token(const std::string& detail);

}  // namespace emis::auth
