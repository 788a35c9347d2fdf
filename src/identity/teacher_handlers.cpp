#include "identity/teacher_handlers.hpp"

#include "contracts/teacher_events.hpp"
#include "core/clock.hpp"
#include "core/phone.hpp"
#include "eventbus/errors.hpp"
#include "identity/entity_accounts.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

std::string e164_or_reject(const std::string& phone, const std::string& region) {
  auto e164 = core::normalize_phone(phone, region);
  if (!e164) throw eventbus::PermanentError("validation", "phone number '" + phone + "' is not valid");
  return *e164;
}

// Applies a TeacherUpdated's changed fields to the teacher's account: the
// person's name and email, and a new phone (which may move the teacher's
// membership to another account). Returns the account made for it, if one
// was: its first code is due.
std::optional<User> apply_changes(store::Transaction& tx, const AccountEffects& effects, User& user,
                                  const contracts::TeacherUpdated& e, const std::string& region,
                                  const std::string& traceparent) {
  // The person's name and email are every school's: one school's records
  // change them only on an account of its own.
  if ((e.full_name || e.email) && user.only_in(e.tenant_id)) {
    if (e.full_name) user.full_name = *e.full_name;
    if (e.email) user.email = e.email->empty() ? std::nullopt : e.email;
    user.updated_at = core::now_iso8601();
    update_user(tx, user);
  }
  if (!e.phone_number) return std::nullopt;
  return change_entity_phone(tx, effects, user, e.teacher_id, e164_or_reject(*e.phone_number, region),
                             traceparent);
}

}  // namespace

void add_teacher_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects, std::string region,
                          const CodeDelivery* first_code) {
  using contracts::TeacherCreated;
  using contracts::TeacherDeleted;
  using contracts::TeacherUpdated;
  using eventbus::IncomingEvent;

  handlers.on<TeacherCreated>([effects, region, first_code](store::Transaction& tx, const TeacherCreated& e,
                                                            const IncomingEvent& in) {
    auto provisioned = provision_account(
        tx, effects.outbox,
        {e.teacher_id, "Teacher", role::teacher, e.tenant_id, e.phone_number, e.full_name, e.email}, region,
        in.traceparent);
    if (!provisioned) return;
    auto& user = provisioned->account;
    // Changes that came before the create (another topic) apply now.
    std::optional<User> moved_to;
    if (const auto pending = take_pending_update(tx, e.teacher_id))
      moved_to =
          apply_changes(tx, effects, user, TeacherUpdated::from_json(*pending), region, in.traceparent);
    if (!first_code) return;
    // After the changes: the code goes to the phone the teacher has now.
    if (moved_to)
      first_code->send_new_code(tx, *moved_to, CodePurpose::activation);
    else if (provisioned->made && user.status == status::pending_activation)
      first_code->send_new_code(tx, user, CodePurpose::activation);
  });

  handlers.on<TeacherUpdated>([effects, region, first_code](store::Transaction& tx, const TeacherUpdated& e,
                                                            const IncomingEvent& in) {
    auto user = find_user_by_entity(tx.session(), e.teacher_id);
    if (!user) {
      // Its create travels on another topic and may come later, with the
      // fields as they were at creation: keep the changes until then.
      if (!has_tombstone(tx.session(), e.teacher_id)) save_pending_update(tx, e.teacher_id, e.to_json());
      return;
    }
    if (user->status == status::disabled) return;
    const auto made = apply_changes(tx, effects, *user, e, region, in.traceparent);
    if (made && first_code) first_code->send_new_code(tx, *made, CodePurpose::activation);
  });

  handlers.on<TeacherDeleted>(
      [effects](store::Transaction& tx, const TeacherDeleted& e, const IncomingEvent& in) {
        retire_entity_account(tx, effects, e.teacher_id, e.tenant_id, in.traceparent);
      });
}

}  // namespace emis::identity
