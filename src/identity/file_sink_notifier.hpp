// A development stand-in for the SMS gateway (EMIS_SMS_DEV_SINK=1): each
// message becomes one JSON line {"to", "message", "at"} appended to a file,
// <data_dir>/sms-dev-sink.jsonl by default, where a developer or a test
// reads the code. Never for production: the file holds live codes.
#pragma once

#include <filesystem>
#include <mutex>

#include "identity/notifier.hpp"

namespace emis::identity {

class FileSinkNotifier final : public Notifier {
 public:
  explicit FileSinkNotifier(std::filesystem::path file);
  void send(const TextMessage& message) override;
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
  std::mutex mutex_;  // one whole line at a time
};

}  // namespace emis::identity
