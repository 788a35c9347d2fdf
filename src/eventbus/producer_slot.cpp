#include "eventbus/producer_slot.hpp"

#include <spdlog/spdlog.h>

namespace emis::eventbus {

ProducerSlot::ProducerSlot(const BusOptions& options, core::MetricsRegistry& metrics, std::string what)
    : options_(options), metrics_(metrics), what_(std::move(what)) {}

std::shared_ptr<Producer> ProducerSlot::current() {
  std::lock_guard lock(mutex_);
  if (producer_ && !producer_->fatal()) return producer_;
  if (producer_) spdlog::warn("{}: replacing the kafka producer after a fatal error", what_);
  producer_.reset();  // fails what the dead producer still held
  producer_ = std::make_shared<Producer>(options_, metrics_);
  ++created_;
  return producer_;
}

std::shared_ptr<Producer> ProducerSlot::peek() const {
  std::lock_guard lock(mutex_);
  return producer_;
}

void ProducerSlot::reset() {
  std::lock_guard lock(mutex_);
  producer_.reset();
}

}  // namespace emis::eventbus
