#include "eventbus/topic_admin.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "eventbus/kafka_config.hpp"

namespace emis::eventbus {
namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
template <class T>
using Owned = std::unique_ptr<T, KafkaDeleter>;

// Waits until the leader of each of `partitions` answers for it. A broker
// lists itself as leader of a partition created a moment ago shortly before
// it serves the partition; a consumer whose first offset query falls in that
// window gets NOT_LEADER and librdkafka 2.0.2 asks again only after a fixed
// 500 ms, so the first event on that partition waited half a second.
// Listing each partition's start offset is the request a consumer makes for
// a partition with nothing committed, so its success means the consumer's
// will succeed. librdkafka answers per partition only when the whole request
// succeeds, so every partition is asked until it does.
bool await_partitions_served(rd_kafka_t* client, rd_kafka_topic_partition_list_t& partitions,
                             std::chrono::steady_clock::time_point deadline) {
  if (partitions.cnt == 0) return true;
  for (;;) {
    for (int i = 0; i < partitions.cnt; ++i) partitions.elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto err = rd_kafka_offsets_for_times(client, &partitions,
                                          static_cast<int>(std::max<long long>(left.count(), 1)));
    for (int i = 0; i < partitions.cnt && err == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
      err = partitions.elems[i].err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    if (std::chrono::steady_clock::now() + std::chrono::milliseconds(20) >= deadline) {
      spdlog::warn("partitions not served yet: {}", rd_kafka_err2str(err));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // leadership takes milliseconds
  }
}

}  // namespace

bool ensure_topics(const BusOptions& options, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout) {
  if (topics.empty()) return true;
  char error[512];
  // The bus's connection settings, raw properties included (security,
  // timeouts), so the admin client reaches the broker the way the bus does.
  const auto base = admin_config(options);
  rd_kafka_conf_t* conf = rd_kafka_conf_dup(base->c_ptr_global());
  Owned<rd_kafka_t> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("kafka admin client: ") + error);
  }
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const auto& t : topics)
    new_topics.push_back(
        rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication, error, sizeof(error)));
  Owned<rd_kafka_AdminOptions_t> admin_options(
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), static_cast<int>(timeout.count()), error,
                                            sizeof(error));
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk.get()));
  rd_kafka_CreateTopics(rk.get(), new_topics.data(), new_topics.size(), admin_options.get(), queue.get());
  rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());

  Owned<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  if (!event || rd_kafka_event_error(event.get())) {
    spdlog::warn("creating topics: {}", event ? rd_kafka_event_error_string(event.get()) : "timed out");
    return false;
  }
  std::size_t count = 0;
  const auto* result = rd_kafka_event_CreateTopics_result(event.get());
  const auto** results = rd_kafka_CreateTopics_result_topics(result, &count);
  bool ok = true;
  for (std::size_t i = 0; i < count; ++i) {
    const auto err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::info("created topic {}", rd_kafka_topic_result_name(results[i]));
    } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      spdlog::warn("creating topic {}: {}", rd_kafka_topic_result_name(results[i]),
                   rd_kafka_topic_result_error_string(results[i]));
      ok = false;
    }
  }
  return ok;
}

bool prefetch_topic_metadata(rd_kafka_t* client, const std::vector<std::string>& topics,
                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = true;
  // The partitions found with a leader. One without (its broker away) is
  // not waited for: librdkafka would not look its leader up again meanwhile.
  Owned<rd_kafka_topic_partition_list_t> led(rd_kafka_topic_partition_list_new(0));
  for (const auto& name : topics) {
    // The handle makes the topic known to the client; the metadata request
    // for it fills in its partitions and leaders (and the metadata cache,
    // which a later handle for the same name is created from).
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> topic(
        rd_kafka_topic_new(client, name.c_str(), nullptr), &rd_kafka_topic_destroy);
    if (!topic) {
      ok = false;
      continue;
    }
    // A topic created a moment ago may not be in every broker's metadata
    // yet: a consumer joining with such metadata leaves the topic out of
    // the group's assignment until its next refresh (minutes), so ask again.
    for (auto attempt = 0;; ++attempt) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const rd_kafka_metadata_t* metadata = nullptr;
      auto err = rd_kafka_metadata(client, 0, topic.get(), &metadata,
                                   static_cast<int>(std::max<long long>(left.count(), 1)));
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1) {
        err = metadata->topics[0].err;
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topics[0].partition_cnt == 0)
          err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
          for (int p = 0; p < metadata->topics[0].partition_cnt; ++p)
            if (metadata->topics[0].partitions[p].leader >= 0)
              rd_kafka_topic_partition_list_add(led.get(), name.c_str(),
                                                metadata->topics[0].partitions[p].id);
      }
      if (metadata) rd_kafka_metadata_destroy(metadata);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (std::chrono::steady_clock::now() + std::chrono::milliseconds(50) >= deadline) {
        spdlog::warn("metadata for topic {}: {}", name, rd_kafka_err2str(err));
        ok = false;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // propagation takes milliseconds
    }
  }
  return await_partitions_served(client, *led, deadline) && ok;
}

}  // namespace emis::eventbus
