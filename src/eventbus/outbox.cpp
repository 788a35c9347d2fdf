#include "eventbus/outbox.hpp"

#include <nlohmann/json.hpp>

#include "core/clock.hpp"

namespace emis::eventbus {

std::string Outbox::add(store::Transaction& tx, const OutgoingMessage& m) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : m.headers) headers.push_back({name, value});
  const std::string header_text = headers.dump();
  const long long now = core::unix_millis(std::chrono::system_clock::now());
  std::string event_type;
  for (const auto& [name, value] : m.headers)
    if (name == header::event_type) event_type = value;
  const int null_key = m.null_key ? 1 : 0;
  long long seq = 0;
  tx.run(
      "INSERT INTO outbox (event_id, topic, event_key, null_key, event_type, value, headers, "
      "created_at_ms) VALUES (:id, :topic, :key, :null_key, :type, :value, :headers, :now) RETURNING seq",
      soci::use(m.event_id), soci::use(m.topic), soci::use(m.key), soci::use(null_key), soci::use(event_type),
      soci::use(m.value), soci::use(header_text), soci::use(now), soci::into(seq));
  tx.notify(outbox_channel);  // the relay may run in another instance
  if (committed_)
    tx.after_commit(
        [committed = committed_, event = CommittedEvent{seq, m}]() mutable { committed(std::move(event)); });
  return m.event_id;
}

}  // namespace emis::eventbus
