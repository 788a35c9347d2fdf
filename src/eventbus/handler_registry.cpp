#include "eventbus/handler_registry.hpp"

#include "eventbus/errors.hpp"

namespace emis::eventbus {

void HandlerRegistry::add(const EventType& type, std::set<int> versions, RawHandler handler) {
  const std::string class_name(type.class_name);
  const auto topic = naming_.topic(type);
  by_class_[class_name] = Entry{topic, std::move(versions), std::move(handler)};
  class_by_topic_[topic] = class_name;
}

void HandlerRegistry::upcast(const std::string& class_name, int from, Upcaster upcaster) {
  upcasters_[{class_name, from}] = std::move(upcaster);
}

std::vector<std::string> HandlerRegistry::topics() const {
  std::vector<std::string> out;
  for (const auto& [topic, _] : class_by_topic_) out.push_back(topic);
  return out;
}

const RawHandler& HandlerRegistry::resolve(IncomingEvent& event) const {
  auto entry = by_class_.find(event.event_type);
  if (entry == by_class_.end()) {
    // Producers that only speak CloudEvents name the type by its topic.
    if (const auto by_topic = class_by_topic_.find(event.event_type); by_topic != class_by_topic_.end()) {
      event.event_type = by_topic->second;
      entry = by_class_.find(event.event_type);
    }
  }
  if (entry == by_class_.end())
    throw PermanentError("unknown-type", "no handler for event type " + event.event_type);
  const auto& accepted = entry->second.versions;
  while (!accepted.count(event.version)) {
    const auto up = upcasters_.find({event.event_type, event.version});
    if (up == upcasters_.end())
      throw PermanentError("unsupported-version", event.event_type + " version " +
                                                      std::to_string(event.version) + " is not supported");
    event.payload = up->second(std::move(event.payload));
    ++event.version;
  }
  return entry->second.handler;
}

}  // namespace emis::eventbus
