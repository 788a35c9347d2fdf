// The writes of the Student service's domain, each inside the caller's
// transaction with the integration events it causes: a student's guardians
// resolve to the tenant's parents (one per phone), a parent is created with
// its first child (ParentCreated) and retired with its last (ParentDeleted).
#pragma once

#include <string>

#include "eventbus/outbox.hpp"
#include "student/student.hpp"

namespace emis::student {

struct Enrolment {
  store::Transaction& tx;
  eventbus::Outbox& outbox;
  std::string traceparent;

  // Stores a new student (id, tenant and times set) and links its guardians;
  // returns it as stored, each guardian with its parentId.
  Student enrol(const Student& student);
  // Replaces the student's fields and guardians; not found (DomainError) when
  // there is no such live student.
  Student replace(const std::string& tenant_id, const std::string& id, StudentInput input);
  // Deletes the student; not found (DomainError) when there is no such live student.
  void withdraw(const std::string& tenant_id, const std::string& id);

 private:
  // Resolves and links the guardians; publishes ParentCreated for new parents.
  void link(const Student& student);
  // Retires and announces the parents among `parent_ids` left with no child.
  void retire_childless(const std::string& tenant_id, const std::vector<std::string>& parent_ids);
};

}  // namespace emis::student
