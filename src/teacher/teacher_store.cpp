#include "teacher/teacher_store.hpp"

#include "core/errors.hpp"
#include "store/row.hpp"
#include "store/search.hpp"
#include "store/soft_delete.hpp"
#include "store/statement_cache.hpp"

namespace emis::teacher {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, full_name, phone_number, email, gender, date_of_birth, hire_date, address, status, "
    "user_id, "
    "account_status, created_at, updated_at, account_status_reason";

// Built once, not at every call.
const std::string kFindTeacher =
    std::string("SELECT ") + kColumns +
    " FROM teachers WHERE id = :id AND tenant_id = :tenant AND deleted_at IS NULL";

Teacher from_row(const soci::row& r) {
  Teacher t;
  t.id = r.get<std::string>(0);
  t.tenant_id = r.get<std::string>(1);
  t.fields.full_name = r.get<std::string>(2);
  t.fields.phone_number = r.get<std::string>(3);
  t.fields.email = store::optional_text(r, 4);
  t.fields.gender = store::optional_text(r, 5);
  t.fields.date_of_birth = store::optional_text(r, 6);
  t.fields.hire_date = store::optional_text(r, 7);
  if (auto address = store::optional_text(r, 8)) t.fields.address = nlohmann::json::parse(*address);
  t.fields.status = r.get<std::string>(9);
  t.user_id = store::optional_text(r, 10);
  t.account_status = r.get<std::string>(11);
  t.created_at = r.get<std::string>(12);
  t.updated_at = r.get<std::string>(13);
  t.account_status_reason = store::optional_text(r, 14);
  return t;
}

[[noreturn]] void throw_duplicate_phone() {
  throw core::DomainError(core::ErrorKind::conflict, "Duplicate phone number",
                          "A teacher with this phone number already exists in the tenant.",
                          {{"phoneNumber", "A teacher with this phone number already exists."}});
}

// The optional columns of a teacher, bound the same way by insert and update.
struct OptionalFields {
  store::Nullable email, gender, dob, hire, address;
  explicit OptionalFields(const TeacherInput& in)
      : email(in.email),
        gender(in.gender),
        dob(in.date_of_birth),
        hire(in.hire_date),
        address(in.address ? std::optional<std::string>(in.address->dump()) : std::nullopt) {}
};

}  // namespace

std::vector<store::Migration> teacher_migrations() {
  return {{1,
           "teachers",
           {"CREATE TABLE teachers ("
            " id TEXT PRIMARY KEY,"
            " tenant_id TEXT NOT NULL,"
            " full_name TEXT NOT NULL,"
            " phone_number TEXT NOT NULL,"
            " email TEXT,"
            " gender TEXT,"
            " date_of_birth TEXT,"
            " hire_date TEXT,"
            " address TEXT,"
            " status TEXT NOT NULL,"
            " user_id TEXT,"
            " account_status TEXT NOT NULL DEFAULT 'None',"
            " created_at TEXT NOT NULL,"
            " updated_at TEXT NOT NULL,"
            " deleted_at TEXT)",
            // A phone is unique among a tenant's live teachers; a deleted teacher frees it.
            "CREATE UNIQUE INDEX teachers_tenant_phone ON teachers (tenant_id, phone_number) WHERE "
            "deleted_at IS NULL",
            "CREATE INDEX teachers_tenant_created ON teachers (tenant_id, created_at) WHERE deleted_at IS "
            "NULL"}},
          {2,
           "account state time",
           {// When Identity changed the account shown (occurredOn of its event):
            // an account now also goes back from Disabled, so the latest change
            // wins rather than the furthest status.
            "ALTER TABLE teachers ADD COLUMN account_changed_at_ms BIGINT NOT NULL DEFAULT 0"}},
          {3,
           "account failure reason",
           {// Why Identity declined to make the account (accountStatus Failed).
            "ALTER TABLE teachers ADD COLUMN account_status_reason TEXT"}}};
}

