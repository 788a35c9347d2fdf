// One-time activation codes: random, stored only as a keyed hash (CodeKey),
// valid 72 hours,
// replaced by the next one issued, dead after 5 wrong attempts or one use.
#pragma once

#include <chrono>
#include <string>

#include "identity/code_key.hpp"
#include "store/transaction.hpp"

namespace emis::identity {

inline constexpr int kMaxActivationAttempts = 5;
inline constexpr std::chrono::hours kActivationLifetime{72};

struct IssuedCode {
  std::string code;
  std::string expires_at;
};

// A fresh code for `user_id`, replacing any earlier one.
IssuedCode issue_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id);

// True when `code` is the user's live code; then the code is consumed. A
// wrong code counts an attempt. Callers answer every failure the same way.
bool redeem_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id,
                            const std::string& code);

// Drops the user's live code, if any (the account was disabled: a code
// issued before must not work once it is enabled again).
void discard_activation_code(store::Transaction& tx, const std::string& user_id);

}  // namespace emis::identity
