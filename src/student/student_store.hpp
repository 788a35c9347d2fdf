// The students table and the guardian links between students and parents:
// every SQL statement of the Student service's students.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "student/student.hpp"

namespace emis::student {

// The whole schema of the service's domain, parents included.
std::vector<store::Migration> student_migrations();

struct StudentQuery {
  std::string tenant_id;
  int page_number = 1;
  int page_size = 20;
  std::optional<std::string> search_term;  // name or student code
};

struct StudentPage {
  std::vector<Student> items;
  long long total_count = 0;
};

void insert_student(store::Transaction& tx, const Student& student);
// Writes the fields of `student` (not its guardians); false when there is no
// such live student.
bool update_student(store::Transaction& tx, const Student& student);
// Marks the student deleted; false when there is no such live student.
bool delete_student(store::Transaction& tx, const std::string& tenant_id, const std::string& id);

// With its guardians, in the order they were given.
std::optional<Student> find_student(soci::session& s, const std::string& tenant_id, const std::string& id);
StudentPage list_students(soci::session& s, const StudentQuery& query);

// Links the student to each guardian's parent (parent_id set).
void link_guardians(store::Transaction& tx, const std::string& student_id,
                    const std::vector<Guardian>& guardians);
// Removes every link of the student; returns the parents it was linked to.
std::vector<std::string> unlink_guardians(store::Transaction& tx, const std::string& student_id);

}  // namespace emis::student
