// The floor under the onboarding latency: a plain librdkafka produce ->
// consume round trip through the broker, one message at a time, with the
// event bus's client settings (idempotent producer, acks=all, the same
// linger, fetch wait and compression) but no database, outbox or HTTP.
// bench/onboarding_latency.py runs it against the same broker in the same run
// and compares. Prints one JSON object: round trip (produce call -> message
// consumed) and acknowledgement (produce call -> delivery report) times.
// --partitions, --idle-topics and --group give the consumer a service's
// shape (several topics and partitions, a consumer group) to tell whether
// that shape slows a round trip; on one broker it does not (about 1 ms p50
// either way).
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eventbus/kafka_config.hpp"
#include "eventbus/topic_admin.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
template <class T>
using Owned = std::unique_ptr<T, ClientDeleter>;

Owned<rd_kafka_t> make_client(rd_kafka_type_t type, RdKafka::Conf& conf) {
  char error[512];
  rd_kafka_conf_t* raw = rd_kafka_conf_dup(conf.c_ptr_global());
  if (type == RD_KAFKA_PRODUCER)
    // Each message carries the slot its acknowledgement time goes into.
    rd_kafka_conf_set_dr_msg_cb(raw, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
      if (!m->err) *static_cast<std::optional<Clock::time_point>*>(m->_private) = Clock::now();
    });
  Owned<rd_kafka_t> rk(rd_kafka_new(type, raw, error, sizeof(error)));
  if (!rk) throw std::runtime_error(error);
  return rk;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest rank, as bench/onboarding_latency.py computes it.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

nlohmann::json summary(const std::vector<double>& v) {
  const auto round2 = [](double x) { return std::round(x * 100.0) / 100.0; };
  return {{"p50_ms", round2(percentile(v, 50))},
          {"p90_ms", round2(percentile(v, 90))},
          {"p99_ms", round2(percentile(v, 99))},
          {"max_ms", round2(*std::max_element(v.begin(), v.end()))},
          {"min_ms", round2(*std::min_element(v.begin(), v.end()))}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plain Kafka produce -> consume round trip"};
  emis::eventbus::BusOptions options;
  std::size_t count = 200, warmup = 20, size = 600;
  int partitions_n = 1, idle_topics = 0;
  bool group = false;
  std::string topic_prefix = "floor";
  app.add_option("--bootstrap", options.bootstrap_servers);
  app.add_option("--count", count, "measured messages");
  app.add_option("--warmup", warmup, "messages sent first, not counted");
  app.add_option("--size", size, "value bytes (an onboarding event is about 600)");
  app.add_option("--topic-prefix", topic_prefix);
  app.add_flag("--group", group, "subscribe in a consumer group instead of assigning");
  app.add_option("--idle-topics", idle_topics, "more topics the consumer fetches, never written");
  app.add_option("--partitions", partitions_n, "partitions the consumer fetches (messages go to the first)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  options.client_id = "kafka-round-trip";
  options.group_id = topic_prefix + ".round-trip";  // required by the consumer config; no group is joined
  const std::string topic = topic_prefix + ".round-trip";
  std::vector<emis::eventbus::TopicSpec> wanted{{topic, partitions_n}};
  for (int t = 0; t < idle_topics; ++t) wanted.push_back({topic + ".idle" + std::to_string(t), partitions_n});
  if (!emis::eventbus::ensure_topics(options, wanted, std::chrono::seconds(30))) {
    std::cerr << "cannot create topic " << topic << "\n";
    return 1;
  }

  std::optional<Clock::time_point> acknowledged;
  auto producer = make_client(RD_KAFKA_PRODUCER, *emis::eventbus::producer_config(options));
  emis::eventbus::prefetch_topic_metadata(producer.get(), {topic}, std::chrono::seconds(10));
  auto consumer = make_client(RD_KAFKA_CONSUMER, *emis::eventbus::consumer_config(options));
  rd_kafka_poll_set_consumer(consumer.get());
  // Assigned directly (no group join) at the current end, looked up before
  // the first message is sent: only what this run sends is read.
  Owned<rd_kafka_topic_partition_list_t> partitions(rd_kafka_topic_partition_list_new(partitions_n));
  for (const auto& spec : wanted)
    for (int p = 0; p < spec.partitions; ++p) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(consumer.get(), spec.name.c_str(), p, &low, &high, 10000)) {
        std::cerr << "cannot read the end offset of " << spec.name << "\n";
        return 1;
      }
      rd_kafka_topic_partition_list_add(partitions.get(), spec.name.c_str(), p)->offset = high;
    }
  if (group) {
    Owned<rd_kafka_topic_partition_list_t> topics(rd_kafka_topic_partition_list_new(1));
    for (const auto& spec : wanted)
      rd_kafka_topic_partition_list_add(topics.get(), spec.name.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(consumer.get(), topics.get());
    for (int i = 0; i < 200; ++i) {
      Owned<rd_kafka_message_t> m(rd_kafka_consumer_poll(consumer.get(), 50));
      rd_kafka_topic_partition_list_t* assigned = nullptr;
      rd_kafka_assignment(consumer.get(), &assigned);
      const bool done = assigned && assigned->cnt > 0;
      if (assigned) rd_kafka_topic_partition_list_destroy(assigned);
      if (done) break;
    }
  } else if (rd_kafka_assign(consumer.get(), partitions.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::cerr << "cannot assign " << topic << "\n";
    return 1;
  }

  std::vector<double> round_trips, acks;
  const std::string padding(size, 'x');
  const std::string run =
      std::to_string(Clock::now().time_since_epoch().count());  // tells this run's messages from earlier ones
  for (std::size_t i = 0; i < warmup + count; ++i) {
    const std::string value = std::to_string(i) + ":" + run + padding;
    acknowledged.reset();
    const auto sent = Clock::now();
    const auto err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                       RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_KEY(value.data(), value.find(':')),
                                       RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_OPAQUE(&acknowledged), RD_KAFKA_V_END);
    if (err) {
      std::cerr << "produce: " << rd_kafka_err2str(err) << "\n";
      return 1;
    }
    std::optional<Clock::time_point> received;
    // The first message may wait for the consumer's initial offset lookup.
    const auto deadline = sent + std::chrono::seconds(i < warmup ? 30 : 10);
    while (!received || !acknowledged) {
      if (Clock::now() > deadline) {
        std::cerr << "message " << i << " not " << (received ? "acknowledged" : "consumed") << " in time\n";
        return 1;
      }
      rd_kafka_poll(producer.get(), 0);
      if (received) continue;
      Owned<rd_kafka_message_t> m(rd_kafka_consumer_poll(consumer.get(), 1));
      if (m && !m->err && m->len == value.size() &&
          std::string_view(static_cast<const char*>(m->payload), m->len) == value)
        received = Clock::now();
    }
    if (i >= warmup) {
      round_trips.push_back(ms(*received - sent));
      acks.push_back(ms(*acknowledged - sent));
    }
  }
  rd_kafka_consumer_close(consumer.get());

  std::cout << nlohmann::json{{"topic", topic},
                              {"count", count},
                              {"warmup", warmup},
                              {"value_bytes", size},
                              {"produce_to_consume", summary(round_trips)},
                              {"produce_to_ack", summary(acks)}}
                   .dump()
            << "\n";
  return 0;
}
