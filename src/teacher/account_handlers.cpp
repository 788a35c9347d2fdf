#include "teacher/account_handlers.hpp"

#include "contracts/identity_events.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

template <class Event>
void follow(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked) {
  handlers.on<Event>([&revoked](store::Transaction& tx, const Event& e, const eventbus::IncomingEvent& in) {
    const auto at = contracts::account_changed_at_ms(in);
    // Every account's tokens, whatever its kind: an admin can be disabled too.
    if (!e.user_id.empty()) revoked.record(tx, e.user_id, e.status == "Disabled", at);
    if (e.entity_type != "Teacher" || e.entity_id.empty()) return;  // accounts of other kinds
    apply_account_state(tx, e.entity_id, e.user_id, e.status, at);
  });
}

}  // namespace

void add_account_handlers(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked) {
  follow<contracts::UserAccountCreated>(handlers, revoked);
  follow<contracts::UserActivated>(handlers, revoked);
  follow<contracts::UserDisabled>(handlers, revoked);
}

}  // namespace emis::teacher
