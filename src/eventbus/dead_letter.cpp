#include "eventbus/dead_letter.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace emis::eventbus {

OutgoingMessage dead_letter(const RawMessage& raw, const std::string& group, const std::string& error_class,
                            const std::string& error_message, int attempts) {
  OutgoingMessage m;
  m.topic = dead_letter_topic(raw.topic);
  // Its own id in the outbox: the same event may be dead-lettered again after a replay.
  m.event_id = core::new_uuid();
  m.key = raw.key.value_or("");
  m.null_key = !raw.key;  // fix: a null key came back as "" (DESIGN.md: same key)
  m.value = raw.value;
  m.headers = raw.headers;
  m.headers.emplace_back(dlq_header::original_topic, raw.topic);
  m.headers.emplace_back(dlq_header::original_partition, std::to_string(raw.partition));
  m.headers.emplace_back(dlq_header::original_offset, std::to_string(raw.offset));
  m.headers.emplace_back(dlq_header::error_class, error_class);
  m.headers.emplace_back(dlq_header::error_message, error_message.substr(0, 1000));
  m.headers.emplace_back(dlq_header::attempts, std::to_string(attempts));
  m.headers.emplace_back(dlq_header::consumer_group, group);
  m.headers.emplace_back(dlq_header::failed_at, core::now_iso8601());
  return m;
}

}  // namespace emis::eventbus
