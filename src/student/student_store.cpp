#include "student/student_store.hpp"

#include "store/row.hpp"
#include "store/search.hpp"
#include "store/soft_delete.hpp"

namespace emis::student {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, full_name, student_code, date_of_birth, gender, class_name, created_at, updated_at";

Student from_row(const soci::row& r) {
  Student t;
  t.id = r.get<std::string>(0);
  t.tenant_id = r.get<std::string>(1);
  t.fields.full_name = r.get<std::string>(2);
  t.fields.student_code = store::optional_text(r, 3);
  t.fields.date_of_birth = store::optional_text(r, 4);
  t.fields.gender = store::optional_text(r, 5);
  t.fields.class_name = store::optional_text(r, 6);
  t.created_at = r.get<std::string>(7);
  t.updated_at = r.get<std::string>(8);
  return t;
}

std::vector<Guardian> guardians_of(soci::session& s, const std::string& student_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT g.parent_id, p.full_name, p.phone_number, p.email, g.relationship "
                    "FROM student_guardians g JOIN parents p ON p.id = g.parent_id "
                    "WHERE g.student_id = :id ORDER BY g.position",
       soci::use(student_id));
  std::vector<Guardian> guardians;
  for (const auto& r : rows)
    guardians.push_back(
        {r.get<std::string>(0),
         {r.get<std::string>(1), r.get<std::string>(2), store::optional_text(r, 3), r.get<std::string>(4)}});
  return guardians;
}

// The optional columns of a student, bound the same way by insert and update.
struct OptionalFields {
  store::Nullable code, dob, gender, class_name;
  explicit OptionalFields(const StudentInput& in)
      : code(in.student_code), dob(in.date_of_birth), gender(in.gender), class_name(in.class_name) {}
};

}  // namespace

std::vector<store::Migration> student_migrations() {
  return {{1,
           "students, parents and their links",
           {"CREATE TABLE students ("
            " id TEXT PRIMARY KEY,"
            " tenant_id TEXT NOT NULL,"
            " full_name TEXT NOT NULL,"
            " student_code TEXT,"
            " date_of_birth TEXT,"
            " gender TEXT,"
            " class_name TEXT,"
            " created_at TEXT NOT NULL,"
            " updated_at TEXT NOT NULL,"
            " deleted_at TEXT)",
            "CREATE INDEX students_tenant_created ON students (tenant_id, created_at) WHERE deleted_at IS "
            "NULL",
            "CREATE TABLE parents ("
            " id TEXT PRIMARY KEY,"
            " tenant_id TEXT NOT NULL,"
            " phone_number TEXT NOT NULL,"
            " full_name TEXT NOT NULL,"
            " email TEXT,"
            " user_id TEXT,"
            " account_status TEXT NOT NULL DEFAULT 'None',"
            " account_status_reason TEXT,"
            " account_changed_at_ms BIGINT NOT NULL DEFAULT 0,"
            " created_at TEXT NOT NULL,"
            " updated_at TEXT NOT NULL,"
            " deleted_at TEXT)",
            // One live parent per phone in a tenant: every child of that phone links to it.
            "CREATE UNIQUE INDEX parents_tenant_phone ON parents (tenant_id, phone_number) WHERE "
            "deleted_at IS NULL",
            // Links of live students only: deleting a student removes its links.
            "CREATE TABLE student_guardians ("
            " student_id TEXT NOT NULL REFERENCES students (id),"
            " parent_id TEXT NOT NULL REFERENCES parents (id),"
            " relationship TEXT NOT NULL,"
            " position INTEGER NOT NULL,"
            " PRIMARY KEY (student_id, parent_id))",
            "CREATE INDEX student_guardians_parent ON student_guardians (parent_id)"}}};
}

void insert_student(store::Transaction& tx, const Student& t) {
  OptionalFields o(t.fields);  // not const: SOCI binds the indicators by reference
  tx.session() << "INSERT INTO students (id, tenant_id, full_name, student_code, date_of_birth, gender, "
                  "class_name, created_at, updated_at) VALUES (:id, :tenant, :name, :code, :dob, :gender, "
                  ":class, :created, :updated)",
      soci::use(t.id), soci::use(t.tenant_id), soci::use(t.fields.full_name),
      soci::use(o.code.value, o.code.ind), soci::use(o.dob.value, o.dob.ind),
      soci::use(o.gender.value, o.gender.ind), soci::use(o.class_name.value, o.class_name.ind),
      soci::use(t.created_at), soci::use(t.updated_at);
}

