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

void add_teacher_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects, std::string region,
                          const CodeDelivery* first_code) {
  using contracts::TeacherCreated;
  using contracts::TeacherDeleted;
  using contracts::TeacherUpdated;
  using eventbus::IncomingEvent;

  handlers.on<TeacherCreated>([outbox = &effects.outbox, region, first_code](
                                  store::Transaction& tx, const TeacherCreated& e, const IncomingEvent& in) {
    auto user = provision_account(
        tx, *outbox,
        {e.teacher_id, "Teacher", role::teacher, e.tenant_id, e.phone_number, e.full_name, e.email}, region,
        in.traceparent);
    if (!user) return;
    // Changes that came before the create (another topic) apply now.
    if (const auto pending = take_pending_update(tx, e.teacher_id))
      apply_changes(tx, *user, TeacherUpdated::from_json(*pending), region);
    // After the changes: the code goes to the phone the teacher has now.
    if (first_code) first_code->send_new_code(tx, *user, CodePurpose::activation);
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
        retire_entity_account(tx, effects, e.teacher_id, e.tenant_id, in.traceparent);
      });
}

}  // namespace emis::identity
