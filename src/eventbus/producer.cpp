#include "eventbus/producer.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "eventbus/kafka_config.hpp"
#include "eventbus/topic_admin.hpp"

namespace emis::eventbus {

struct Producer::Callbacks : RdKafka::DeliveryReportCb, RdKafka::EventCb {
  Producer* owner = nullptr;
  bool debug = false;

  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<DeliveryCallback> callback(static_cast<DeliveryCallback*>(message.msg_opaque()));
    DeliveryReport report;
    // A success without an offset is not proof that the broker has the
    // message: librdkafka also reports success for messages it assumes
    // ("implicitly acked") were written because a later one was (see
    // kafka_config.cpp). Such a message counts as failed, so it is sent
    // again; a copy too many is skipped by the consumers' inbox, a lost
    // event could never be recovered.
    report.ok = message.err() == RdKafka::ERR_NO_ERROR && message.offset() >= 0;
    report.partition = message.partition();  // also on failure, when the partitioner had chosen one
    if (report.ok) {
      owner->delivered_.inc();
      // librdkafka's latency() runs from produce() to now: the report served,
      // which a relay busy marking an earlier batch serves late.
      if (const auto micros = message.latency(); micros >= 0) owner->publish_seconds_.observe(micros / 1e6);
      report.offset = message.offset();
    } else {
      owner->failed_.inc();
      report.error =
          message.err() == RdKafka::ERR_NO_ERROR ? "delivery not confirmed with an offset" : message.errstr();
      report.possibly_persisted = message.status() != RdKafka::Message::MSG_STATUS_NOT_PERSISTED;
      if (report.possibly_persisted) owner->possibly_persisted_.inc();
    }
    if (debug)
      spdlog::info("delivery report {}[{}]@{}: {}", message.topic_name(), report.partition, report.offset,
                   report.ok ? "ok" : report.error);
    if (callback && *callback) (*callback)(report);
  }

  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (event.fatal()) {
          owner->fatal_ = true;
          spdlog::error("kafka producer fatal error: {}", event.str());
        } else if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN || event.err() == RdKafka::ERR__TRANSPORT) {
          spdlog::warn("kafka producer: {}", event.str());
        } else {
          spdlog::warn("kafka producer error {}: {}", RdKafka::err2str(event.err()), event.str());
        }
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING)
          spdlog::warn("librdkafka {}: {}", event.fac(), event.str());
        else if (debug)  // asked for with the raw property `debug`
          spdlog::info("librdkafka {}: {}", event.fac(), event.str());
        break;
      default:
        break;
    }
  }
};

Producer::Producer(const BusOptions& options, core::MetricsRegistry& metrics)
    : callbacks_(std::make_unique<Callbacks>()),
      produced_(metrics.counter("emis_eventbus_produced_total", "Messages handed to the Kafka producer")),
      delivered_(metrics.counter("emis_eventbus_delivered_total", "Messages the broker acknowledged")),
      failed_(metrics.counter("emis_eventbus_delivery_failures_total", "Messages whose delivery failed")),
      possibly_persisted_(metrics.counter("emis_eventbus_possibly_persisted_total",
                                          "Failed deliveries the broker may have written all the same")),
      publish_seconds_(metrics.histogram(
          "emis_eventbus_publish_seconds",
          "From handing a message to the Kafka producer to serving its successful delivery report")) {
  callbacks_->owner = this;
  callbacks_->debug = options.kafka_properties.count("debug") > 0;
  auto conf = producer_config(options);
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka producer callbacks: " + error);
  producer_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!producer_) throw std::runtime_error("kafka producer: " + error);
}

Producer::~Producer() {
  if (!fatal_) flush(close_timeout);
  // Whatever is still queued fails now, so every callback runs exactly once.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
  producer_->flush(100);
}

void Producer::produce(const OutgoingMessage& m, DeliveryCallback on_delivery) {
  {
    // librdkafka holds the first message for a topic it has no metadata for
    // until its once-a-second topic scan; asking at once saves that second.
    std::lock_guard lock(topics_mutex_);
    if (known_topics_.insert(m.topic).second)
      prefetch_topic_metadata(producer_->c_ptr(), {m.topic}, std::chrono::milliseconds(1000));
  }
  auto* headers = RdKafka::Headers::create();
  for (const auto& [name, value] : m.headers) headers->add(name, value);
  auto callback = std::make_unique<DeliveryCallback>(std::move(on_delivery));
  const auto err = producer_->produce(m.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                      const_cast<char*>(m.value.data()), m.value.size(),
                                      m.null_key ? nullptr : m.key.data(), m.null_key ? 0 : m.key.size(), 0,
                                      headers, callback.get());
  if (err != RdKafka::ERR_NO_ERROR) {
    delete headers;  // ownership passes to librdkafka only on success
    failed_.inc();
    if (err == RdKafka::ERR__FATAL) fatal_ = true;
    DeliveryReport report;
    report.error = RdKafka::err2str(err);
    if (*callback) (*callback)(report);
    return;
  }
  callback.release();  // freed in dr_cb
  produced_.inc();
}

void Producer::poll(std::chrono::milliseconds timeout) { producer_->poll(static_cast<int>(timeout.count())); }

bool Producer::flush(std::chrono::milliseconds timeout) {
  return producer_->flush(static_cast<int>(timeout.count())) == RdKafka::ERR_NO_ERROR && outstanding() == 0;
}

void Producer::purge_queued() {
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_NON_BLOCKING);
}

std::size_t Producer::outstanding() const { return static_cast<std::size_t>(producer_->outq_len()); }

void Producer::inject_fatal_error(const std::string& reason) {
  rd_kafka_test_fatal_error(producer_->c_ptr(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            reason.c_str());
}

bool Producer::broker_reachable(std::chrono::milliseconds timeout) {
  RdKafka::Metadata* metadata = nullptr;
  const auto err = producer_->metadata(false, nullptr, &metadata, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> owned(metadata);
  return err == RdKafka::ERR_NO_ERROR;
}

}  // namespace emis::eventbus
