// The consumer's watch over the partitions it is given: where each starts
// (its committed offset), its lag, and the restart of one that stalls.
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include "eventbus/consumer.hpp"
#include "eventbus/kafka_config.hpp"
#include "eventbus/kafka_message.hpp"

namespace emis::eventbus {

using Clock = std::chrono::steady_clock;

void EventConsumer::start_at_committed(std::vector<RdKafka::TopicPartition*>& partitions) {
  // Asked here rather than left to librdkafka: with a committed offset
  // given, assign() starts fetching at once, without its offset look-up, the
  // step 2.0.2 can leave hanging when a partition comes back to this member
  // (see stall_watch.hpp). A partition with nothing committed starts at the
  // logical offset auto.offset.reset names, which librdkafka looks up at once
  // (left unset, it waited 100 ms first: see start_without_commit).
  const auto err = consumer_->committed(partitions, 5000);
  const auto start = start_without_commit(options_);
  for (auto* tp : partitions)
    if (err != RdKafka::ERR_NO_ERROR || tp->err() != RdKafka::ERR_NO_ERROR)
      tp->set_offset(RdKafka::Topic::OFFSET_INVALID);
    else if (tp->offset() == RdKafka::Topic::OFFSET_INVALID)
      tp->set_offset(start);
  if (err != RdKafka::ERR_NO_ERROR)
    spdlog::warn("consumer group {}: committed offsets not read ({}); librdkafka looks them up",
                 options_.group_id, RdKafka::err2str(err));
}

void EventConsumer::restart_stalled() {
  for (const auto& partition : stall_watch_.stalled(Clock::now())) {
    const auto tp = topic_partition(partition.first, partition.second);
    std::vector<RdKafka::TopicPartition*> one{tp.get()};
    // Where it stands: its position, or, when nothing was read since the
    // assignment, its committed offset.
    if (consumer_->position(one) != RdKafka::ERR_NO_ERROR) continue;
    if (tp->offset() < 0 &&
        (consumer_->committed(one, 1000) != RdKafka::ERR_NO_ERROR || tp->err() != RdKafka::ERR_NO_ERROR))
      continue;
    int64_t low = 0, high = 0;
    if (consumer_->query_watermark_offsets(partition.first, partition.second, &low, &high, 1000) !=
        RdKafka::ERR_NO_ERROR)
      break;  // the broker is away: nothing can be fetched anyway
    const auto from = tp->offset() >= 0 ? tp->offset() : low;
    if (from >= high) continue;  // caught up: nothing waits
    spdlog::warn(
        "consumer group {}: {}[{}] has not moved from offset {} with {} events waiting; restarting its fetch",
        options_.group_id, partition.first, partition.second, from, high - from);
    // Resumed too, in case the stall is a pause flag librdkafka kept; the
    // seek then sets the position whatever state the partition was in.
    tp->set_offset(from);
    consumer_->resume(one);
    if (const auto err = consumer_->seek(*tp, 1000); err != RdKafka::ERR_NO_ERROR) {
      spdlog::warn("consumer group {}: seek {}[{}]@{}: {}", options_.group_id, partition.first,
                   partition.second, from, RdKafka::err2str(err));
      continue;
    }
    metrics_
        .counter("emis_eventbus_fetch_restarts_total", "Stalled partitions whose fetch was restarted",
                 {{"topic", partition.first}})
        .inc();
  }
}

bool EventConsumer::stall_for_test(const std::string& topic, std::int32_t partition) {
  std::unique_lock lock(test_stall_mutex_);
  test_stall_ = Partition{topic, partition};
  test_stall_asked_ = true;
  return test_stall_done_.wait_for(lock, std::chrono::seconds(5), [this] { return !test_stall_; });
}

void EventConsumer::update_lag() {
  std::vector<RdKafka::TopicPartition*> assignment;
  if (consumer_->assignment(assignment) != RdKafka::ERR_NO_ERROR) return;
  if (!assignment.empty() && consumer_->position(assignment) == RdKafka::ERR_NO_ERROR) {
    const auto now = Clock::now();
    for (auto* tp : assignment) {
      const Partition partition{tp->topic(), tp->partition()};
      const auto retry = retries_.find(partition);
      stall_watch_.observe(partition, tp->offset(), retry != retries_.end() && retry->second.paused, now);
      int64_t low = 0, high = 0;
      if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) !=
          RdKafka::ERR_NO_ERROR)
        continue;
      const auto position = tp->offset() >= 0 ? tp->offset() : low;
      metrics_
          .gauge("emis_eventbus_consumer_lag", "Messages behind the end of each assigned partition",
                 {{"topic", tp->topic()}, {"partition", std::to_string(tp->partition())}})
          .set(static_cast<double>(std::max<int64_t>(0, high - position)));
    }
  }
  RdKafka::TopicPartition::destroy(assignment);
  restart_stalled();
}

}  // namespace emis::eventbus
