// The operator's dead letters (role Operator): every `<topic>.dlq` topic's
// messages with their dlq-* headers, grouped by error class; their replay
// (a dry run, or a confirmed replay of some or all); and the replay log with
// what the consumer made of each replay.
#include <spdlog/spdlog.h>

#include "console/operator_access.hpp"
#include "console/operator_routes.hpp"
#include "console/replay_outcome.hpp"
#include "core/errors.hpp"

namespace emis::console {
namespace {

constexpr std::size_t kLettersPerTopic = 500;
constexpr std::size_t kMaxBatch = 500;
constexpr int kLogLength = 50;
constexpr int kFollowed = 20;  // the latest replays whose consumer outcome is looked up

struct Listing {
  std::vector<std::string> topics;
  std::vector<DeadLetter> letters;
  std::size_t scanned = 0;
  bool complete = true;
};

Listing list_dead_letters(const KafkaInspector& kafka) {
  Listing out;
  for (const auto& t : kafka.topics(kKafkaTimeout)) {
    if (!is_dead_letter_topic(t.name)) continue;
    out.topics.push_back(t.name);
    auto scan = kafka.scan(t, {kLettersPerTopic, std::nullopt, kKafkaTimeout},
                           [](const KafkaRecord&) { return true; });
    out.scanned += scan.scanned;
    out.complete = out.complete && scan.complete;
    for (auto& r : scan.records) out.letters.push_back(dead_letter_of(std::move(r)));
  }
  return out;
}

nlohmann::json place_json(const Place& p) {
  return {{"topic", p.topic}, {"partition", p.partition}, {"offset", p.offset}};
}

nlohmann::json entry_json(const ReplayEntry& e) {
  return {{"id", e.id},
          {"requestedAt", e.requested_at},
          {"operatorId", e.operator_id},
          {"operatorName", e.operator_name},
          {"deadLetter", place_json(e.dead_letter)},
          {"original", place_json(e.original)},
          {"consumerGroup", e.consumer_group},
          {"errorClass", e.error_class},
          {"eventId", e.event_id},
          {"fixed", e.fixed},
          {"value", e.value},
          {"outcome", e.outcome},
          {"delivered", e.outcome == "delivered"
                            ? place_json({e.original.topic, e.delivered_partition, e.delivered_offset})
                            : nlohmann::json(nullptr)},
          {"error", e.error},
          {"finishedAt", e.finished_at}};
}

nlohmann::json letter_json(const DeadLetter& d, const ReplayLog& log) {
  auto j = record_json(d.record);
  j["originalTopic"] = d.original_topic;
  j["originalPartition"] = d.original_partition;
  j["originalOffset"] = d.original_offset;
  j["errorClass"] = d.error_class;
  j["errorMessage"] = d.error_message;
  j["consumerGroup"] = d.consumer_group;
  j["failedAt"] = d.failed_at;
  j["attempts"] = d.attempts;
  const auto& raw = d.record.raw;
  const auto replayed = log.delivered_replay_of({raw.topic, raw.partition, raw.offset},
                                                {d.original_topic, d.original_partition, d.original_offset});
  j["replayed"] = replayed ? entry_json(*replayed) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json item_json(const ReplayItem& item) {
  nlohmann::json j{{"deadLetter", place_json(item.request.dead_letter)},
                   {"fixed", item.request.fixed_value.has_value()},
                   {"decodes", item.check.decodes},
                   {"eventId", item.check.event_id},
                   {"eventType", item.check.event_type},
                   {"problem", item.check.problem},
                   {"skipped", item.skipped},
                   {"replay", item.entry ? entry_json(*item.entry) : nlohmann::json(nullptr)}};
  if (item.letter) {
    j["originalTopic"] = item.letter->original_topic;
    j["errorClass"] = item.letter->error_class;
    auto headers = nlohmann::json::array();
    for (const auto& [name, value] : item.message.headers)
      headers.push_back({{"name", name}, {"value", value}});
    j["message"] = {
        {"topic", item.message.topic},
        {"key", item.message.null_key ? nlohmann::json(nullptr) : nlohmann::json(item.message.key)},
        {"headers", headers},
        {"value", item.message.value}};
  }
  return j;
}

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw core::DomainError(core::ErrorKind::validation, "Invalid replay request", message, {{field, message}});
}

ReplayRequest request_of(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("topic") || !j["topic"].is_string() || !j.contains("partition") ||
      !j["partition"].is_number_integer() || !j.contains("offset") || !j["offset"].is_number_integer())
    invalid("items",
            "Each item names a dead letter: {topic, partition, offset} and optionally a fixed value.");
  ReplayRequest r{{j["topic"].get<std::string>(), j["partition"].get<int>(), j["offset"].get<std::int64_t>()},
                  {}};
  if (j.contains("value") && !j["value"].is_null()) {
    if (!j["value"].is_string()) invalid("value", "The fixed value is the message's text.");
    r.fixed_value = j["value"].get<std::string>();
  }
  return r;
}

// The dead letters a replay request names: its items, or with "all" every
// listed dead letter (of one error class and one topic when given).
std::vector<ReplayRequest> requests_of(const nlohmann::json& body, const KafkaInspector& kafka) {
  std::vector<ReplayRequest> out;
  if (body.value("all", false)) {
    const auto error_class = body.value("errorClass", std::string{});
    const auto topic = body.value("topic", std::string{});
    const auto listing = from_kafka([&] { return list_dead_letters(kafka); });
    for (const auto& d : listing.letters) {
      const auto& raw = d.record.raw;
      if ((error_class.empty() || d.error_class == error_class) && (topic.empty() || raw.topic == topic))
        out.push_back({{raw.topic, raw.partition, raw.offset}, {}, d});
    }
    return out;
  }
  const auto items = body.find("items");
  if (items == body.end() || !items->is_array() || items->empty())
    invalid("items", "Name the dead letters to replay, or ask for all.");
  if (items->size() > kMaxBatch) invalid("items", "At most 500 dead letters at once.");
  for (const auto& item : *items) out.push_back(request_of(item));
  return out;
}

}  // namespace

