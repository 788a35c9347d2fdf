// What every operator route shares: the Operator role check, Kafka errors as
// 503 problems, and a Kafka message as JSON.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "console/kafka_inspector.hpp"
#include "console/sessions.hpp"
#include "core/errors.hpp"
#include "http/message.hpp"

namespace emis::console {

inline constexpr auto kKafkaTimeout = std::chrono::milliseconds(3000);

// The session of an Operator (403 for anyone else); `write` also checks the CSRF token.
Session require_operator(const Sessions& sessions, const http::Request& request, bool write = false);

[[noreturn]] void throw_kafka_unavailable(const std::exception& e);

// Runs a Kafka call; its std::runtime_error becomes a transient (503) problem
// (a DomainError, e.g. from the database, keeps its own kind).
template <class Fn>
auto from_kafka(Fn&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const core::DomainError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw_kafka_unavailable(e);
  }
}

// {topic, partition, offset, timestamp, key, headers: [{name, value}], value}
nlohmann::json record_json(const KafkaRecord& record);

}  // namespace emis::console
