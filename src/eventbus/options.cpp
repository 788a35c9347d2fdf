#include "eventbus/options.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace emis::eventbus {

namespace {

// A count of rows or events a loop takes at a time: with none, a consumer
// would never poll and pruning would go round without deleting.
int batch_size(const core::Config& config, const std::string& key, int fallback) {
  const auto n = config.integer(key, fallback);
  if (n < 1 || n > std::numeric_limits<int>::max())
    throw std::runtime_error("config key " + key + " must be a whole number from 1 to " +
                             std::to_string(std::numeric_limits<int>::max()));
  return static_cast<int>(n);
}

}  // namespace

BusOptions BusOptions::from(const core::Config& config, const std::string& service_name) {
  BusOptions o;
  o.bootstrap_servers = config.string("kafka_bootstrap_servers", o.bootstrap_servers);
  o.client_id = config.string("kafka_client_id", service_name);
  o.group_id = config.string("kafka_group_id", service_name + "-consumer");
  o.instance_id = config.string("instance_id", "");
  o.topics.common_prefix = config.string("kafka_topic_prefix", "");
  constexpr std::string_view domain_key = "kafka_topic_prefix_";
  for (auto it = config.values().cbegin(); it != config.values().cend(); ++it)
    if (it.key().rfind(domain_key, 0) == 0 && it->is_string())
      o.topics.domain_prefix[it.key().substr(domain_key.size())] = it->get<std::string>();
  o.source = "/emis/" + service_name;
  const nlohmann::json properties = config.object("kafka_properties");
  for (auto it = properties.cbegin(); it != properties.cend(); ++it)
    o.kafka_properties[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  o.retry_initial_backoff = std::chrono::milliseconds(config.integer("retry_initial_backoff_ms", 100));
  o.retry_max_backoff = std::chrono::milliseconds(config.integer("retry_max_backoff_ms", 30000));
  o.unclassified_max_attempts = static_cast<int>(config.integer("retry_unclassified_max_attempts", 10));
  o.dead_letter_enabled = config.boolean("dead_letter_enabled", true);
  o.consumer_batch_size = batch_size(config, "consumer_batch_size", o.consumer_batch_size);
  o.inbox_retention = std::chrono::hours(config.integer("inbox_retention_hours", 24 * 8));
  o.stall_patience = std::chrono::milliseconds(config.integer("consumer_stall_patience_ms", 15000));
  o.relay_idle_poll = std::chrono::milliseconds(config.integer("outbox_idle_poll_ms", 1000));
  o.delivery_timeout = std::chrono::milliseconds(config.integer("kafka_delivery_timeout_ms", 30000));
  o.outbox_retention = std::chrono::hours(config.integer("outbox_retention_hours", 24 * 7));
  o.retention_batch = batch_size(config, "retention_batch", o.retention_batch);
  return o;
}

}  // namespace emis::eventbus