void add_dead_letter_routes(http::Server& server, const OperatorContext& ctx) {
  server.route(http::Method::get, "/console/api/operator/dead-letters", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    auto listing = from_kafka([&] { return list_dead_letters(ctx.kafka); });
    auto classes = nlohmann::json::array();
    for (const auto& [error_class, letters] : by_error_class(std::move(listing.letters))) {
      auto items = nlohmann::json::array();
      for (const auto& d : letters) items.push_back(letter_json(d, ctx.replay_log));
      classes.push_back({{"errorClass", error_class}, {"count", letters.size()}, {"letters", items}});
    }
    return http::Response::json(200, {{"topics", listing.topics},
                                      {"classes", classes},
                                      {"scanned", listing.scanned},
                                      {"complete", listing.complete}})
        .with_header("Cache-Control", "no-store");
  });

  server.route(
      http::Method::post, "/console/api/operator/dead-letters/replay", [ctx](const http::Request& request) {
        const auto session = require_operator(ctx.sessions, request, true);
        const auto body = request.json_object();
        const bool dry_run = body.value("dryRun", true);
        if (!dry_run && !body.value("confirm", false))
          invalid(
              "confirm",
              "A replay sends messages to the consumers: confirm it (confirm: true), or ask for a dry run.");
        const auto requests = requests_of(body, ctx.kafka);
        const auto items = from_kafka([&] {
          return dry_run ? ctx.replayer.plan(requests)
                         : ctx.replayer.replay(requests, {session.user_id, session.full_name});
        });
        auto out = nlohmann::json::array();
        std::size_t replayed = 0;
        for (const auto& item : items) {
          out.push_back(item_json(item));
          if (item.skipped.empty()) ++replayed;
        }
        if (!dry_run)
          spdlog::info("operator {} replayed {} of {} dead letter(s)", session.user_id, replayed,
                       items.size());
        return http::Response::json(200, {{"dryRun", dry_run},
                                          {"items", out},
                                          {dry_run ? "wouldReplay" : "replayed", replayed},
                                          {"skipped", items.size() - replayed}})
            .with_header("Cache-Control", "no-store");
      });

  server.route(http::Method::get, "/console/api/operator/replays", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    auto entries = ctx.replay_log.latest(kLogLength);
    std::vector<ReplayEntry> followed(entries.begin(),
                                      entries.begin() + std::min<std::ptrdiff_t>(kFollowed, entries.size()));
    std::vector<ReplayOutcome> outcomes;
    try {
      outcomes = replay_outcomes(ctx.kafka, followed);
    } catch (const std::exception& e) {
      spdlog::warn("replay outcomes: {}", e.what());  // the log is still worth showing
    }
    auto items = nlohmann::json::array();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto j = entry_json(entries[i]);
      if (i < outcomes.size()) j["consumer"] = {{"state", outcomes[i].state}, {"detail", outcomes[i].detail}};
      items.push_back(std::move(j));
    }
    return http::Response::json(200, {{"items", items}}).with_header("Cache-Control", "no-store");
  });
}

}  // namespace emis::console
