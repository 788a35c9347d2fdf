#include "eventbus/publisher.hpp"

#include <spdlog/spdlog.h>

namespace emis::eventbus {

Publisher::Publisher(BusOptions options, core::MetricsRegistry& metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      producer_(std::make_shared<Producer>(options_, metrics_)),
      poller_([this] { poll_loop(); }) {}

Publisher::~Publisher() {
  {
    std::lock_guard lock(producer_mutex_);
    producer_->flush(producer_->close_timeout);
  }
  stopping_ = true;
  poller_.join();
}

PublishContext Publisher::context(const std::string& traceparent) const {
  return {options_.topics, options_.source, traceparent};
}

void Publisher::poll_loop() {
  while (!stopping_) {
    std::shared_ptr<Producer> producer;
    {
      std::lock_guard lock(producer_mutex_);
      if (producer_->fatal()) {
        spdlog::warn("recreating the kafka producer after a fatal error");
        producer_ = std::make_shared<Producer>(options_, metrics_);
      }
      producer = producer_;
    }
    producer->poll(std::chrono::milliseconds(50));
  }
}

void Publisher::publish(const OutgoingMessage& message, DeliveryCallback on_delivery) {
  std::shared_ptr<Producer> producer;
  {
    std::lock_guard lock(producer_mutex_);
    producer = producer_;
  }
  producer->produce(message, std::move(on_delivery));
}

DeliveryReport Publisher::publish_and_wait(const OutgoingMessage& message) {
  auto promise = std::make_shared<std::promise<DeliveryReport>>();
  auto future = promise->get_future();
  publish(message, [promise](const DeliveryReport& report) { promise->set_value(report); });
  return future.get();
}

bool Publisher::flush(std::chrono::milliseconds timeout) {
  std::lock_guard lock(producer_mutex_);
  return producer_->flush(timeout);
}

bool Publisher::broker_reachable(std::chrono::milliseconds timeout) {
  std::shared_ptr<Producer> producer;
  {
    std::lock_guard lock(producer_mutex_);
    producer = producer_;
  }
  return producer->broker_reachable(timeout);
}

}  // namespace emis::eventbus
