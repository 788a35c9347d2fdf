// An event as it travels: the JSON value plus the headers of DESIGN.md
// ("Events on the wire"). Encoding and decoding live here and nowhere else.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eventbus/event_type.hpp"

namespace emis::eventbus {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Header names, shared by producer, consumer and dead-letter code.
namespace header {
inline constexpr const char* event_type = "event-type";
inline constexpr const char* timestamp = "timestamp";
inline constexpr const char* event_version = "event-version";
inline constexpr const char* content_type = "content-type";
inline constexpr const char* traceparent = "traceparent";
inline constexpr const char* ce_specversion = "ce_specversion";
inline constexpr const char* ce_id = "ce_id";
inline constexpr const char* ce_type = "ce_type";
inline constexpr const char* ce_source = "ce_source";
inline constexpr const char* ce_time = "ce_time";
}  // namespace header

// A message ready to produce: topic, key, value and every header.
struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  Headers headers;
  std::string event_id;
  // Produce a null key rather than "" (the dead letter of a message that had no key).
  bool null_key = false;
};

// A consumed message, as read from Kafka and before any interpretation.
struct RawMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
  Headers headers;
  // When the producer created the message (Kafka's CreateTime, in ms since
  // the epoch), or the broker appended it (LogAppendTime); absent if neither.
  std::optional<std::int64_t> timestamp_ms;

  std::optional<std::string> header(std::string_view name) const;  // the last one of that name
};

// A consumed message that decoded as an integration event.
struct IncomingEvent {
  std::string id;
  std::string event_type;  // class name
  int version = 1;
  std::string occurred_on;
  std::string traceparent;  // empty when the producer sent none
  nlohmann::json payload;   // the whole JSON value, base fields included
  const RawMessage* raw = nullptr;
};

struct PublishContext {
  TopicNaming naming;
  std::string source;       // ce_source, e.g. "/emis/teacher-service"
  std::string traceparent;  // of the request that caused the event; may be empty
};

// Builds the message for `payload` (the event's own fields): adds the base
// fields id and occurredOn, and the headers.
OutgoingMessage encode(const EventType& type, const std::string& key, nlohmann::json payload,
                       const PublishContext& context);

template <IntegrationEvent E>
OutgoingMessage encode(const E& event, const PublishContext& context) {
  return encode(E::type, event.key(), event.to_json(), context);
}

// Reads the event type (event-type, else ce_type mapped back through
// `type_for_topic`), version, id and JSON of a raw message. Throws
// PermanentError (eventbus/errors.hpp) when the message can never be an event.
IncomingEvent decode(const RawMessage& raw);

}  // namespace emis::eventbus
