#include "identity/teacher_handlers.hpp"

#include <spdlog/spdlog.h>

#include "contracts/teacher_events.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "eventbus/errors.hpp"
#include "identity/account_events.hpp"
#include "identity/account_status.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

std::string e164_or_reject(const std::string& phone, const std::string& region) {
  auto e164 = core::normalize_phone(phone, region);
  if (!e164) throw eventbus::PermanentError("validation", "phone number '" + phone + "' is not valid");
  return *e164;
}

void reject_phone_taken(soci::session& s, const std::string& tenant_id, const std::string& phone,
                        const std::string& entity_id) {
  if (const auto other = find_user_by_phone(s, tenant_id, phone);
      other && other->entity_id != entity_id && other->status != status::disabled)
    throw eventbus::PermanentError("conflict", "phone " + phone + " already belongs to user " + other->id +
                                                   " in tenant " + tenant_id + "; accounts are never merged");
}

// Applies a TeacherUpdated's changed fields to the teacher's account.
void apply_changes(store::Transaction& tx, User& user, const contracts::TeacherUpdated& e,
                   const std::string& region) {
  if (e.phone_number) {
    const auto phone = e164_or_reject(*e.phone_number, region);
    reject_phone_taken(tx.session(), user.tenant_id, phone, e.teacher_id);
    user.phone_number = phone;
  }
  if (e.full_name) user.full_name = *e.full_name;
  if (e.email) user.email = e.email->empty() ? std::nullopt : e.email;
  user.updated_at = core::now_iso8601();
  update_user(tx, user);
}

}  // namespace

void add_teacher_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects, std::string region) {
  using contracts::TeacherCreated;
  using contracts::TeacherDeleted;
  using contracts::TeacherUpdated;
  using eventbus::IncomingEvent;

  handlers.on<TeacherCreated>([outbox = &effects.outbox, region](
                                  store::Transaction& tx, const TeacherCreated& e, const IncomingEvent& in) {
    auto& s = tx.session();
    const auto known = entity_state(s, e.teacher_id);
    if (known.tombstoned) {
      spdlog::info("teacher {} was deleted before its create arrived; no account", e.teacher_id);
      return;
    }
    if (known.has_user) return;  // the same teacher again
    const auto phone = e164_or_reject(e.phone_number, region);
    User u;
    u.id = core::new_uuid();
    u.tenant_id = e.tenant_id;
    u.phone_number = phone;
    if (!e.email.empty()) u.email = e.email;
    u.full_name = e.full_name;
    u.role = role::teacher;
    u.status = status::pending_activation;
    u.entity_id = e.teacher_id;
    u.entity_type = "Teacher";
    u.created_at = u.updated_at = core::now_iso8601();
    try {
      insert_user(tx, u);
    } catch (const core::DomainError& error) {
      // The phone index refuses a second live account with this phone in
      // the tenant: the insert itself is the check, the lookup only
      // names the holder (a query per event saved).
      if (error.kind() != core::ErrorKind::conflict) throw;
      reject_phone_taken(s, e.tenant_id, phone, e.teacher_id);
      throw;
    }
    if (const auto pending = known.pending_update ? take_pending_update(tx, e.teacher_id) : std::nullopt)
      apply_changes(tx, u, TeacherUpdated::from_json(*pending), region);
    publish_account<contracts::UserAccountCreated>(tx, *outbox, u, in.traceparent);
  });

  handlers.on<TeacherUpdated>(
      [region](store::Transaction& tx, const TeacherUpdated& e, const IncomingEvent&) {
        auto user = find_user_by_entity(tx.session(), e.teacher_id);
        if (!user) {
          // Its create travels on another topic and may come later, with the
          // fields as they were at creation: keep the changes until then.
          if (!has_tombstone(tx.session(), e.teacher_id)) save_pending_update(tx, e.teacher_id, e.to_json());
          return;
        }
        if (user->status == status::disabled) return;
        apply_changes(tx, *user, e, region);
      });

  handlers.on<TeacherDeleted>(
      [effects](store::Transaction& tx, const TeacherDeleted& e, const IncomingEvent& in) {
        add_tombstone(tx, e.teacher_id, e.tenant_id);
        if (auto user = find_user_by_entity(tx.session(), e.teacher_id))
          disable_account(tx, effects, *user, in.traceparent);
      });
}

}  // namespace emis::identity
