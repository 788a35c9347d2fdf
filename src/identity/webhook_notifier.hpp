// Text messages through the district's SMS gateway: an HTTP POST of
// {"to": "+84...", "message": "..."} as JSON to a configured URL
// (EMIS_SMS_WEBHOOK_URL). Any 2xx answer means handed over.
#pragma once

#include <chrono>
#include <string>

#include "identity/notifier.hpp"

namespace emis::identity {

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void send(const TextMessage& message) override;

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace emis::identity
