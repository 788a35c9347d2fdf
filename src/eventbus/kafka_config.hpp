// librdkafka configuration for producers and consumers, with the
// low-latency and safety defaults of the event bus; raw properties from the
// options override them.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <memory>

#include "eventbus/options.hpp"

namespace emis::eventbus {

std::unique_ptr<RdKafka::Conf> producer_config(const BusOptions& options);
std::unique_ptr<RdKafka::Conf> consumer_config(const BusOptions& options);
// Connection settings only (and the raw properties): for admin requests.
std::unique_ptr<RdKafka::Conf> admin_config(const BusOptions& options);

// Where the consumer starts a partition that has no committed offset: the
// beginning, as the contract's auto.offset.reset=earliest says, or where the
// raw properties move it; RdKafka::Topic::OFFSET_INVALID leaves it to
// librdkafka ("error"). Given to assign() explicitly because librdkafka 2.0.2
// takes a missing offset for an error and waits 100 ms before its own reset:
// the first events on a new topic were that much late.
std::int64_t start_without_commit(const BusOptions& options);

// Sets one property or throws std::runtime_error naming it.
void set(RdKafka::Conf& conf, const std::string& name, const std::string& value);

}  // namespace emis::eventbus
