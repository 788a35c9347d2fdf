#include "eventbus/kafka_config.hpp"

#include <stdexcept>

namespace emis::eventbus {

void set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string error;
  if (conf.set(name, value, error) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka property " + name + "=" + value + ": " + error);
}

namespace {

std::unique_ptr<RdKafka::Conf> base_config(const BusOptions& o) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set(*conf, "bootstrap.servers", o.bootstrap_servers);
  set(*conf, "client.id", o.client_id);
  set(*conf, "socket.nagle.disable", "true");
  // The broker's address is loopback or a LAN; fail over quickly when it restarts.
  set(*conf, "reconnect.backoff.ms", "50");
  set(*conf, "reconnect.backoff.max.ms", "1000");
  set(*conf, "log.connection.close", "false");
  return conf;
}

void apply_raw(RdKafka::Conf& conf, const BusOptions& o) {
  for (const auto& [name, value] : o.kafka_properties) set(conf, name, value);
}

}  // namespace

std::unique_ptr<RdKafka::Conf> producer_config(const BusOptions& o) {
  auto conf = base_config(o);
  set(*conf, "enable.idempotence", "true");  // implies acks=all and ordered retries
  set(*conf, "acks", "all");
  // One request in flight per broker. With more, librdkafka 2.0.2 can lose
  // events: when the first requests to a partition that has no state for
  // this producer id yet (a new topic, a restarted relay) fail with a
  // retriable error such as NOT_LEADER, the broker accepts a later one with a
  // higher sequence number, and librdkafka then reports the failed ones as
  // delivered ("implicitly acked"), with no offset. Seen with an
  // auto-created dead-letter topic. Messages still go out in batches: what
  // queues up while a request is in flight goes in the next one.
  set(*conf, "max.in.flight.requests.per.connection", "1");
  // No linger: the relay hands librdkafka a whole outbox batch at once, and
  // messages queue up by themselves while a request is in flight, so
  // lingering batched nothing more and only delayed every event (about 1 ms a
  // hop when idle: a quarter of the onboarding round trip).
  set(*conf, "linger.ms", "0");
  set(*conf, "message.timeout.ms", std::to_string(o.delivery_timeout.count()));
  set(*conf, "compression.type", "lz4");
  apply_raw(*conf, o);
  return conf;
}

std::unique_ptr<RdKafka::Conf> admin_config(const BusOptions& o) {
  auto conf = base_config(o);
  set(*conf, "client.id", o.client_id + "-admin");
  apply_raw(*conf, o);
  return conf;
}

std::unique_ptr<RdKafka::Conf> consumer_config(const BusOptions& o) {
  auto conf = base_config(o);
  set(*conf, "group.id", o.group_id);
  if (!o.instance_id.empty()) set(*conf, "group.instance.id", o.instance_id);
  set(*conf, "auto.offset.reset", "earliest");
  // Offsets are stored by the consumer only after the handler's transaction
  // commits; librdkafka then commits the stored offsets in the background,
  // on revoke and on close.
  set(*conf, "enable.auto.offset.store", "false");
  set(*conf, "enable.auto.commit", "true");
  set(*conf, "auto.commit.interval.ms", "500");
  // librdkafka 2.0.2's cooperative assignor has known bugs; stay eager.
  set(*conf, "partition.assignment.strategy", "range,roundrobin");
  set(*conf, "fetch.wait.max.ms", "10");
  set(*conf, "fetch.error.backoff.ms", "50");
  set(*conf, "session.timeout.ms", "10000");
  set(*conf, "heartbeat.interval.ms", "1000");
  set(*conf, "enable.partition.eof", "false");
  // A subscribed topic missing from the metadata a member joined with gets
  // into the assignment at the next refresh: seconds, not the default 5 min.
  set(*conf, "topic.metadata.refresh.interval.ms", "10000");
  apply_raw(*conf, o);
  return conf;
}

std::int64_t start_without_commit(const BusOptions& o) {
  // As librdkafka reads it, raw properties and synonyms included.
  std::string reset;
  if (consumer_config(o)->get("auto.offset.reset", reset) != RdKafka::Conf::CONF_OK) reset.clear();
  if (reset == "smallest") return RdKafka::Topic::OFFSET_BEGINNING;
  if (reset == "largest") return RdKafka::Topic::OFFSET_END;
  return RdKafka::Topic::OFFSET_INVALID;
}

}  // namespace emis::eventbus
