#include "eventbus/event_type.hpp"

#include <algorithm>
#include <cctype>

namespace emis::eventbus {

std::string topic_name(std::string_view prefix, const EventType& type) {
  constexpr std::string_view suffix = "IntegrationEvent";
  std::string_view name = type.class_name;
  if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
    name.remove_suffix(suffix.size());
  std::string lowered(name);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return prefix.empty() ? lowered : std::string(prefix) + "." + lowered;
}

std::string TopicNaming::prefix_for(std::string_view domain) const {
  if (const auto it = domain_prefix.find(std::string(domain)); it != domain_prefix.end()) return it->second;
  if (!common_prefix.empty()) return common_prefix;
  return "emis." + std::string(domain);
}

std::string dead_letter_topic(std::string_view topic) { return std::string(topic) + ".dlq"; }

}  // namespace emis::eventbus
