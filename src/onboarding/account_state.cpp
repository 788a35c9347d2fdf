#include "onboarding/account_state.hpp"

#include "contracts/identity_events.hpp"
#include "core/clock.hpp"
#include "store/row.hpp"

namespace emis::onboarding {

void apply_account_state(store::Transaction& tx, const AccountOwner& owner, const std::string& entity_id,
                         const AccountState& state, std::int64_t changed_at_ms) {
  std::string current;
  long long current_at_ms = 0;
  soci::indicator ind = soci::i_null;
  tx.run("SELECT account_status, account_changed_at_ms FROM " + owner.table + " WHERE id = :id",
         soci::use(entity_id), soci::into(current, ind), soci::into(current_at_ms));
  if (ind != soci::i_ok) return;  // not ours or not yet here; nothing to show it on
  if (!contracts::account_change_supersedes(changed_at_ms, state.status, current_at_ms, current)) return;
  store::Nullable user(state.user_id.empty() ? std::nullopt : std::optional(state.user_id));
  store::Nullable reason(state.reason.empty() ? std::nullopt : std::optional(state.reason));
  const std::string now = core::now_iso8601();
  const long long at = changed_at_ms;
  tx.run("UPDATE " + owner.table +
             " SET account_status = :status, user_id = COALESCE(:user, user_id), "
             "account_status_reason = :reason, account_changed_at_ms = :at, updated_at = :now WHERE id = :id",
         soci::use(state.status), soci::use(user.value, user.ind), soci::use(reason.value, reason.ind),
         soci::use(at), soci::use(now), soci::use(entity_id));
}

}  // namespace emis::onboarding
