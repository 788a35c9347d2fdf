// Everything the event bus can be told, read from the service's config:
// kafka_bootstrap_servers, kafka_client_id, kafka_group_id, instance_id,
// kafka_topic_prefix[_<domain>], kafka_properties (raw librdkafka settings, passed
// through last so they win), and the retry, backoff and outbox settings.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "core/config.hpp"
#include "eventbus/event_type.hpp"

namespace emis::eventbus {

struct BusOptions {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::string client_id = "emis";
  std::string group_id;  // consumers only
  // Static group membership (group.instance.id): unique per instance of a
  // service and stable across its restarts, so that a restarted instance
  // gets its partitions back at once instead of after a rebalance. Empty:
  // dynamic membership.
  std::string instance_id;
  TopicNaming topics;
  std::string source = "/emis";  // ce_source of what this service publishes
  std::map<std::string, std::string> kafka_properties;

  // Consumer failure policy.
  std::chrono::milliseconds retry_initial_backoff{100};
  std::chrono::milliseconds retry_max_backoff{30000};
  int unclassified_max_attempts = 10;  // then dead-lettered; transient errors never are
  bool dead_letter_enabled = true;
  // Events handled in one transaction: what one poll has ready, up to this many.
  int consumer_batch_size = 500;
  // Inbox entries are kept longer than Kafka keeps committed offsets
  // (offsets.retention.minutes, 7 days by default), so an event the group
  // could still be given again is still recognised.
  std::chrono::hours inbox_retention{24 * 8};
  // Expired inbox and outbox rows (and a consumer's retention tasks' records)
  // are deleted at most this many of each per transaction, between the
  // consumer's polls and the relay's rounds: at thousands of events a second
  // a day's rows are millions, which one statement would delete while
  // holding SQLite's writer (and the consumer) for many seconds.
  int retention_batch = 10'000;
  // An assigned partition whose position has not moved for this long while
  // events wait in it has its fetch restarted (see stall_watch.hpp). It is
  // checked with the lag, every 5 s.
  std::chrono::milliseconds stall_patience{15000};

  // Outbox relay.
  std::chrono::milliseconds relay_idle_poll{1000};  // safety net; commits wake it at once
  std::chrono::milliseconds relay_max_backoff{10000};
  std::chrono::milliseconds delivery_timeout{30000};  // librdkafka message.timeout.ms
  std::chrono::hours outbox_retention{24 * 7};
  int relay_batch_size = 500;

  static BusOptions from(const core::Config& config, const std::string& service_name);
};

}  // namespace emis::eventbus
