#include "console/dead_letters.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "eventbus/dead_letter.hpp"
#include "eventbus/errors.hpp"
#include "eventbus/inbox.hpp"

namespace emis::console {
namespace {

constexpr std::string_view kDlqSuffix = ".dlq";
constexpr std::string_view kDlqHeaderPrefix = "dlq-";

template <class Int>
Int number_or(const std::optional<std::string>& text, Int fallback) {
  if (!text) return fallback;
  Int value{};
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  return ec == std::errc{} && ptr == end ? value : fallback;
}

eventbus::RawMessage as_consumed(const eventbus::OutgoingMessage& m) {
  eventbus::RawMessage raw;
  raw.topic = m.topic;
  if (!m.null_key) raw.key = m.key;
  raw.value = m.value;
  raw.headers = m.headers;
  return raw;
}

// The event id a value names, if it names one the consumer would read.
std::optional<std::string> readable_id(const eventbus::RawMessage& raw) {
  try {
    return eventbus::decode(raw).id;
  } catch (const eventbus::PermanentError&) {
    return std::nullopt;
  }
}

}  // namespace

bool is_dead_letter_topic(const std::string& topic) {
  return topic.size() > kDlqSuffix.size() && topic.ends_with(kDlqSuffix);
}

DeadLetter dead_letter_of(KafkaRecord record) {
  namespace h = eventbus::dlq_header;
  const auto& raw = record.raw;
  DeadLetter d;
  d.original_topic = raw.header(h::original_topic).value_or("");
  d.original_partition = number_or(raw.header(h::original_partition), -1);
  d.original_offset = number_or<std::int64_t>(raw.header(h::original_offset), -1);
  d.error_class = raw.header(h::error_class).value_or("");
  d.error_message = raw.header(h::error_message).value_or("");
  d.consumer_group = raw.header(h::consumer_group).value_or("");
  d.failed_at = raw.header(h::failed_at).value_or("");
  d.attempts = number_or(raw.header(h::attempts), 0);
  d.record = std::move(record);
  return d;
}

std::string replay_of(const DeadLetter& letter) {
  const auto& raw = letter.record.raw;
  return raw.topic + "/" + std::to_string(raw.partition) + "/" + std::to_string(raw.offset);
}

eventbus::OutgoingMessage replay_message(const DeadLetter& letter,
                                         const std::optional<std::string>& fixed_value) {
  const auto& raw = letter.record.raw;
  eventbus::OutgoingMessage m;
  m.topic = letter.original_topic;
  m.key = raw.key.value_or("");
  m.null_key = !raw.key;
  m.value = fixed_value.value_or(raw.value);
  for (const auto& [name, value] : raw.headers)
    if (!name.starts_with(kDlqHeaderPrefix) && name != eventbus::replay_of_header)
      m.headers.emplace_back(name, value);
  m.headers.emplace_back(eventbus::replay_of_header, replay_of(letter));
  if (const auto id = readable_id(as_consumed(m))) {
    m.event_id = *id;
    // A fixed copy stays self-consistent: its CloudEvents id is its event id.
    for (auto& [name, value] : m.headers)
      if (name == eventbus::header::ce_id) value = *id;
  }
  return m;
}

ReplayCheck check_replay(const DeadLetter& letter, const eventbus::OutgoingMessage& message) {
  ReplayCheck check;
  if (letter.original_topic.empty()) {
    check.error_class = "no-original-topic";
    check.problem = "The dead letter has no dlq-original-topic header: there is nowhere to replay it to.";
    return check;
  }
  const auto raw = as_consumed(message);
  try {
    const auto event = eventbus::decode(raw);
    check.event_id = event.id;
    check.event_type = event.event_type;
  } catch (const eventbus::PermanentError& e) {
    check.error_class = e.error_class();
    check.problem = e.what();
    return check;
  }
  const auto original = readable_id(letter.record.raw);
  if (original && *original != check.event_id) {
    check.error_class = "changed-id";
    check.problem = "A replay keeps the event's id " + *original + "; the copy names " + check.event_id + ".";
    return check;
  }
  check.decodes = true;
  return check;
}

std::vector<std::pair<std::string, std::vector<DeadLetter>>> by_error_class(std::vector<DeadLetter> letters) {
  std::map<std::string, std::vector<DeadLetter>> classes;
  for (auto& d : letters) classes[d.error_class.empty() ? "unknown" : d.error_class].push_back(std::move(d));
  std::vector<std::pair<std::string, std::vector<DeadLetter>>> out;
  for (auto& [name, group] : classes) {
    std::sort(group.begin(), group.end(), [](const DeadLetter& a, const DeadLetter& b) {
      const auto& x = a.record.raw;
      const auto& y = b.record.raw;
      return std::tie(x.topic, x.partition, x.offset) < std::tie(y.topic, y.partition, y.offset);
    });
    out.emplace_back(name, std::move(group));
  }
  return out;
}

}  // namespace emis::console
