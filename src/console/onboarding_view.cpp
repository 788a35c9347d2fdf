#include "console/onboarding_view.hpp"

#include "console/event_story.hpp"
#include "contracts/identity_events.hpp"
#include "contracts/teacher_events.hpp"
#include "store/row.hpp"

namespace emis::console {
namespace {

// The row exists from the first event of the teacher on, whichever it is.
void ensure_row(store::Transaction& tx, const std::string& teacher_id, const std::string& tenant_id) {
  tx.session() << "INSERT INTO console_onboarding (teacher_id, tenant_id, full_name, phone_number, status,"
                  " user_id, status_at_ms, created_at_ms, deleted)"
                  " VALUES (:id, :tenant, '', '', 'None', '', 0, 0, 0) ON CONFLICT (teacher_id) DO NOTHING",
      soci::use(teacher_id), soci::use(tenant_id);
}

void on_created(store::Transaction& tx, const contracts::TeacherCreated& e,
                const eventbus::IncomingEvent& in) {
  ensure_row(tx, e.teacher_id, e.tenant_id);
  record_story_event(tx, in, e.teacher_id, e.tenant_id);
  const long long at = contracts::account_changed_at_ms(in);
  tx.session()
      << "UPDATE console_onboarding SET full_name = :name, phone_number = :phone, created_at_ms = :at"
         " WHERE teacher_id = :id",
      soci::use(e.full_name), soci::use(e.phone_number), soci::use(at), soci::use(e.teacher_id);
}

void on_updated(store::Transaction& tx, const contracts::TeacherUpdated& e,
                const eventbus::IncomingEvent& in) {
  ensure_row(tx, e.teacher_id, e.tenant_id);
  record_story_event(tx, in, e.teacher_id, e.tenant_id);
  if (e.full_name)
    tx.session() << "UPDATE console_onboarding SET full_name = :name WHERE teacher_id = :id",
        soci::use(*e.full_name), soci::use(e.teacher_id);
  if (e.phone_number)
    tx.session() << "UPDATE console_onboarding SET phone_number = :phone WHERE teacher_id = :id",
        soci::use(*e.phone_number), soci::use(e.teacher_id);
}

void on_deleted(store::Transaction& tx, const contracts::TeacherDeleted& e,
                const eventbus::IncomingEvent& in) {
  ensure_row(tx, e.teacher_id, e.tenant_id);  // a tombstone when the create is still to come
  record_story_event(tx, in, e.teacher_id, e.tenant_id);
  tx.session() << "UPDATE console_onboarding SET deleted = 1 WHERE teacher_id = :id", soci::use(e.teacher_id);
}

// What Identity said of a teacher's account (Failed with its reason when it
// declined to make one: the shown user id then stays).
struct AccountChange {
  std::string user_id;
  std::string status;
  std::string reason;
};

void apply_account(store::Transaction& tx, const std::string& teacher_id, const std::string& tenant_id,
                   const AccountChange& change, const eventbus::IncomingEvent& in) {
  ensure_row(tx, teacher_id, tenant_id);
  record_story_event(tx, in, teacher_id, tenant_id);
  std::string current;
  long long current_at = 0;
  tx.session() << "SELECT status, status_at_ms FROM console_onboarding WHERE teacher_id = :id",
      soci::use(teacher_id), soci::into(current), soci::into(current_at);
  const long long at = contracts::account_changed_at_ms(in);
  if (!contracts::account_change_supersedes(at, change.status, current_at, current)) return;
  tx.session()
      << "UPDATE console_onboarding SET status = :status, status_reason = :reason, status_at_ms = :at"
         " WHERE teacher_id = :id",
      soci::use(change.status), soci::use(change.reason), soci::use(at), soci::use(teacher_id);
  if (!change.user_id.empty())
    tx.session() << "UPDATE console_onboarding SET user_id = :user WHERE teacher_id = :id",
        soci::use(change.user_id), soci::use(teacher_id);
}

void on_account(store::Transaction& tx, const contracts::UserAccountState& e,
                const eventbus::IncomingEvent& in) {
  if (e.entity_type != "Teacher" || e.entity_id.empty()) return;  // accounts of other kinds
  apply_account(tx, e.entity_id, e.tenant_id, {e.user_id, e.status, {}}, in);
}

void on_provisioning_failed(store::Transaction& tx, const contracts::AccountProvisioningFailed& e,
                            const eventbus::IncomingEvent& in) {
  if (e.entity_type != "Teacher" || e.entity_id.empty()) return;  // a parent's, say
  apply_account(tx, e.entity_id, e.tenant_id, {{}, "Failed", e.reason}, in);
}

template <class Event>
void follow_account(eventbus::HandlerRegistry& handlers) {
  handlers.on<Event>([](store::Transaction& tx, const Event& e, const eventbus::IncomingEvent& in) {
    on_account(tx, e, in);
  });
}

OnboardingEntry entry_of(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1),     r.get<std::string>(2), r.get<std::string>(3),
          r.get<std::string>(4), store::int64_column(r, 5), r.get<std::string>(6)};
}

