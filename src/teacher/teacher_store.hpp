// The teachers table: every SQL statement of the Teacher service's domain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "teacher/teacher.hpp"

namespace emis::teacher {

std::vector<store::Migration> teacher_migrations();

struct TeacherQuery {
  std::string tenant_id;
  int page_number = 1;
  int page_size = 20;
  std::optional<std::string> search_term;
  std::optional<std::string> status;
};

struct TeacherPage {
  std::vector<Teacher> items;
  long long total_count = 0;
};

// Throws a conflict DomainError when the phone is taken in the tenant.
void insert_teacher(store::Transaction& tx, const Teacher& teacher);
// Writes the fields of `teacher`; false when there is no such live teacher.
bool update_teacher(store::Transaction& tx, const Teacher& teacher);
// Marks the teacher deleted; false when there is no such live teacher.
bool delete_teacher(store::Transaction& tx, const std::string& tenant_id, const std::string& id);

std::optional<Teacher> find_teacher(soci::session& s, const std::string& tenant_id, const std::string& id);
TeacherPage list_teachers(soci::session& s, const TeacherQuery& query);

}  // namespace emis::teacher
