// The transactional outbox: an event is added inside the caller's database
// transaction, so it exists exactly when the state change it describes does.
// Once the transaction commits, each event it added is handed to the relay
// with its sequence number, which wakes it (and spares it reading the row back).
#pragma once

#include <functional>
#include <string>

#include "eventbus/envelope.hpp"
#include "store/transaction.hpp"

namespace emis::eventbus {

// The channel a commit that added outbox rows notifies (PostgreSQL), so that
// the relay wakes in whichever instance runs it.
inline constexpr const char* outbox_channel = "emis_outbox";

// An event whose transaction has committed, as stored in the outbox.
struct CommittedEvent {
  long long seq = 0;
  OutgoingMessage message;
};

class Outbox {
 public:
  // Called after each commit, once per event it added (the relay's handoff).
  using Committed = std::function<void(CommittedEvent)>;

  Outbox(PublishContext defaults, Committed committed)
      : defaults_(std::move(defaults)), committed_(std::move(committed)) {}

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
  Committed committed_;
};

}  // namespace emis::eventbus
