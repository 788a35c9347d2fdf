#include "identity/activation.hpp"

#include <sodium.h>

#include "core/clock.hpp"
#include "core/sodium.hpp"
#include "identity/sms_queue.hpp"

namespace emis::identity {
namespace {

// 10 characters from 32 unambiguous ones: 50 bits, ample with 5 attempts per code.
std::string new_code() {
  core::ensure_sodium_initialised();
  static constexpr char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string code(10, ' ');
  for (auto& c : code) c = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
  return code;
}

}  // namespace

const char* purpose_name(CodePurpose purpose) {
  return purpose == CodePurpose::password_reset ? "PasswordReset" : "Activation";
}

IssuedCode issue_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id,
                                 CodePurpose purpose) {
  const auto now = std::chrono::system_clock::now();
  const auto expires = now + kActivationLifetime;
  const long long expires_s = core::unix_seconds(expires);
  IssuedCode issued{new_code(), core::to_iso8601(expires)};
  const auto created = core::to_iso8601(now);
  // A named value: SOCI binds by reference and runs the statement at the end
  // of the full expression, after a temporary argument is already destroyed.
  const auto code_hash = key.hash(issued.code);
  const std::string purpose_text = purpose_name(purpose);
  tx.session()
      << "INSERT INTO activation_codes (user_id, code_hash, expires_at_s, failed_attempts, created_at, "
         "purpose) VALUES (:u, :h, :e, 0, :c, :p) ON CONFLICT (user_id) DO UPDATE SET code_hash = "
         "excluded.code_hash, expires_at_s = excluded.expires_at_s, failed_attempts = 0, created_at = "
         "excluded.created_at, purpose = excluded.purpose",
      soci::use(user_id), soci::use(code_hash), soci::use(expires_s), soci::use(created),
      soci::use(purpose_text);
  return issued;
}

bool redeem_activation_code(store::Transaction& tx, const CodeKey& key, const std::string& user_id,
                            const std::string& code, CodePurpose purpose) {
  std::string stored_hash;
  long long expires_s = 0;
  int attempts = 0;
  soci::indicator found = soci::i_null;
  const std::string purpose_text = purpose_name(purpose);
  // A code of the other purpose is as good as none, and costs no attempt:
  // the account's state, not the code, decides what may happen.
  tx.session() << "SELECT code_hash, expires_at_s, failed_attempts FROM activation_codes WHERE user_id = :u "
                  "AND purpose = :p",
      soci::use(user_id), soci::use(purpose_text), soci::into(stored_hash, found), soci::into(expires_s),
      soci::into(attempts);
  if (found != soci::i_ok) return false;
  if (attempts >= kMaxActivationAttempts || expires_s <= core::unix_seconds(std::chrono::system_clock::now()))
    return false;
  const auto given_hash = key.hash(code);
  if (given_hash.size() != stored_hash.size() ||
      sodium_memcmp(given_hash.data(), stored_hash.data(), stored_hash.size()) != 0) {
    tx.session() << "UPDATE activation_codes SET failed_attempts = failed_attempts + 1 WHERE user_id = :u",
        soci::use(user_id);
    return false;
  }
  discard_activation_code(tx, user_id);
  return true;
}

void discard_activation_code(store::Transaction& tx, const std::string& user_id) {
  tx.session() << "DELETE FROM activation_codes WHERE user_id = :u", soci::use(user_id);
  withdraw_pending_sms(tx, user_id);  // a message still on its way would carry a dead code
}

}  // namespace emis::identity