constexpr const char* kEntryColumns =
    "teacher_id, full_name, phone_number, status, user_id, status_at_ms, status_reason";

}  // namespace

std::vector<store::Migration> onboarding_migrations() {
  std::vector<store::Migration> migrations{
      {1,
       "console_onboarding",
       {"CREATE TABLE console_onboarding ("
        " teacher_id TEXT PRIMARY KEY,"
        " tenant_id TEXT NOT NULL,"
        " full_name TEXT NOT NULL,"
        " phone_number TEXT NOT NULL,"
        " status TEXT NOT NULL,"
        " user_id TEXT NOT NULL,"
        " status_at_ms BIGINT NOT NULL,"
        " created_at_ms BIGINT NOT NULL,"
        " deleted INTEGER NOT NULL)",
        "CREATE INDEX console_onboarding_tenant ON console_onboarding (tenant_id, status)",
        "CREATE INDEX console_onboarding_phone ON console_onboarding (tenant_id, phone_number)"}},
      {3,
       "console_onboarding_status_reason",
       {"ALTER TABLE console_onboarding ADD COLUMN status_reason TEXT NOT NULL DEFAULT ''"}}};
  // The stories are part of the same read model, fed by the same handlers.
  for (auto& m : event_story_migrations()) migrations.push_back(std::move(m));
  return migrations;
}

void add_onboarding_handlers(eventbus::HandlerRegistry& handlers) {
  handlers.on<contracts::TeacherCreated>(on_created);
  handlers.on<contracts::TeacherUpdated>(on_updated);
  handlers.on<contracts::TeacherDeleted>(on_deleted);
  follow_account<contracts::UserAccountCreated>(handlers);
  follow_account<contracts::UserActivated>(handlers);
  follow_account<contracts::UserDisabled>(handlers);
  handlers.on<contracts::AccountProvisioningFailed>(on_provisioning_failed);
}

std::vector<OnboardingEntry> OnboardingView::statuses(const std::string& tenant,
                                                      const std::vector<std::string>& ids) const {
  return db_.read([&](soci::session& s) {
    std::vector<OnboardingEntry> out;
    for (const auto& id : ids) {
      soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kEntryColumns
                                                << " FROM console_onboarding WHERE teacher_id = :id"
                                                   " AND tenant_id = :tenant AND deleted = 0",
                                      soci::use(id), soci::use(tenant));
      for (const auto& r : rows) out.push_back(entry_of(r));
    }
    return out;
  });
}

OnboardingOverview OnboardingView::overview(const std::string& tenant, int longest) const {
  return db_.read([&](soci::session& s) {
    OnboardingOverview out;
    for (const char* status : {"None", "PendingActivation", "Active", "Disabled", "Failed"})
      out.counts[status] = 0;
    soci::rowset<soci::row> counts =
        (s.prepare << "SELECT status, COUNT(*) FROM console_onboarding"
                      " WHERE tenant_id = :tenant AND deleted = 0 GROUP BY status",
         soci::use(tenant));
    for (const auto& r : counts) out.counts[r.get<std::string>(0)] = store::int64_column(r, 1);
    soci::rowset<soci::row> pending =
        (s.prepare << "SELECT " << kEntryColumns
                   << " FROM console_onboarding WHERE tenant_id = :tenant AND deleted = 0"
                      " AND status = 'PendingActivation' ORDER BY status_at_ms LIMIT :n",
         soci::use(tenant), soci::use(longest));
    for (const auto& r : pending) out.longest_pending.push_back(entry_of(r));
    return out;
  });
}

std::set<std::string> OnboardingView::existing_phones(const std::string& tenant,
                                                      const std::vector<std::string>& phones) const {
  return db_.read([&](soci::session& s) {
    std::set<std::string> out;
    for (const auto& phone : phones) {
      int n = 0;
      s << "SELECT COUNT(*) FROM console_onboarding WHERE tenant_id = :tenant AND phone_number = :phone"
           " AND deleted = 0",
          soci::use(tenant), soci::use(phone), soci::into(n);
      if (n > 0) out.insert(phone);
    }
    return out;
  });
}

}  // namespace emis::console
