// Codes that reach the person, not the administrator's screen: with a
// notifier configured, a code is issued and its text message queued in the
// same transaction (sms_queue.hpp), and only where it went is answered.
#pragma once

#include <functional>
#include <string>

#include "identity/activation.hpp"
#include "identity/user.hpp"

namespace emis::identity {

struct SentCode {
  std::string sent_to;  // the masked phone (phone_mask.hpp)
  std::string expires_at;
};

// The text of the message that carries `code`.
std::string code_message(CodePurpose purpose, const IssuedCode& code);

class CodeDelivery {
 public:
  // `wake` runs once a transaction that queued a message commits (the SMS
  // sender's waker).
  CodeDelivery(const CodeKey& key, std::function<void()> wake) : key_(key), wake_(std::move(wake)) {}

  // A fresh code for `user` (replacing any earlier one) on its way to the
  // user's phone once `tx` commits.
  SentCode send_new_code(store::Transaction& tx, const User& user, CodePurpose purpose) const;

 private:
  const CodeKey& key_;
  std::function<void()> wake_;
};

}  // namespace emis::identity
