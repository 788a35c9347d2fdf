#include "identity/bootstrap.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "auth/password.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {

std::string create_admin(store::Database& db, const AdminSpec& spec) {
  core::FieldErrors errors;
  const auto phone = core::normalize_phone(spec.phone, spec.region);
  if (!phone) errors.add("phone", "not a valid phone number: " + spec.phone);
  if (spec.password.size() < 10) errors.add("password", "must be at least 10 characters");
  if (!core::is_uuid(spec.tenant_id)) errors.add("tenant", "must be a UUID");
  errors.throw_if_any("Invalid administrator");
  User u;
  u.id = core::new_uuid();
  u.phone_number = *phone;
  u.full_name = spec.full_name;
  u.status = status::active;
  u.password_hash = auth::hash_password(spec.password);
  u.created_at = u.updated_at = core::now_iso8601();
  u.password_set_at = u.created_at;
  u.memberships.push_back(
      {spec.tenant_id, spec.operator_role ? role::operator_role : role::school_admin, {}, {}, u.created_at});
  const auto& membership = u.memberships.front();
  return db.write([&](store::Transaction& tx) {
    // A person with an account already gains the role; the account keeps
    // its password (the one given is for a new account only).
    if (const auto holder = find_phone_holder(tx.session(), u.phone_number)) {
      const auto& roles = holder->roles_in(membership.tenant_id);
      if (std::find(roles.begin(), roles.end(), membership.role) == roles.end())
        add_membership(tx, holder->id, membership);
      return holder->id;
    }
    insert_user(tx, u);
    return u.id;
  });
}

void bootstrap_admin_if_empty(store::Database& db, const AdminSpec& spec) {
  if (spec.phone.empty() || spec.password.empty()) return;
  if (db.read([](soci::session& s) { return any_user(s); })) return;
  const auto id = create_admin(db, spec);
  spdlog::info("created bootstrap SchoolAdmin {} for tenant {}", id, spec.tenant_id);
}

}  // namespace emis::identity
