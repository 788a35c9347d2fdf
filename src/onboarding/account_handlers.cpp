#include "onboarding/account_handlers.hpp"

#include "contracts/identity_events.hpp"
#include "core/clock.hpp"

namespace emis::onboarding {
namespace {

template <class Event>
void follow(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked, const AccountOwner& owner) {
  handlers.on<Event>(
      [&revoked, owner](store::Transaction& tx, const Event& e, const eventbus::IncomingEvent& in) {
        const auto at = contracts::account_changed_at_ms(in);
        // Every account's tokens, whatever its kind: an admin can be disabled too.
        if (!e.user_id.empty()) revoked.record(tx, e.user_id, e.status == "Disabled", at);
        if (e.entity_type != owner.entity_type || e.entity_id.empty()) return;  // accounts of other kinds
        apply_account_state(tx, owner, e.entity_id, {e.user_id, e.status, {}}, at);
      });
}

}  // namespace

void add_account_handlers(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked,
                          AccountOwner owner) {
  follow<contracts::UserAccountCreated>(handlers, revoked, owner);
  follow<contracts::UserActivated>(handlers, revoked, owner);
  follow<contracts::UserDisabled>(handlers, revoked, owner);
  handlers.on<contracts::AccountProvisioningFailed>([owner](store::Transaction& tx,
                                                            const contracts::AccountProvisioningFailed& e,
                                                            const eventbus::IncomingEvent& in) {
    if (e.entity_type != owner.entity_type) return;  // another service's entity
    apply_account_state(tx, owner, e.entity_id, {{}, "Failed", e.reason},
                        contracts::account_changed_at_ms(in));
  });
}

}  // namespace emis::onboarding
