#include "identity/entity_accounts.hpp"

#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "eventbus/errors.hpp"
#include "identity/account_events.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

// Why another live account of the tenant holding `phone` stops this one, or
// nothing when none does.
std::optional<std::string> phone_holder(soci::session& s, const std::string& tenant_id,
                                        const std::string& phone, const std::string& entity_id) {
  if (const auto other = find_user_by_phone(s, tenant_id, phone);
      other && other->entity_id != entity_id && other->status != status::disabled)
    return "phone " + phone + " already belongs to user " + other->id + " in tenant " + tenant_id;
  return std::nullopt;
}

void decline(store::Transaction& tx, eventbus::Outbox& outbox, const EntityAccount& entity,
             const std::string& reason, const std::string& traceparent) {
  spdlog::warn("no account for {} {}: {}", entity.entity_type, entity.entity_id, reason);
  outbox.add(
      tx,
      contracts::AccountProvisioningFailed{entity.tenant_id, entity.entity_id, entity.entity_type, reason},
      traceparent);
}

}  // namespace

void reject_phone_taken(soci::session& s, const std::string& tenant_id, const std::string& phone,
                        const std::string& entity_id) {
  if (const auto why = phone_holder(s, tenant_id, phone, entity_id))
    throw eventbus::PermanentError("conflict", *why + "; accounts are never merged");
}

std::optional<User> provision_account(store::Transaction& tx, eventbus::Outbox& outbox,
                                      const EntityAccount& entity, const std::string& region,
                                      const std::string& traceparent) {
  auto& s = tx.session();
  const auto known = entity_state(s, entity.entity_id);
  if (known.tombstoned) {
    spdlog::info("{} {} was deleted before its create arrived; no account", entity.entity_type,
                 entity.entity_id);
    return std::nullopt;
  }
  if (known.has_user) return std::nullopt;  // the same entity again
  const auto phone = core::normalize_phone(entity.phone_number, region);
  if (!phone) {
    decline(tx, outbox, entity, "phone number '" + entity.phone_number + "' is not valid", traceparent);
    return std::nullopt;
  }
  User u;
  u.id = core::new_uuid();
  u.tenant_id = entity.tenant_id;
  u.phone_number = *phone;
  if (!entity.email.empty()) u.email = entity.email;
  u.full_name = entity.full_name;
  u.role = entity.role;
  u.status = status::pending_activation;
  u.entity_id = entity.entity_id;
  u.entity_type = entity.entity_type;
  u.created_at = u.updated_at = core::now_iso8601();
  try {
    insert_user(tx, u);
  } catch (const core::DomainError& error) {
    // The phone index refuses a second live account with this phone in the
    // tenant: the insert itself is the check, the lookup only names the
    // holder (a query per event saved).
    if (error.kind() != core::ErrorKind::conflict) throw;
    decline(tx, outbox, entity,
            phone_holder(s, entity.tenant_id, *phone, entity.entity_id).value_or(error.what()), traceparent);
    return std::nullopt;
  }
  publish_account<contracts::UserAccountCreated>(tx, outbox, u, traceparent);
  return u;
}

void retire_entity_account(store::Transaction& tx, const AccountEffects& effects,
                           const std::string& entity_id, const std::string& tenant_id,
                           const std::string& traceparent) {
  add_tombstone(tx, entity_id, tenant_id);
  if (auto user = find_user_by_entity(tx.session(), entity_id))
    disable_account(tx, effects, *user, traceparent);
}

}  // namespace emis::identity
