#include "eventbus/publisher.hpp"

#include <spdlog/spdlog.h>

namespace emis::eventbus {

Publisher::Publisher(BusOptions options, core::MetricsRegistry& metrics)
    : options_(std::move(options)),
      producer_(options_, metrics, "publisher"),
      poller_([this] { poll_loop(); }) {}

Publisher::~Publisher() {
  if (const auto producer = producer_.peek()) producer->flush(producer->close_timeout);
  stopping_ = true;
  poller_.join();
}

PublishContext Publisher::context(const std::string& traceparent) const {
  return {options_.topics, options_.source, traceparent};
}

void Publisher::poll_loop() {
  while (!stopping_) producer_.current()->poll(std::chrono::milliseconds(50));
}

void Publisher::publish(const OutgoingMessage& message, DeliveryCallback on_delivery) {
  producer_.current()->produce(message, std::move(on_delivery));
}

DeliveryReport Publisher::publish_and_wait(const OutgoingMessage& message) {
  auto promise = std::make_shared<std::promise<DeliveryReport>>();
  auto future = promise->get_future();
  publish(message, [promise](const DeliveryReport& report) { promise->set_value(report); });
  return future.get();
}

bool Publisher::flush(std::chrono::milliseconds timeout) { return producer_.current()->flush(timeout); }

bool Publisher::broker_reachable(std::chrono::milliseconds timeout) {
  return producer_.current()->broker_reachable(timeout);
}

}  // namespace emis::eventbus
