#include "identity/code_delivery.hpp"

#include "identity/phone_mask.hpp"
#include "identity/sms_queue.hpp"

namespace emis::identity {

std::string code_message(CodePurpose purpose, const IssuedCode& code) {
  if (purpose == CodePurpose::password_reset)
    return "EMIS: your password reset code is " + code.code + " (valid until " + code.expires_at +
           "). If you did not ask for it, tell your school.";
  return "EMIS: your activation code is " + code.code + " (valid until " + code.expires_at +
         "). Use it to set your password.";
}

SentCode CodeDelivery::send_new_code(store::Transaction& tx, const User& user, CodePurpose purpose) const {
  const auto issued = issue_activation_code(tx, key_, user.id, purpose);
  queue_sms(tx, user.id, purpose_name(purpose), user.phone_number, code_message(purpose, issued));
  tx.notify(kSmsChannel);
  if (wake_) tx.after_commit(wake_);
  return {mask_phone(user.phone_number), issued.expires_at};
}

}  // namespace emis::identity
