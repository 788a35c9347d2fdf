#include "console/operator_access.hpp"

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace emis::console {

Session require_operator(const Sessions& sessions, const http::Request& request, bool write) {
  auto session = write ? sessions.require_write(request) : sessions.require(request);
  if (!session.has_role("Operator")) core::throw_forbidden("The event flow needs the Operator role.");
  return session;
}

void throw_kafka_unavailable(const std::exception& e) {
  throw core::DomainError(core::ErrorKind::transient, "Kafka unavailable", e.what());
}

nlohmann::json record_json(const KafkaRecord& record) {
  const auto& raw = record.raw;
  auto headers = nlohmann::json::array();
  for (const auto& [name, value] : raw.headers) headers.push_back({{"name", name}, {"value", value}});
  const auto at = record.timestamp_ms < 0 ? nlohmann::json(nullptr)
                                          : nlohmann::json(core::to_iso8601(core::SystemTime(
                                                std::chrono::milliseconds(record.timestamp_ms))));
  return {{"topic", raw.topic},
          {"partition", raw.partition},
          {"offset", raw.offset},
          {"timestamp", at},
          {"key", raw.key ? nlohmann::json(*raw.key) : nlohmann::json(nullptr)},
          {"headers", headers},
          {"value", raw.value}};
}

}  // namespace emis::console
