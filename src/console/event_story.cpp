#include "console/event_story.hpp"

#include "store/row.hpp"

namespace emis::console {
namespace {

// The trace id of a W3C traceparent (version-traceid-spanid-flags).
std::string trace_id_of(const std::string& traceparent) {
  if (traceparent.size() < 35 || traceparent[2] != '-') return {};
  return traceparent.substr(3, 32);
}

std::string teacher_of(soci::session& s, const char* column, const std::string& value) {
  std::string teacher;
  soci::indicator ind = soci::i_null;
  s << "SELECT teacher_id FROM console_story WHERE " << column << " = :v LIMIT 1", soci::use(value),
      soci::into(teacher, ind);
  return ind == soci::i_ok ? teacher : std::string{};
}

}  // namespace

std::vector<store::Migration> event_story_migrations() {
  return {{2,
           "console_story",
           {"CREATE TABLE console_story ("
            " event_id TEXT PRIMARY KEY,"
            " teacher_id TEXT NOT NULL,"
            " tenant_id TEXT NOT NULL,"
            " topic TEXT NOT NULL,"
            " partition_no INTEGER NOT NULL,"
            " offset_no BIGINT NOT NULL,"
            " event_key TEXT NOT NULL,"
            " event_type TEXT NOT NULL,"
            " occurred_on TEXT NOT NULL,"
            " trace_id TEXT NOT NULL)",
            "CREATE INDEX console_story_teacher ON console_story (teacher_id, occurred_on)",
            "CREATE INDEX console_story_key ON console_story (event_key)",
            "CREATE INDEX console_story_trace ON console_story (trace_id)"}}};
}

void record_story_event(store::Transaction& tx, const eventbus::IncomingEvent& in,
                        const std::string& teacher_id, const std::string& tenant_id) {
  const std::string topic = in.raw ? in.raw->topic : std::string{};
  const int partition = in.raw ? static_cast<int>(in.raw->partition) : 0;
  const long long offset = in.raw ? static_cast<long long>(in.raw->offset) : 0;
  const std::string key = in.raw ? in.raw->key.value_or("") : std::string{};
  const auto trace = trace_id_of(in.traceparent);
  tx.session()
      << "INSERT INTO console_story (event_id, teacher_id, tenant_id, topic, partition_no, offset_no,"
         " event_key, event_type, occurred_on, trace_id)"
         " VALUES (:id, :teacher, :tenant, :topic, :p, :o, :k, :type, :at, :trace)"
         " ON CONFLICT (event_id) DO NOTHING",
      soci::use(in.id), soci::use(teacher_id), soci::use(tenant_id), soci::use(topic), soci::use(partition),
      soci::use(offset), soci::use(key), soci::use(in.event_type), soci::use(in.occurred_on),
      soci::use(trace);
}

Story find_story(store::Database& db, const std::string& query) {
  return db.read([&](soci::session& s) {
    Story story;
    story.teacher_id = teacher_of(s, "teacher_id", query);
    if (story.teacher_id.empty()) story.teacher_id = teacher_of(s, "event_key", query);
    if (story.teacher_id.empty()) story.teacher_id = teacher_of(s, "trace_id", query);
    if (story.teacher_id.empty()) return story;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT occurred_on, topic, partition_no, offset_no, event_key, event_type, event_id,"
                      " trace_id, teacher_id FROM console_story WHERE teacher_id = :t"
                      " ORDER BY occurred_on, topic, offset_no",
         soci::use(story.teacher_id));
    for (const auto& r : rows)
      story.events.push_back({r.get<std::string>(0), r.get<std::string>(1),
                              static_cast<int>(store::int64_column(r, 2)), store::int64_column(r, 3),
                              r.get<std::string>(4), r.get<std::string>(5), r.get<std::string>(6),
                              r.get<std::string>(7), r.get<std::string>(8)});
    return story;
  });
}

}  // namespace emis::console
