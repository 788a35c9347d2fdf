#include "identity/entity_accounts.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "identity/account_events.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

// The reason says nothing of the account itself: it may be another
// school's, and the owning service shows the reason to its administrators.
constexpr const char* kDisabledHolder =
    "the account of this phone number was disabled by an administrator; no role is added to it";

void decline(store::Transaction& tx, eventbus::Outbox& outbox, const std::string& tenant_id,
             const std::string& entity_id, const std::string& entity_type, const std::string& reason,
             const std::string& traceparent) {
  spdlog::warn("no account for {} {}: {}", entity_type, entity_id, reason);
  outbox.add(tx, contracts::AccountProvisioningFailed{tenant_id, entity_id, entity_type, reason},
             traceparent);
}

// A new PendingActivation account for `phone`; its memberships are the
// caller's to add.
User new_account(const std::string& phone, const std::string& full_name,
                 const std::optional<std::string>& email) {
  User u;
  u.id = core::new_uuid();
  u.phone_number = phone;
  u.email = email;
  u.full_name = full_name;
  u.status = status::pending_activation;
  u.created_at = u.updated_at = core::now_iso8601();
  return u;
}

// The store refuses a phone another transaction gave a live account since
// this one looked (another instance, another partition): the event is
// retried, and then finds that account.
template <class Write>
void retry_if_taken(Write&& write) {
  try {
    write();
  } catch (const core::DomainError& error) {
    if (error.kind() != core::ErrorKind::conflict) throw;
    throw core::DomainError(core::ErrorKind::transient, "Phone taken meanwhile",
                            "Another account was made for this phone number at the same time.");
  }
}

}  // namespace

std::optional<Provisioned> provision_account(store::Transaction& tx, eventbus::Outbox& outbox,
                                             const EntityAccount& entity, const std::string& region,
                                             const std::string& traceparent) {
  auto& s = tx.session();
  const auto known = entity_state(tx, entity.entity_id);
  if (known.tombstoned) {
    spdlog::info("{} {} was deleted before its create arrived; no account", entity.entity_type,
                 entity.entity_id);
    return std::nullopt;
  }
  if (known.has_membership) return std::nullopt;  // the same entity again
  const auto phone = core::normalize_phone(entity.phone_number, region);
  if (!phone) {
    decline(tx, outbox, entity.tenant_id, entity.entity_id, entity.entity_type,
            "phone number '" + entity.phone_number + "' is not valid", traceparent);
    return std::nullopt;
  }
  const Membership membership{entity.tenant_id, entity.role, entity.entity_type, entity.entity_id,
                              core::now_iso8601()};
  Provisioned result;
  auto holder = find_phone_holder(s, *phone);
  if (holder) {
    lock_user(tx, *holder);
    // Its last membership may have gone meanwhile: the phone is free then.
    if (holder->status == status::disabled && holder->memberships.empty()) holder.reset();
  }
  if (holder) {
    if (holder->status == status::disabled) {
      decline(tx, outbox, entity.tenant_id, entity.entity_id, entity.entity_type, kDisabledHolder,
              traceparent);
      return std::nullopt;
    }
    add_membership(tx, holder->id, membership);
    result.account = std::move(*holder);
  } else {
    result.account = new_account(*phone, entity.full_name,
                                 entity.email.empty() ? std::nullopt : std::optional(entity.email));
    result.account.memberships.push_back(membership);
    retry_if_taken([&] { insert_user(tx, result.account); });
    result.made = true;
  }
  if (!result.made) result.account.memberships.push_back(membership);
  // A new membership of an Active account says Active: nothing to activate.
  publish_account<contracts::UserAccountCreated>(tx, outbox, result.account, membership, traceparent);
  return result;
}

std::optional<User> change_entity_phone(store::Transaction& tx, const AccountEffects& effects, User& account,
                                        const std::string& entity_id, const std::string& phone,
                                        const std::string& traceparent) {
  if (phone == account.phone_number) return std::nullopt;
  lock_user(tx, account);
  const auto mine = std::find_if(account.memberships.begin(), account.memberships.end(),
                                 [&](const Membership& m) { return m.entity_id == entity_id; });
  if (mine == account.memberships.end()) return std::nullopt;
  const Membership membership = *mine;
  auto holder = find_phone_holder(tx.session(), phone);
  if (!holder && account.memberships.size() == 1) {
    account.phone_number = phone;
    account.updated_at = core::now_iso8601();
    retry_if_taken([&] { update_user(tx, account); });
    return std::nullopt;
  }
  if (holder && holder->status == status::disabled) {
    decline(tx, effects.outbox, membership.tenant_id, entity_id, membership.entity_type.value_or(""),
            kDisabledHolder, traceparent);
    return std::nullopt;
  }
  std::optional<User> made;
  if (holder) {
    move_membership(tx, entity_id, holder->id);
    holder->memberships.push_back(membership);
  } else {
    delete_membership(tx, entity_id);  // stored again with the new account
    made = new_account(phone, account.full_name, account.email);
    made->memberships.push_back(membership);
    retry_if_taken([&] { insert_user(tx, *made); });
    holder = made;
  }
  publish_account<contracts::UserAccountCreated>(tx, effects.outbox, *holder, membership, traceparent);
  if (account.memberships.size() > 1) {
    account.memberships.erase(mine);
    return made;
  }
  // Left with nothing: disabled, and UserDisabled names the school (not the
  // entity, which lives on with the other account) so that the services
  // refuse the old account's tokens.
  *mine =
      Membership{membership.tenant_id, membership.role, std::nullopt, std::nullopt, membership.created_at};
  disable_account(tx, effects, account, traceparent);
  account.memberships.clear();
  return made;
}

void retire_entity_account(store::Transaction& tx, const AccountEffects& effects,
                           const std::string& entity_id, const std::string& tenant_id,
                           const std::string& traceparent) {
  add_tombstone(tx, entity_id, tenant_id);
  auto user = find_user_by_entity(tx.session(), entity_id);
  if (!user) return;
  // Locked, so that two of its entities deleted at once on two instances
  // cannot each see the other's membership and both leave the account live.
  lock_user(tx, *user);
  remove_membership(tx, entity_id);
  if (user->memberships.size() > 1) return;  // the person keeps the other roles
  // Disabled with the membership still in hand, so that UserDisabled names
  // the entity to its owner and the other services refuse the tokens.
  disable_account(tx, effects, *user, traceparent);
}

}  // namespace emis::identity
