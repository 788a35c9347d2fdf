// What spdlog logs while a test runs. spdlog's default logger must not be
// swapped while another thread logs: make the capture before the threads
// that log start, and let them end before it does (declare it first).
#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace emis::testing {

class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000)) {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("captured", sink_);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines_with(const std::string& text) const {
    std::vector<std::string> lines;
    for (auto& line : sink_->last_formatted())
      if (line.find(text) != std::string::npos) lines.push_back(std::move(line));
    return lines;
  }
  bool contains(const std::string& text) const { return !lines_with(text).empty(); }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace emis::testing
