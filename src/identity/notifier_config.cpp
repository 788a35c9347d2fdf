#include "identity/notifier_config.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "identity/file_sink_notifier.hpp"
#include "identity/webhook_notifier.hpp"

namespace emis::identity {

std::unique_ptr<Notifier> notifier_from_config(const core::Config& config,
                                               const std::filesystem::path& data_dir) {
  const auto url = config.string("sms_webhook_url", "");
  const bool dev_sink = config.boolean("sms_dev_sink", false);
  if (!url.empty() && dev_sink)
    throw std::runtime_error(
        "set either sms_webhook_url (EMIS_SMS_WEBHOOK_URL) or sms_dev_sink "
        "(EMIS_SMS_DEV_SINK), not both");
  if (!url.empty()) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      throw std::runtime_error("sms_webhook_url must be an http:// or https:// URL");
    spdlog::info("codes are sent by SMS through the webhook gateway");
    return std::make_unique<WebhookNotifier>(url);
  }
  if (dev_sink) {
    const std::filesystem::path file =
        config.string("sms_dev_sink_file", (data_dir / kDevSinkFileName).string());
    spdlog::warn("codes are written to the development SMS sink {}: not for production", file.string());
    return std::make_unique<FileSinkNotifier>(file);
  }
  return nullptr;
}

SmsRetryPolicy retry_policy_from_config(const core::Config& config) {
  SmsRetryPolicy policy;
  policy.max_attempts = static_cast<int>(std::max<std::int64_t>(1, config.integer("sms_max_attempts", 5)));
  policy.first_delay = std::chrono::milliseconds(config.integer("sms_retry_delay_ms", 2000));
  policy.max_delay = std::chrono::milliseconds(config.integer("sms_retry_max_delay_ms", 300000));
  return policy;
}

}  // namespace emis::identity
