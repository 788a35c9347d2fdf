#include "console/replay_outcome.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "console/dead_letters.hpp"
#include "eventbus/event_type.hpp"

namespace emis::console {
namespace {

constexpr auto kTimeout = std::chrono::milliseconds(3000);
constexpr std::size_t kScanLimit = 2000;

bool delivered(const ReplayEntry& e) { return e.outcome == "delivered" && e.delivered_offset >= 0; }

// The dead letters in `dlq_topic` whose original place is one of the replays'.
std::map<std::tuple<std::string, int, std::int64_t, std::string>, DeadLetter> again_in(
    const KafkaInspector& kafka, const TopicOffsets& dlq_topic, const std::vector<ReplayEntry>& entries) {
  std::set<std::tuple<std::string, int, std::int64_t, std::string>> wanted;
  for (const auto& e : entries)
    if (delivered(e))
      wanted.emplace(e.original.topic, e.delivered_partition, e.delivered_offset, e.consumer_group);
  std::map<std::tuple<std::string, int, std::int64_t, std::string>, DeadLetter> found;
  kafka.scan(dlq_topic, {kScanLimit, std::nullopt, kTimeout}, [&](const KafkaRecord& r) {
    auto letter = dead_letter_of(r);
    const auto key = std::make_tuple(letter.original_topic, letter.original_partition, letter.original_offset,
                                     letter.consumer_group);
    if (wanted.contains(key)) found.emplace(key, std::move(letter));
    return false;
  });
  return found;
}

}  // namespace

std::vector<ReplayOutcome> replay_outcomes(const KafkaInspector& kafka,
                                           const std::vector<ReplayEntry>& entries) {
  std::vector<ReplayOutcome> out(entries.size(), ReplayOutcome{"unknown", {}});
  const auto topics = kafka.topics(kTimeout);
  std::map<std::tuple<std::string, int, std::int64_t, std::string>, DeadLetter> again;
  std::set<std::string> dlq_names;
  for (const auto& e : entries)
    if (delivered(e)) dlq_names.insert(eventbus::dead_letter_topic(e.original.topic));
  for (const auto& t : topics)
    if (dlq_names.contains(t.name)) again.merge(again_in(kafka, t, entries));
  // The committed offsets: one request per group, for every partition its replays went to.
  std::map<std::string, std::vector<TopicOffsets>> asked;
  for (const auto& e : entries) {
    if (!delivered(e) || e.consumer_group.empty()) continue;
    auto& topics_of_group = asked[e.consumer_group];
    auto topic = std::find_if(topics_of_group.begin(), topics_of_group.end(),
                              [&](const auto& t) { return t.name == e.original.topic; });
    if (topic == topics_of_group.end())
      topic = topics_of_group.insert(topics_of_group.end(), {e.original.topic, {}});
    auto part = std::find_if(topic->partitions.begin(), topic->partitions.end(),
                             [&](const auto& p) { return p.partition == e.delivered_partition; });
    if (part == topic->partitions.end()) part = topic->partitions.insert(part, {e.delivered_partition, 0, 0});
    part->high = std::max(part->high, e.delivered_offset + 1);
  }
  std::map<std::tuple<std::string, std::string, int>, std::int64_t> committed;
  for (const auto& [group, group_topics] : asked)
    for (const auto& l : kafka.lag(group, group_topics, kTimeout))
      committed[{group, l.topic, l.partition}] = l.committed;

  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (!delivered(e)) continue;
    const auto key =
        std::make_tuple(e.original.topic, e.delivered_partition, e.delivered_offset, e.consumer_group);
    if (const auto it = again.find(key); it != again.end()) {
      out[i] = {"dead-lettered-again", it->second.error_class + ": " + it->second.error_message};
      continue;
    }
    if (e.consumer_group.empty()) continue;
    const auto c = committed.find({e.consumer_group, e.original.topic, e.delivered_partition});
    out[i] = {c != committed.end() && c->second > e.delivered_offset ? "consumed" : "waiting", {}};
  }
  return out;
}

}  // namespace emis::console
