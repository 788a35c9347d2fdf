// Publishing an account's lifecycle through the outbox, in the transaction
// that changed it.
#pragma once

#include "contracts/identity_events.hpp"
#include "eventbus/outbox.hpp"
#include "identity/user.hpp"

namespace emis::identity {

template <class Event>
void publish_account(store::Transaction& tx, eventbus::Outbox& outbox, const User& u,
                     const std::string& traceparent) {
  Event event;
  event.user_id = u.id;
  event.tenant_id = u.tenant_id;
  event.entity_id = u.entity_id.value_or("");
  event.entity_type = u.entity_type.value_or("");
  event.status = u.status;
  outbox.add(tx, event, traceparent);
}

}  // namespace emis::identity
