// Hands one integration event to a service's handlers as its consumer would
// (encoded, decoded, resolved, run in a write transaction), as if it had
// happened `age` ago: for tests of order-tolerant event handlers.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/handler_registry.hpp"
#include "store/database.hpp"

namespace emis::testing {

template <class Event>
void deliver_event(store::Database& db, const eventbus::HandlerRegistry& handlers, const Event& event,
                   std::chrono::seconds age) {
  auto message = eventbus::encode(event, {});
  auto value = nlohmann::json::parse(message.value);
  value["occurredOn"] = core::to_iso8601(std::chrono::system_clock::now() - age);
  message.value = value.dump();
  eventbus::RawMessage raw{message.topic, 0, 0, message.key, message.value, message.headers, std::nullopt};
  auto incoming = eventbus::decode(raw);
  const auto& handler = handlers.resolve(incoming);
  db.write([&](store::Transaction& tx) { handler(tx, incoming); });
}

}  // namespace emis::testing
