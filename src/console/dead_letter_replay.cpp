#include "console/dead_letter_replay.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <memory>
#include <set>
#include <tuple>

namespace emis::console {
namespace {

Place place_of(const eventbus::RawMessage& raw) { return {raw.topic, raw.partition, raw.offset}; }

}  // namespace

DeadLetterReplayer::DeadLetterReplayer(const KafkaInspector& kafka, const ReplayLog& log,
                                       const eventbus::BusOptions& options, core::MetricsRegistry& metrics)
    : kafka_(kafka), log_(log), producer_(options, metrics) {}

ReplayItem DeadLetterReplayer::plan_one(const ReplayRequest& request) const {
  ReplayItem item{request, {}, {}, {}, {}, {}};
  item.request.read.reset();  // kept once, in item.letter
  const auto& at = request.dead_letter;
  if (!is_dead_letter_topic(at.topic) || !kafka_.is_system_topic(at.topic)) {
    item.skipped = at.topic + " is not a dead-letter topic of the system.";
    return item;
  }
  if (request.read) {
    item.letter = request.read;
  } else if (auto record = kafka_.read(at.topic, at.partition, at.offset, timeout)) {
    item.letter = dead_letter_of(std::move(*record));
  } else {
    item.skipped = "No dead letter at " + at.topic + "/" + std::to_string(at.partition) + "/" +
                   std::to_string(at.offset) + ".";
    return item;
  }
  const auto& target = item.letter->original_topic;
  if (!target.empty() && (!kafka_.is_system_topic(target) || is_dead_letter_topic(target))) {
    item.skipped = "Its original topic " + target + " is not one of the system's event topics.";
    return item;
  }
  item.message = replay_message(*item.letter, request.fixed_value);
  item.check = check_replay(*item.letter, item.message);
  const Place original{item.letter->original_topic, item.letter->original_partition,
                       item.letter->original_offset};
  if (const auto earlier = log_.delivered_replay_of(at, original))
    item.skipped = "Already replayed by " + earlier->operator_name + " at " + earlier->requested_at +
                   " (from " + earlier->dead_letter.topic + "/" +
                   std::to_string(earlier->dead_letter.partition) + "/" +
                   std::to_string(earlier->dead_letter.offset) + ").";
  else if (!item.check.decodes)
    item.skipped = "It would be dead-lettered again (" + item.check.error_class + "): " + item.check.problem;
  return item;
}

std::vector<ReplayItem> DeadLetterReplayer::plan(const std::vector<ReplayRequest>& requests) const {
  std::vector<ReplayItem> items;
  std::set<std::tuple<std::string, int, std::int64_t>> originals;
  for (const auto& request : requests) {
    auto item = plan_one(request);
    if (item.skipped.empty() && item.letter && item.letter->original_offset >= 0) {
      const auto& l = *item.letter;
      if (!originals.emplace(l.original_topic, l.original_partition, l.original_offset).second)
        item.skipped = "Another dead letter of the same message is replayed in this batch.";
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<ReplayItem> DeadLetterReplayer::replay(const std::vector<ReplayRequest>& requests,
                                                   const Operator& by) {
  std::lock_guard lock(mutex_);  // the log's "already replayed" check holds across the batch
  auto items = plan(requests);
  for (auto& item : items)
    if (item.skipped.empty()) send(item, by);
  return items;
}

void DeadLetterReplayer::send(ReplayItem& item, const Operator& by) {
  const auto& letter = *item.letter;
  ReplayEntry entry;
  entry.operator_id = by.user_id;
  entry.operator_name = by.name;
  entry.dead_letter = place_of(letter.record.raw);
  entry.original = {letter.original_topic, letter.original_partition, letter.original_offset};
  entry.consumer_group = letter.consumer_group;
  entry.error_class = letter.error_class;
  entry.event_id = item.check.event_id;
  entry.fixed = item.request.fixed_value.has_value();
  entry.value = item.message.value;
  entry = log_.begin(std::move(entry));

  // The report is recorded when it comes, even if that is after this request gave up waiting.
  auto report = std::make_shared<std::promise<eventbus::DeliveryReport>>();
  auto delivered = report->get_future();
  producer_.produce(item.message, [this, id = entry.id, report](const eventbus::DeliveryReport& r) {
    try {
      if (r.ok)
        log_.delivered(id, r.partition, r.offset);
      else
        log_.failed(id, r.error);
    } catch (const std::exception& e) {
      spdlog::error("replay {}: outcome not recorded: {}", id, e.what());
    }
    report->set_value(r);
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (delivered.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline)
    producer_.poll(std::chrono::milliseconds(50));
  if (delivered.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) {
    const auto r = delivered.get();
    entry.outcome = r.ok ? "delivered" : "failed";
    entry.delivered_partition = r.partition;
    entry.delivered_offset = r.offset;
    entry.error = r.error;
  }
  item.entry = entry;
}

}  // namespace emis::console
