#include "eventbus/envelope.hpp"

#include <charconv>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "eventbus/errors.hpp"

namespace emis::eventbus {

std::optional<std::string> RawMessage::header(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

OutgoingMessage encode(const EventType& type, const std::string& key, nlohmann::json payload,
                       const PublishContext& context) {
  const auto now = std::chrono::system_clock::now();
  const std::string id = core::new_uuid();
  const std::string occurred_on = core::to_iso8601(now);
  payload["id"] = id;
  payload["occurredOn"] = occurred_on;

  OutgoingMessage m;
  m.topic = context.naming.topic(type);
  m.key = key;
  m.value = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  m.event_id = id;
  m.headers = {
      {header::event_type, std::string(type.class_name)},
      {header::timestamp, std::to_string(core::unix_millis(now))},
      {header::event_version, std::to_string(type.version)},
      {header::content_type, "application/json"},
      {header::ce_specversion, "1.0"},
      {header::ce_id, id},
      {header::ce_type, m.topic},
      {header::ce_source, context.source},
      {header::ce_time, occurred_on},
  };
  if (!context.traceparent.empty()) m.headers.emplace_back(header::traceparent, context.traceparent);
  return m;
}

namespace {

int parse_version(const std::optional<std::string>& text) {
  if (!text) return 1;  // events from before versioning are version 1
  int v = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc{} || ptr != end || v < 1)
    throw PermanentError("unsupported-version",
                         "event-version header '" + *text + "' is not a positive integer");
  return v;
}

}  // namespace

IncomingEvent decode(const RawMessage& raw) {
  IncomingEvent e;
  e.raw = &raw;
  if (auto type = raw.header(header::event_type); type && !type->empty()) {
    e.event_type = *type;
  } else if (auto ce_type = raw.header(header::ce_type); ce_type && !ce_type->empty()) {
    // ce_type is the topic name; the consumer maps it back to a class name.
    e.event_type = *ce_type;
  } else {
    throw PermanentError("unknown-type", "message has neither an event-type nor a ce_type header");
  }
  e.version = parse_version(raw.header(header::event_version));
  e.traceparent = raw.header(header::traceparent).value_or("");

  e.payload = nlohmann::json::parse(raw.value, nullptr, /*allow_exceptions=*/false);
  if (e.payload.is_discarded()) throw PermanentError("malformed", "value is not valid JSON");
  if (!e.payload.is_object()) throw PermanentError("malformed", "value is not a JSON object");
  const auto id = e.payload.find("id");
  if (id == e.payload.end() || !id->is_string() || !core::is_uuid(id->get<std::string>()))
    throw PermanentError("malformed", "value has no UUID field 'id'");
  e.id = id->get<std::string>();
  if (const auto occurred = e.payload.find("occurredOn");
      occurred != e.payload.end() && occurred->is_string())
    e.occurred_on = occurred->get<std::string>();
  return e;
}

}  // namespace emis::eventbus
