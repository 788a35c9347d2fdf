#include "identity/account_status.hpp"

#include "core/clock.hpp"
#include "identity/account_events.hpp"
#include "identity/activation.hpp"
#include "identity/refresh_tokens.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

std::int64_t now_ms() { return core::unix_millis(std::chrono::system_clock::now()); }

}  // namespace

bool disable_account(store::Transaction& tx, const AccountEffects& effects, User& user,
                     const std::string& traceparent) {
  if (user.status == status::disabled) return false;
  user.status = status::disabled;
  user.updated_at = core::now_iso8601();
  update_user(tx, user);
  revoke_user_tokens(tx, user.id);
  discard_activation_code(tx, user.id);
  effects.revoked.record(tx, user.id, true, now_ms());
  publish_account<contracts::UserDisabled>(tx, effects.outbox, user, traceparent);
  return true;
}

bool enable_account(store::Transaction& tx, const AccountEffects& effects, User& user,
                    const std::string& traceparent) {
  if (user.status != status::disabled) return false;
  user.status = user.password_hash ? status::active : status::pending_activation;
  user.updated_at = core::now_iso8601();
  update_user(tx, user);  // the phone index refuses it if the phone is taken
  effects.revoked.record(tx, user.id, false, now_ms());
  if (user.status == status::active)
    publish_account<contracts::UserActivated>(tx, effects.outbox, user, traceparent);
  else
    publish_account<contracts::UserAccountCreated>(tx, effects.outbox, user, traceparent);
  return true;
}

}  // namespace emis::identity
