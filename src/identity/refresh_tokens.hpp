// Ending sessions: every statement that revokes refresh tokens. A family is
// one login's chain of rotations.
#pragma once

#include <string>

#include "store/transaction.hpp"

namespace emis::identity {

// Revokes the live tokens of one login (logout, reuse of a rotated token).
void revoke_token_family(store::Transaction& tx, const std::string& family_id);
// Revokes every live token of the account (disabled, password reset).
void revoke_user_tokens(store::Transaction& tx, const std::string& user_id);

}  // namespace emis::identity