bool update_student(store::Transaction& tx, const Student& t) {
  OptionalFields o(t.fields);
  soci::statement st =
      (tx.session().prepare << "UPDATE students SET full_name = :name, student_code = :code, "
                               "date_of_birth = :dob, gender = :gender, class_name = :class, "
                               "updated_at = :updated WHERE id = :id AND tenant_id = :tenant AND "
                               "deleted_at IS NULL",
       soci::use(t.fields.full_name), soci::use(o.code.value, o.code.ind), soci::use(o.dob.value, o.dob.ind),
       soci::use(o.gender.value, o.gender.ind), soci::use(o.class_name.value, o.class_name.ind),
       soci::use(t.updated_at), soci::use(t.id), soci::use(t.tenant_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool delete_student(store::Transaction& tx, const std::string& tenant_id, const std::string& id) {
  return store::soft_delete(tx, "students", tenant_id, id);
}

std::optional<Student> find_student(soci::session& s, const std::string& tenant_id, const std::string& id) {
  std::optional<Student> found;
  {
    soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kColumns
                                              << " FROM students WHERE id = :id AND tenant_id = :tenant "
                                                 "AND deleted_at IS NULL",
                                    soci::use(id), soci::use(tenant_id));
    for (const auto& r : rows) found = from_row(r);
  }
  if (found) found->guardians = guardians_of(s, found->id);
  return found;
}

StudentPage list_students(soci::session& s, const StudentQuery& q) {
  std::string where = " FROM students WHERE tenant_id = :tenant AND deleted_at IS NULL";
  const std::string pattern = q.search_term ? store::like_pattern(*q.search_term) : "";
  // An unused filter binds to a condition that is always true, so one statement serves every query.
  where +=
      " AND (:no_search = 1 OR LOWER(full_name) LIKE LOWER(:p1) ESCAPE '\\'"
      " OR LOWER(student_code) LIKE LOWER(:p2) ESCAPE '\\')";
  const int no_search = q.search_term ? 0 : 1;
  StudentPage page;
  s << "SELECT COUNT(*)" << where, soci::use(q.tenant_id), soci::use(no_search), soci::use(pattern),
      soci::use(pattern), soci::into(page.total_count);
  const int offset = (q.page_number - 1) * q.page_size;
  {
    soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kColumns << where
                                              << " ORDER BY created_at, id LIMIT :limit OFFSET :offset",
                                    soci::use(q.tenant_id), soci::use(no_search), soci::use(pattern),
                                    soci::use(pattern), soci::use(q.page_size), soci::use(offset));
    for (const auto& r : rows) page.items.push_back(from_row(r));
  }
  for (auto& student : page.items) student.guardians = guardians_of(s, student.id);
  return page;
}

void link_guardians(store::Transaction& tx, const std::string& student_id,
                    const std::vector<Guardian>& guardians) {
  int position = 0;
  for (const auto& g : guardians) {
    tx.session() << "INSERT INTO student_guardians (student_id, parent_id, relationship, position) "
                    "VALUES (:student, :parent, :relationship, :position)",
        soci::use(student_id), soci::use(g.parent_id), soci::use(g.fields.relationship), soci::use(position);
    ++position;
  }
}

std::vector<std::string> unlink_guardians(store::Transaction& tx, const std::string& student_id) {
  std::vector<std::string> parents;
  {
    soci::rowset<std::string> rows =
        (tx.session().prepare
             << "SELECT parent_id FROM student_guardians WHERE student_id = :id ORDER BY position",
         soci::use(student_id));
    for (const auto& id : rows) parents.push_back(id);
  }
  tx.session() << "DELETE FROM student_guardians WHERE student_id = :id", soci::use(student_id);
  return parents;
}

}  // namespace emis::student
