// librdkafka configuration for producers and consumers, with the
// low-latency and safety defaults of the event bus; raw properties from the
// options override them.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "eventbus/options.hpp"

namespace emis::eventbus {

std::unique_ptr<RdKafka::Conf> producer_config(const BusOptions& options);
std::unique_ptr<RdKafka::Conf> consumer_config(const BusOptions& options);
// Connection settings only (and the raw properties): for admin requests.
std::unique_ptr<RdKafka::Conf> admin_config(const BusOptions& options);

// Sets one property or throws std::runtime_error naming it.
void set(RdKafka::Conf& conf, const std::string& name, const std::string& value);

}  // namespace emis::eventbus
