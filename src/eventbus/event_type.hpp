// How an integration event is named on the wire. The topic is <prefix>.<name>,
// where name is the class name without its "IntegrationEvent" suffix,
// lowercased, and the prefix belongs to the publishing domain: by default
// "emis.<domain>", so TeacherCreatedIntegrationEvent of domain "teacher" is
// "emis.teacher.teachercreated".
#pragma once

#include <concepts>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace emis::eventbus {

struct EventType {
  std::string_view domain;      // the publishing service's part of the topic
  std::string_view class_name;  // the `event-type` header, e.g. TeacherCreatedIntegrationEvent
  int version = 1;              // the `event-version` header this code writes
};

std::string topic_name(std::string_view prefix, const EventType& type);

// The prefix of each domain's topics. `kafka_topic_prefix_<domain>` names one
// domain's; `kafka_topic_prefix` (EMIS_KAFKA_TOPIC_PREFIX) names every
// domain's, so services given the same value still find each other's topics
// (tests use that to isolate runs); without either it is "emis.<domain>".
struct TopicNaming {
  std::string common_prefix;                         // empty: per-domain defaults
  std::map<std::string, std::string> domain_prefix;  // overrides by domain

  std::string prefix_for(std::string_view domain) const;
  std::string topic(const EventType& type) const { return topic_name(prefix_for(type.domain), type); }
};
std::string dead_letter_topic(std::string_view topic);

// A typed integration event is declared once: its EventType, its key (the
// aggregate id, which fixes the partition and so the order), and its JSON
// mapping (camelCase fields, without the base fields id and occurredOn).
template <class E>
concept IntegrationEvent = requires(const E& e, const nlohmann::json& j) {
  { E::type } -> std::convertible_to<EventType>;
  { e.key() } -> std::convertible_to<std::string>;
  { e.to_json() } -> std::convertible_to<nlohmann::json>;
  { E::from_json(j) } -> std::same_as<E>;
};

}  // namespace emis::eventbus
