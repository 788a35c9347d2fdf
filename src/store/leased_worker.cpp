#include "store/leased_worker.hpp"

#include <utility>

namespace emis::store {

LeasedWorker::LeasedWorker(const Database& db, std::string duty, std::string channel,
                           std::chrono::milliseconds idle_wait)
    : db_(db), duty_(std::move(duty)), channel_(std::move(channel)), idle_wait_(idle_wait) {}

LeasedWorker::~LeasedWorker() { stop(); }

void LeasedWorker::start(Round round) {
  round_ = std::move(round);
  lease_ = std::make_unique<LeaderLease>(db_, duty_, channel_, waker());
  thread_ = std::thread([this] { run(); });
}

void LeasedWorker::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  lease_.reset();  // a standby takes over
}

void LeasedWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool LeasedWorker::take_wake() {
  std::lock_guard lock(mutex_);
  return std::exchange(woken_, false);
}

void LeasedWorker::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Cleared before the round: a wake-up during it makes the wait below
    // return at once.
    woken_ = false;
    lock.unlock();
    const auto wait = lease_->held() ? round_() : idle_wait_;
    lock.lock();
    wake_.wait_for(lock, wait, [this] { return stopping_.load() || woken_; });
  }
}

}  // namespace emis::store
