// The producer a component publishes through, replaced when it turns fatal:
// librdkafka 2.0.x's idempotent producer can raise a fatal error after a
// broker restarts or times out, and a new producer is the only remedy. What
// the dead one still held fails with it, so its senders must send again (the
// outbox relay does: a row is sent only on an OK report).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "eventbus/producer.hpp"

namespace emis::eventbus {

class ProducerSlot {
 public:
  // `what` names the owner in the log line of a replacement.
  ProducerSlot(const BusOptions& options, core::MetricsRegistry& metrics, std::string what);

  // The live producer: made on first use, replaced first if it is fatal.
  std::shared_ptr<Producer> current();
  // The producer as it is, fatal or not; nullptr before current() or after reset().
  std::shared_ptr<Producer> peek() const;
  void reset();
  std::uint64_t created() const noexcept { return created_.load(); }

 private:
  const BusOptions& options_;
  core::MetricsRegistry& metrics_;
  const std::string what_;
  mutable std::mutex mutex_;
  std::shared_ptr<Producer> producer_;
  std::atomic<std::uint64_t> created_{0};
};

}  // namespace emis::eventbus
