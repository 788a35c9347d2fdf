// The event the bus benchmarks publish and consume: an id (also the key) and
// padding that brings the encoded value to the size a run asks for.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/ids.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/event_type.hpp"

namespace emis::bench {

struct BenchEvent {
  static constexpr eventbus::EventType type{"bench", "BenchPingIntegrationEvent", 1};
  std::string id;
  std::string padding;
  std::string key() const { return id; }
  nlohmann::json to_json() const { return {{"benchId", id}, {"padding", padding}}; }
  static BenchEvent from_json(const nlohmann::json& j) { return {j.at("benchId"), {}}; }
};

// Padding so that the JSON value (with id and occurredOn) is about `size` bytes.
inline std::string padding_for(std::size_t size) {
  const auto base = eventbus::encode(BenchEvent{core::new_uuid(), ""}, {}).value.size();
  return std::string(size > base ? size - base : 0, 'x');
}

}  // namespace emis::bench
