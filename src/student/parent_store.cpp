#include "student/parent_store.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/row.hpp"

namespace emis::student {
namespace {

constexpr const char* kColumns =
    "SELECT id, tenant_id, phone_number, full_name, email, user_id, account_status, account_status_reason, "
    "created_at, updated_at FROM parents ";

Parent from_row(const soci::row& r) {
  Parent p;
  p.id = r.get<std::string>(0);
  p.tenant_id = r.get<std::string>(1);
  p.phone_number = r.get<std::string>(2);
  p.full_name = r.get<std::string>(3);
  p.email = store::optional_text(r, 4);
  p.user_id = store::optional_text(r, 5);
  p.account_status = r.get<std::string>(6);
  p.account_status_reason = store::optional_text(r, 7);
  p.created_at = r.get<std::string>(8);
  p.updated_at = r.get<std::string>(9);
  return p;
}

std::optional<std::string> live_parent_id(soci::session& s, const std::string& tenant_id,
                                          const std::string& phone) {
  std::string id;
  soci::indicator ind = soci::i_null;
  s << "SELECT id FROM parents WHERE tenant_id = :tenant AND phone_number = :phone AND deleted_at IS NULL",
      soci::use(tenant_id), soci::use(phone), soci::into(id, ind);
  if (ind != soci::i_ok) return std::nullopt;
  return id;
}

template <class... Params>
std::optional<Parent> select_parent(soci::session& s, const std::string& where, const Params&... params) {
  std::optional<Parent> found;
  {
    soci::rowset<soci::row> rows = ((s.prepare << kColumns + where), ..., soci::use(params));
    for (const auto& r : rows) found = from_row(r);
  }
  if (found) {
    soci::rowset<std::string> children =
        (s.prepare << "SELECT g.student_id FROM student_guardians g JOIN students st ON st.id = g.student_id "
                      "WHERE g.parent_id = :id ORDER BY st.created_at, st.id",
         soci::use(found->id));
    for (const auto& id : children) found->student_ids.push_back(id);
  }
  return found;
}

}  // namespace

ResolvedParent resolve_parent(store::Transaction& tx, const std::string& tenant_id,
                              const GuardianInput& guardian) {
  auto& s = tx.session();
  if (auto id = live_parent_id(s, tenant_id, guardian.phone_number)) return {*id, false};
  const auto id = core::new_uuid();
  const auto now = core::now_iso8601();
  store::Nullable email(guardian.email);
  // DO NOTHING: a concurrent writer that made this phone's parent first wins
  // (PostgreSQL waits for its commit), and the lookup below finds its row
  // rather than failing the whole transaction on the unique index.
  soci::statement st =
      (s.prepare
           << "INSERT INTO parents (id, tenant_id, phone_number, full_name, email, created_at, updated_at) "
              "VALUES (:id, :tenant, :phone, :name, :email, :created, :updated) ON CONFLICT DO NOTHING",
       soci::use(id), soci::use(tenant_id), soci::use(guardian.phone_number), soci::use(guardian.full_name),
       soci::use(email.value, email.ind), soci::use(now), soci::use(now));
  st.execute(true);
  if (st.get_affected_rows() > 0) return {id, true};
  return {live_parent_id(s, tenant_id, guardian.phone_number).value(), false};
}

bool retire_if_childless(store::Transaction& tx, const std::string& parent_id) {
  const auto now = core::now_iso8601();
  soci::statement st =
      (tx.session().prepare << "UPDATE parents SET deleted_at = :now, updated_at = :now2 WHERE id = :id AND "
                               "deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM student_guardians "
                               "WHERE parent_id = :id2)",
       soci::use(now), soci::use(now), soci::use(parent_id), soci::use(parent_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::optional<Parent> find_parent(soci::session& s, const std::string& tenant_id, const std::string& id) {
  return select_parent(s, "WHERE id = :id AND tenant_id = :tenant AND deleted_at IS NULL", id, tenant_id);
}

std::optional<Parent> find_parent_by_phone(soci::session& s, const std::string& tenant_id,
                                           const std::string& phone) {
  return select_parent(s, "WHERE tenant_id = :tenant AND phone_number = :phone AND deleted_at IS NULL",
                       tenant_id, phone);
}

}  // namespace emis::student
