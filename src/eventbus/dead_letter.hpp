// Dead letters: a message that can never be handled is copied, same key,
// value and headers, to <topic>.dlq with headers that say where it came from
// and why it failed, so an operator can inspect and replay it.
#pragma once

#include <string>

#include "eventbus/envelope.hpp"

namespace emis::eventbus {

namespace dlq_header {
inline constexpr const char* original_topic = "dlq-original-topic";
inline constexpr const char* original_partition = "dlq-original-partition";
inline constexpr const char* original_offset = "dlq-original-offset";
inline constexpr const char* error_class = "dlq-error-class";
inline constexpr const char* error_message = "dlq-error-message";
inline constexpr const char* attempts = "dlq-attempts";
inline constexpr const char* consumer_group = "dlq-consumer-group";
inline constexpr const char* failed_at = "dlq-failed-at";
}  // namespace dlq_header

OutgoingMessage dead_letter(const RawMessage& raw, const std::string& group, const std::string& error_class,
                            const std::string& error_message, int attempts);

}  // namespace emis::eventbus
