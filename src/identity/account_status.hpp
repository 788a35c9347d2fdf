// Disabling and enabling an account, wherever it happens (an administrator's
// request, the deletion of the account's last entity): the status, the refresh
// tokens, the revocation of access tokens on every service, and the
// lifecycle event, all in the caller's transaction.
#pragma once

#include <string>

#include "access/revoked_users.hpp"
#include "eventbus/outbox.hpp"
#include "identity/user.hpp"

namespace emis::identity {

struct AccountEffects {
  eventbus::Outbox& outbox;
  access::RevokedUsers& revoked;
};

// Disabled: refresh tokens and any activation code revoked, access tokens
// refused from this instance's commit on, UserDisabled published for each of `user`'s
// memberships (the other services refuse the tokens when they see it; a
// caller disabling an account it just took the last membership from passes
// that one). False, and nothing changed,
// when `user` was already disabled.
bool disable_account(store::Transaction& tx, const AccountEffects& effects, User& user,
                     const std::string& traceparent);

// Back to Active, or to PendingActivation when no password was ever set,
// with UserActivated or UserAccountCreated (status PendingActivation) so
// that other services accept the tokens and show the status again. False,
// and nothing changed, when `user` was not disabled. Throws a conflict
// DomainError when another live account has taken the phone meanwhile.
bool enable_account(store::Transaction& tx, const AccountEffects& effects, User& user,
                    const std::string& traceparent);

}  // namespace emis::identity
