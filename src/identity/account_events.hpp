// Publishing an account's lifecycle through the outbox, in the transaction
// that changed it. Each event speaks of one membership, so that the service
// owning its entity (a teacher, a parent) learns of its own.
#pragma once

#include "contracts/identity_events.hpp"
#include "eventbus/outbox.hpp"
#include "identity/user.hpp"

namespace emis::identity {

template <class Event>
void publish_account(store::Transaction& tx, eventbus::Outbox& outbox, const User& u, const Membership& m,
                     const std::string& traceparent) {
  Event event;
  event.user_id = u.id;
  event.tenant_id = m.tenant_id;
  event.entity_id = m.entity_id.value_or("");
  event.entity_type = m.entity_type.value_or("");
  event.status = u.status;
  outbox.add(tx, event, traceparent);
}

// One event per live membership of the account.
template <class Event>
void publish_account(store::Transaction& tx, eventbus::Outbox& outbox, const User& u,
                     const std::string& traceparent) {
  for (const auto& m : u.memberships) publish_account<Event>(tx, outbox, u, m, traceparent);
}

}  // namespace emis::identity
