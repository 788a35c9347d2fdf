#include "teacher/account_handlers.hpp"

#include "contracts/identity_events.hpp"
#include "core/clock.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

// When Identity made the change: the event's occurredOn, or now for an event
// without a readable one (then it counts as the latest).
std::int64_t changed_at_ms(const eventbus::IncomingEvent& in) {
  const auto at = core::parse_iso8601(in.occurred_on);
  return core::unix_millis(at.value_or(std::chrono::system_clock::now()));
}

template <class Event>
void follow(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked) {
  handlers.on<Event>([&revoked](store::Transaction& tx, const Event& e, const eventbus::IncomingEvent& in) {
    const auto at = changed_at_ms(in);
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
