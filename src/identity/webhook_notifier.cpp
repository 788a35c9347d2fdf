#include "identity/webhook_notifier.hpp"

#include <nlohmann/json.hpp>

#include "auth/http_get.hpp"

namespace emis::identity {

WebhookNotifier::WebhookNotifier(std::string url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

void WebhookNotifier::send(const TextMessage& message) {
  const nlohmann::json body{{"to", message.to}, {"message", message.text}};
  auth::HttpAnswer answer;
  try {
    answer = auth::http_request("POST", url_, {"Content-Type: application/json"}, body.dump(),
                                {.timeout = timeout_, .max_body_bytes = 64 * 1024});
  } catch (const std::exception& e) {
    throw NotifierError(std::string("SMS gateway unreachable: ") + e.what());
  }
  // The gateway's body is not quoted: it might echo the message, code and all.
  if (answer.status < 200 || answer.status > 299)
    throw NotifierError("SMS gateway answered HTTP " + std::to_string(answer.status));
}

}  // namespace emis::identity
