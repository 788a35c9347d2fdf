// One-time codes: random, stored only as a keyed hash (CodeKey), valid 72
// hours, replaced by the next one issued, dead after 5 wrong attempts or one
// use. A code has a purpose: an activation code sets the first password of
// a PendingActivation account, a reset code replaces the password of an
// Active one. Neither is accepted for the other, so a code leaked for one
// state can never be used in the other.
#pragma once

#include <chrono>
#include <string>

#include "identity/code_key.hpp"
#include "store/transaction.hpp"

namespace emis::identity {

inline constexpr int kMaxActivationAttempts = 5;
inline constexpr std::chrono::hours kActivationLifetime{72};

enum class CodePurpose { activation, password_reset };

// The purpose as stored (activation_codes.purpose).
const char* purpose_name(CodePurpose purpose);

struct IssuedCode {
  std::string code;
  std::string expires_at;
};

// A fresh code for `user_id`, replacing any earlier one (of either purpose).
IssuedCode issue_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id,
                                 CodePurpose purpose = CodePurpose::activation);

// True when `code` is the user's live code for `purpose`; then the code is
// consumed. A wrong code counts an attempt. Callers answer every failure
// the same way.
bool redeem_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id,
                            const std::string& code, CodePurpose purpose = CodePurpose::activation);

// Drops the user's live code, if any, and withdraws a message still taking
// it to the user (the account was disabled: a code issued before must not
// work once it is enabled again).
void discard_activation_code(store::Transaction& tx, const std::string& user_id);

}  // namespace emis::identity
