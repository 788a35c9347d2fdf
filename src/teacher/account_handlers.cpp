#include "teacher/account_handlers.hpp"

#include "contracts/identity_events.hpp"
#include "teacher/teacher_store.hpp"

namespace emis::teacher {
namespace {

template <class Event>
void follow(eventbus::HandlerRegistry& handlers) {
  handlers.on<Event>([](store::Transaction& tx, const Event& e, const eventbus::IncomingEvent&) {
    if (e.entity_type != "Teacher" || e.entity_id.empty()) return;  // accounts of other kinds
    apply_account_state(tx, e.entity_id, e.user_id, e.status);
  });
}

}  // namespace

void add_account_handlers(eventbus::HandlerRegistry& handlers) {
  follow<contracts::UserAccountCreated>(handlers);
  follow<contracts::UserActivated>(handlers);
  follow<contracts::UserDisabled>(handlers);
}

}  // namespace emis::teacher
