// The client settings the event bus's latency depends on.
#include <gtest/gtest.h>

#include "eventbus/kafka_config.hpp"

namespace emis::eventbus {
namespace {

std::string property(RdKafka::Conf& conf, const std::string& name) {
  std::string value;
  EXPECT_EQ(conf.get(name, value), RdKafka::Conf::CONF_OK) << name;
  return value;
}

TEST(EventbusKafkaConfig, ProducerSendsWithoutLingering) {
  const auto conf = producer_config(BusOptions{});
  EXPECT_EQ(property(*conf, "linger.ms"), "0");
  EXPECT_EQ(property(*conf, "enable.idempotence"), "true");  // durability is not traded for it
}

TEST(EventbusKafkaConfig, RawPropertiesWin) {
  BusOptions options;
  options.kafka_properties["linger.ms"] = "5";
  const auto conf = producer_config(options);
  EXPECT_EQ(property(*conf, "linger.ms"), "5");
}

TEST(EventbusKafkaConfig, AnInstanceIdMakesTheConsumerAStaticMember) {
  BusOptions options;
  options.group_id = "teacher-service-consumer";
  std::string value;
  EXPECT_NE(consumer_config(options)->get("group.instance.id", value), RdKafka::Conf::CONF_OK)
      << "dynamic membership without an instance id, got " << value;
  options.instance_id = "teacher-2";
  EXPECT_EQ(property(*consumer_config(options), "group.instance.id"), "teacher-2");
}

TEST(EventbusKafkaConfig, APartitionWithNothingCommittedStartsWhereAutoOffsetResetSays) {
  BusOptions options;
  EXPECT_EQ(start_without_commit(options), RdKafka::Topic::OFFSET_BEGINNING);  // the contract's earliest
  options.kafka_properties["auto.offset.reset"] = "latest";
  EXPECT_EQ(start_without_commit(options), RdKafka::Topic::OFFSET_END);
  options.kafka_properties["auto.offset.reset"] = "error";  // librdkafka's to raise
  EXPECT_EQ(start_without_commit(options), RdKafka::Topic::OFFSET_INVALID);
}

}  // namespace
}  // namespace emis::eventbus
