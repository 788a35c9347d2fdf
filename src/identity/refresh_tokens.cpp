#include "identity/refresh_tokens.hpp"

#include "core/clock.hpp"

namespace emis::identity {
namespace {

// `column` is one of this file's constants, never input.
void revoke_where(store::Transaction& tx, const char* column, const std::string& value) {
  const auto now = core::now_iso8601();
  tx.session() << "UPDATE refresh_tokens SET revoked_at = :now WHERE revoked_at IS NULL AND " << column
               << " = :v",
      soci::use(now), soci::use(value);
}

}  // namespace

void revoke_token_family(store::Transaction& tx, const std::string& family_id) {
  revoke_where(tx, "family_id", family_id);
}

void revoke_user_tokens(store::Transaction& tx, const std::string& user_id) {
  revoke_where(tx, "user_id", user_id);
}

}  // namespace emis::identity
