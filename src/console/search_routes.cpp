// GET /console/api/operator/messages: search one of the system's topics with
// fixed operators (search parameters below), reading at most `limit`
// messages; the answer says how many it read and whether it reached the end.
#include "console/message_search.hpp"
#include "console/operator_access.hpp"
#include "console/operator_routes.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::console {
namespace {

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 20000;
constexpr std::size_t kMaxShown = 100;
constexpr auto kScanTimeout = std::chrono::milliseconds(10000);

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw core::DomainError(core::ErrorKind::validation, "Invalid search", message, {{field, message}});
}

std::optional<std::string> param(const http::Request& request, const char* name) {
  auto v = request.query_param(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> time_param(const http::Request& request, const char* name) {
  const auto text = param(request, name);
  if (!text) return std::nullopt;
  const auto at = core::parse_iso8601(*text);
  if (!at) invalid(name, "A time is ISO-8601 UTC, e.g. 2026-12-01T09:30:00Z.");
  return core::unix_millis(*at);
}

std::size_t limit_of(const http::Request& request) {
  const auto text = param(request, "limit");
  if (!text) return kDefaultLimit;
  try {
    std::size_t used = 0;
    const auto n = std::stoll(*text, &used);
    if (used == text->size() && n >= 1 && static_cast<std::size_t>(n) <= kMaxLimit)
      return static_cast<std::size_t>(n);
  } catch (const std::exception&) {
  }
  invalid("limit", "The scan reads between 1 and 20000 messages.");
}

SearchFilter filter_of(const http::Request& request) {
  SearchFilter f;
  f.key_equals = param(request, "key");
  f.header_name = param(request, "headerName");
  f.header_value = param(request, "headerValue");
  if (f.header_value && !f.header_name) invalid("headerName", "Name the header whose value must match.");
  f.value_contains = param(request, "contains");
  f.from_ms = time_param(request, "from");
  f.to_ms = time_param(request, "to");
  if (f.from_ms && f.to_ms && *f.to_ms <= *f.from_ms)
    invalid("to", "The end of the time range is after its start.");
  return f;
}

}  // namespace

void add_search_routes(http::Server& server, const OperatorContext& ctx) {
  server.route(http::Method::get, "/console/api/operator/messages", [ctx](const http::Request& request) {
    require_operator(ctx.sessions, request);
    const auto name = param(request, "topic").value_or("");
    const auto filter = filter_of(request);
    const auto limit = limit_of(request);
    const auto topics = from_kafka([&] { return ctx.kafka.topics(kKafkaTimeout); });
    const auto topic =
        std::find_if(topics.begin(), topics.end(), [&](const auto& t) { return t.name == name; });
    if (topic == topics.end()) invalid("topic", "Choose one of the system's topics.");
    std::size_t matched = 0;
    const auto scan = from_kafka([&] {
      return ctx.kafka.scan(*topic, {limit, filter.from_ms, kScanTimeout}, [&](const KafkaRecord& r) {
        if (!matches(r, filter)) return false;
        return ++matched <= kMaxShown;
      });
    });
    auto items = nlohmann::json::array();
    for (const auto& r : scan.records) items.push_back(record_json(r));
    return http::Response::json(200, {{"topic", name},
                                      {"scanned", scan.scanned},
                                      {"inRange", scan.in_range},
                                      {"complete", scan.complete},
                                      {"limit", limit},
                                      {"matched", matched},
                                      {"items", items}})
        .with_header("Cache-Control", "no-store");
  });
}

}  // namespace emis::console