void insert_teacher(store::Transaction& tx, const Teacher& t) {
  OptionalFields o(t.fields);  // not const: SOCI binds the indicators by reference
  try {
    tx.run(
        "INSERT INTO teachers (id, tenant_id, full_name, phone_number, email, gender, date_of_birth, "
        "hire_date, address, status, account_status, created_at, updated_at) VALUES (:id, :tenant, "
        ":name, :phone, :email, :gender, :dob, :hire, :address, :status, 'None', :created, :updated)",
        soci::use(t.id), soci::use(t.tenant_id), soci::use(t.fields.full_name),
        soci::use(t.fields.phone_number), soci::use(o.email.value, o.email.ind),
        soci::use(o.gender.value, o.gender.ind), soci::use(o.dob.value, o.dob.ind),
        soci::use(o.hire.value, o.hire.ind), soci::use(o.address.value, o.address.ind),
        soci::use(t.fields.status), soci::use(t.created_at), soci::use(t.updated_at));
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e)) throw_duplicate_phone();
    throw;
  }
}

bool update_teacher(store::Transaction& tx, const Teacher& t) {
  OptionalFields o(t.fields);  // not const: SOCI binds the indicators by reference
  try {
    return tx.run(
               "UPDATE teachers SET full_name = :name, phone_number = :phone, email = :email, "
               "gender = :gender, date_of_birth = :dob, hire_date = :hire, address = :address, "
               "status = :status, updated_at = :updated "
               "WHERE id = :id AND tenant_id = :tenant AND deleted_at IS NULL",
               soci::use(t.fields.full_name), soci::use(t.fields.phone_number),
               soci::use(o.email.value, o.email.ind), soci::use(o.gender.value, o.gender.ind),
               soci::use(o.dob.value, o.dob.ind), soci::use(o.hire.value, o.hire.ind),
               soci::use(o.address.value, o.address.ind), soci::use(t.fields.status), soci::use(t.updated_at),
               soci::use(t.id), soci::use(t.tenant_id)) > 0;
  } catch (const std::exception& e) {
    if (store::is_unique_violation(e)) throw_duplicate_phone();
    throw;
  }
}

bool delete_teacher(store::Transaction& tx, const std::string& tenant_id, const std::string& id) {
  return store::soft_delete(tx, "teachers", tenant_id, id);
}

std::optional<Teacher> find_teacher(soci::session& s, const std::string& tenant_id, const std::string& id) {
  std::optional<Teacher> teacher;
  store::for_each_row(
      s, kFindTeacher, [&](const soci::row& r) { teacher = from_row(r); }, id, tenant_id);
  return teacher;
}

TeacherPage list_teachers(soci::session& s, const TeacherQuery& q) {
  std::string where = " FROM teachers WHERE tenant_id = :tenant AND deleted_at IS NULL";
  const std::string pattern = q.search_term ? store::like_pattern(*q.search_term) : "";
  const std::string status = q.status.value_or("");
  // Unused filters bind to conditions that are always true, so one statement serves every query.
  // LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
  where +=
      " AND (:no_search = 1 OR LOWER(full_name) LIKE LOWER(:p1) ESCAPE '\\'"
      " OR phone_number LIKE :p2 ESCAPE '\\' OR LOWER(email) LIKE LOWER(:p3) ESCAPE '\\')";
  where += " AND (:no_status = 1 OR status = :status)";
  const int no_search = q.search_term ? 0 : 1;
  const int no_status = q.status ? 0 : 1;

  TeacherPage page;
  s << "SELECT COUNT(*)" << where, soci::use(q.tenant_id), soci::use(no_search), soci::use(pattern),
      soci::use(pattern), soci::use(pattern), soci::use(no_status), soci::use(status),
      soci::into(page.total_count);
  const int offset = (q.page_number - 1) * q.page_size;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns << where << " ORDER BY created_at, id LIMIT :limit OFFSET :offset",
       soci::use(q.tenant_id), soci::use(no_search), soci::use(pattern), soci::use(pattern),
       soci::use(pattern), soci::use(no_status), soci::use(status), soci::use(q.page_size),
       soci::use(offset));
  for (const auto& r : rows) page.items.push_back(from_row(r));
  return page;
}

}  // namespace emis::teacher
