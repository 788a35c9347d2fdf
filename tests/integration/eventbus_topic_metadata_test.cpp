// A client's first use of a topic created a moment ago.
// - A producer: librdkafka partitions a message at once only when it already
//   has the topic's metadata; otherwise the message is put aside until its
//   once-a-second topic scan fetches the metadata (up to a second of latency
//   for the first event on every topic). Whether the partitioner ran inside
//   the produce call tells the two apart without timing.
// - A consumer: its first request for a partition lists the partition's
//   offsets; a leader that does not serve the partition yet answers
//   NOT_LEADER, and librdkafka asks again only 500 ms later. The same request,
//   made once, tells whether the prefetch waited for the leaders.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "eventbus/kafka_config.hpp"
#include "eventbus/topic_admin.hpp"
#include "support/bus_testing.hpp"

namespace emis::testing {
namespace {

using namespace std::chrono_literals;

// The thread that produces: the partitioner records whether it ran on it.
thread_local bool producing = false;
std::atomic<int> partitioned_in_produce{0};
std::atomic<int> partitioned_later{0};

int32_t recording_partitioner(const rd_kafka_topic_t* topic, const void* key, size_t key_size,
                              int32_t partitions, void* topic_opaque, void* message_opaque) {
  ++(producing ? partitioned_in_produce : partitioned_later);
  return rd_kafka_msg_partitioner_consistent_random(topic, key, key_size, partitions, topic_opaque,
                                                    message_opaque);
}

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_flush(rk, 10000);
    rd_kafka_destroy(rk);
  }
};

class EventbusTopicMetadata : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::err);
    partitioned_in_produce = 0;
    partitioned_later = 0;
    options_ = test_bus_options("topic-metadata");
    // The producer the bus would make, with the partitioner that records.
    const auto conf = eventbus::producer_config(options_);
    rd_kafka_conf_t* raw = rd_kafka_conf_dup(conf->c_ptr_global());
    // Topic-level settings of the bus (acks, message.timeout.ms) live in the default topic conf.
    rd_kafka_topic_conf_t* topic_conf = rd_kafka_conf_get_default_topic_conf(raw);
    ASSERT_NE(topic_conf, nullptr);
    rd_kafka_topic_conf_set_partitioner_cb(topic_conf, recording_partitioner);
    char error[512];
    producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, raw, error, sizeof(error)));
    ASSERT_TRUE(producer_) << error;
    // Connected before the topic exists, as a service's producer is when
    // another service creates the topic it will publish to.
    const rd_kafka_metadata_t* brokers = nullptr;
    ASSERT_EQ(rd_kafka_metadata(producer_.get(), 0, nullptr, &brokers, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_metadata_destroy(brokers);
    topic_ = options_.topics.common_prefix + ".fresh";
    ASSERT_TRUE(eventbus::ensure_topics(options_, {{topic_}}, 10s));
  }

  void produce() {
    producing = true;
    const auto err =
        rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY("k", 1),
                          RD_KAFKA_V_VALUE(const_cast<char*>("v"), 1), RD_KAFKA_V_END);
    producing = false;
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  eventbus::BusOptions options_;
  std::unique_ptr<rd_kafka_t, ClientDeleter> producer_;
  std::string topic_;
};

TEST_F(EventbusTopicMetadata, WithoutMetadataTheFirstMessageIsPutAside) {
  // Why the prefetch exists: this is librdkafka's behaviour it works around.
  produce();
  EXPECT_EQ(partitioned_in_produce.load(), 0);
  ASSERT_TRUE(eventually([] { return partitioned_later.load() == 1; }, 30s));
}

TEST_F(EventbusTopicMetadata, PrefetchedTopicIsPartitionedAtOnce) {
  ASSERT_TRUE(eventbus::prefetch_topic_metadata(producer_.get(), {topic_}, 10s));
  produce();
  EXPECT_EQ(partitioned_in_produce.load(), 1);
  EXPECT_EQ(partitioned_later.load(), 0);
}

TEST_F(EventbusTopicMetadata, PrefetchedTopicsAreServedByTheirLeadersAtOnce) {
  // Several topics of several partitions, as a service subscribes to, so
  // that a leader not serving yet is likely right after creation.
  std::vector<eventbus::TopicSpec> specs;
  std::vector<std::string> topics;
  for (int i = 0; i < 6; ++i) {
    topics.push_back(options_.topics.common_prefix + ".served." + std::to_string(i));
    specs.push_back({topics.back(), 3});
  }
  ASSERT_TRUE(eventbus::ensure_topics(options_, specs, 10s));
  ASSERT_TRUE(eventbus::prefetch_topic_metadata(producer_.get(), topics, 10s));

  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> starts(
      rd_kafka_topic_partition_list_new(0), &rd_kafka_topic_partition_list_destroy);
  for (const auto& topic : topics)
    for (int p = 0; p < 3; ++p)
      rd_kafka_topic_partition_list_add(starts.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  const auto err = rd_kafka_offsets_for_times(producer_.get(), starts.get(), 10000);
  ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  for (int i = 0; i < starts->cnt; ++i) {
    EXPECT_EQ(starts->elems[i].err, RD_KAFKA_RESP_ERR_NO_ERROR) << starts->elems[i].topic;
    EXPECT_EQ(starts->elems[i].offset, 0) << starts->elems[i].topic;
  }
}

}  // namespace
}  // namespace emis::testing
