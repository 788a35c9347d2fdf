// One teacher's story for the operator: every event of that teacher the
// console consumed (the teacher's own, keyed by its id, and Identity's whose
// entityId is the teacher), in time order with its trace id. Recorded by the
// console's own handlers as the events pass (CQRS), so finding a story never
// scans Kafka or reads another service's database.
#pragma once

#include <string>
#include <vector>

#include "eventbus/envelope.hpp"
#include "store/database.hpp"

namespace emis::console {

std::vector<store::Migration> event_story_migrations();

// Records `in` as an event of `teacher_id` (called inside the handler's transaction).
void record_story_event(store::Transaction& tx, const eventbus::IncomingEvent& in,
                        const std::string& teacher_id, const std::string& tenant_id);

struct StoryEvent {
  std::string occurred_on;
  std::string topic;
  int partition = 0;
  long long offset = 0;
  std::string key;
  std::string event_type;
  std::string event_id;
  std::string trace_id;
  std::string teacher_id;
};

struct Story {
  std::string teacher_id;  // empty when nothing matched
  std::vector<StoryEvent> events;
};

// The story of the teacher that `query` names: a teacher id, an event key
// (a teacher or user id) or a trace id (32 hex digits).
Story find_story(store::Database& db, const std::string& query);

}  // namespace emis::console
