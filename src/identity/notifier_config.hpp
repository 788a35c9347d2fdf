// Which notifier the service uses, from its configuration (EMIS_* variables
// override the file's keys, core/config.hpp):
//   sms_webhook_url (EMIS_SMS_WEBHOOK_URL)  POST {to, message} to this URL
//   sms_dev_sink (EMIS_SMS_DEV_SINK=1)      append to a file instead
//   sms_dev_sink_file                       that file, default <data_dir>/sms-dev-sink.jsonl
//   sms_max_attempts (5), sms_retry_delay_ms (2000), sms_retry_max_delay_ms (300000)
// Both off by default: then codes are answered to the administrator.
#pragma once

#include <filesystem>
#include <memory>

#include "core/config.hpp"
#include "identity/notifier.hpp"
#include "identity/sms_sender.hpp"

namespace emis::identity {

inline constexpr const char* kDevSinkFileName = "sms-dev-sink.jsonl";

// Null when no notifier is configured. Throws std::runtime_error when both
// are: a message must not go to the gateway and a file by accident.
std::unique_ptr<Notifier> notifier_from_config(const core::Config& config,
                                               const std::filesystem::path& data_dir);

SmsRetryPolicy retry_policy_from_config(const core::Config& config);

}  // namespace emis::identity
