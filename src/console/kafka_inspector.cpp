#include "console/kafka_inspector.hpp"

#include <algorithm>
#include <stdexcept>

#include "eventbus/kafka_config.hpp"

namespace emis::console {
namespace {

bool has_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}

}  // namespace

KafkaInspector::KafkaInspector(eventbus::BusOptions options, std::vector<std::string> topic_prefixes)
    : options_(std::move(options)), prefixes_(std::move(topic_prefixes)) {
  std::string error;
  const auto conf = eventbus::admin_config(options_);
  client_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!client_) throw std::runtime_error("cannot create a Kafka client: " + error);
}

KafkaInspector::~KafkaInspector() = default;

bool KafkaInspector::is_system_topic(const std::string& name) const { return has_prefix(name, prefixes_); }

std::vector<TopicOffsets> KafkaInspector::topics(std::chrono::milliseconds timeout) const {
  std::lock_guard lock(mutex_);
  RdKafka::Metadata* raw = nullptr;
  const auto err = client_->metadata(true, nullptr, &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("Kafka metadata: " + RdKafka::err2str(err));
  std::vector<TopicOffsets> out;
  for (const auto* topic : *metadata->topics()) {
    if (!is_system_topic(topic->topic())) continue;
    TopicOffsets t{topic->topic(), {}};
    for (const auto* partition : *topic->partitions()) {
      PartitionOffsets p{partition->id(), 0, 0};
      client_->query_watermark_offsets(t.name, p.partition, &p.low, &p.high,
                                       static_cast<int>(timeout.count()));
      t.partitions.push_back(p);
    }
    std::sort(t.partitions.begin(), t.partitions.end(),
              [](const auto& a, const auto& b) { return a.partition < b.partition; });
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<GroupLag> KafkaInspector::lag(const std::string& group, const std::vector<TopicOffsets>& topics,
                                          std::chrono::milliseconds timeout) const {
  auto options = options_;
  options.group_id = group;
  options.instance_id.clear();  // never take a member's static identity
  const auto conf = eventbus::admin_config(options);
  eventbus::set(*conf, "group.id", group);
  eventbus::set(*conf, "enable.auto.commit", "false");
  std::string error;
  // Not subscribed: committed() asks the group's coordinator (OffsetFetch)
  // without joining, so the group's members are never rebalanced.
  std::unique_ptr<RdKafka::KafkaConsumer> reader(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!reader) throw std::runtime_error("cannot create a Kafka client: " + error);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& t : topics)
    for (const auto& p : t.partitions)
      partitions.push_back(RdKafka::TopicPartition::create(t.name, p.partition));
  const auto err = reader->committed(partitions, static_cast<int>(timeout.count()));
  std::vector<GroupLag> out;
  for (auto* tp : partitions) {
    if (err == RdKafka::ERR_NO_ERROR && tp->offset() >= 0) {
      const auto topic =
          std::find_if(topics.begin(), topics.end(), [&](const auto& t) { return t.name == tp->topic(); });
      const auto& parts = topic->partitions;
      const auto part = std::find_if(parts.begin(), parts.end(),
                                     [&](const auto& p) { return p.partition == tp->partition(); });
      out.push_back({group, tp->topic(), tp->partition(), tp->offset(),
                     std::max<std::int64_t>(0, part->high - tp->offset())});
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
  reader->close();
  if (err != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("committed offsets of " + group + ": " + RdKafka::err2str(err));
  return out;
}

}  // namespace emis::console
