// The transactional outbox: an event is added inside the caller's database
// transaction, so it exists exactly when the state change it describes does.
// Adding wakes the relay once the transaction commits.
#pragma once

#include <functional>
#include <string>

#include "eventbus/envelope.hpp"
#include "store/transaction.hpp"

namespace emis::eventbus {

// The channel a commit that added outbox rows notifies (PostgreSQL), so that
// the relay wakes in whichever instance runs it.
inline constexpr const char* outbox_channel = "emis_outbox";

class Outbox {
 public:
  // `wake` is called after each commit that added events (the relay's notify).
  Outbox(PublishContext defaults, std::function<void()> wake)
      : defaults_(std::move(defaults)), wake_(std::move(wake)) {}

  template <IntegrationEvent E>
  std::string add(store::Transaction& tx, const E& event, const std::string& traceparent = {}) {
    auto context = defaults_;
    context.traceparent = traceparent;
    return add(tx, encode(event, context));
  }

  // Stores an encoded message; returns its event id.
  std::string add(store::Transaction& tx, const OutgoingMessage& message);

 private:
  PublishContext defaults_;
  std::function<void()> wake_;
};

}  // namespace emis::eventbus
