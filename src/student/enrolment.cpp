#include "student/enrolment.hpp"

#include "contracts/student_events.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "student/parent_store.hpp"
#include "student/student_store.hpp"

namespace emis::student {
namespace {

std::vector<std::string> parent_ids(const Student& s) {
  std::vector<std::string> ids;
  for (const auto& g : s.guardians) ids.push_back(g.parent_id);
  return ids;
}

Student stored(store::Transaction& tx, const std::string& tenant_id, const std::string& id) {
  auto student = find_student(tx.session(), tenant_id, id);
  if (!student) core::throw_not_found("Student " + id);
  return std::move(*student);
}

}  // namespace

void Enrolment::link(const Student& student) {
  std::vector<Guardian> guardians;
  for (const auto& input : student.fields.guardians) {
    const auto parent = resolve_parent(tx, student.tenant_id, input);
    if (parent.created)
      outbox.add(tx,
                 contracts::ParentCreated{parent.id,
                                          student.tenant_id,
                                          input.phone_number,
                                          input.full_name,
                                          input.email.value_or(""),
                                          {student.id}},
                 traceparent);
    guardians.push_back({parent.id, input});
  }
  link_guardians(tx, student.id, guardians);
}

void Enrolment::retire_childless(const std::string& tenant_id, const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (retire_if_childless(tx, id)) outbox.add(tx, contracts::ParentDeleted{id, tenant_id}, traceparent);
}

Student Enrolment::enrol(const Student& student) {
  insert_student(tx, student);
  link(student);
  auto result = stored(tx, student.tenant_id, student.id);
  outbox.add(
      tx, contracts::StudentCreated{result.id, result.tenant_id, result.fields.full_name, parent_ids(result)},
      traceparent);
  return result;
}

Student Enrolment::replace(const std::string& tenant_id, const std::string& id, StudentInput input) {
  const auto before = stored(tx, tenant_id, id);
  Student after = before;
  after.fields = std::move(input);
  after.updated_at = core::now_iso8601();
  update_student(tx, after);
  const auto previous = unlink_guardians(tx, id);
  link(after);
  retire_childless(tenant_id, previous);
  auto result = stored(tx, tenant_id, id);

  contracts::StudentUpdated event{id, tenant_id, std::nullopt, std::nullopt};
  if (before.fields.full_name != result.fields.full_name) event.full_name = result.fields.full_name;
  if (parent_ids(before) != parent_ids(result)) event.parent_ids = parent_ids(result);
  if (event.full_name || event.parent_ids) outbox.add(tx, event, traceparent);
  return result;
}

void Enrolment::withdraw(const std::string& tenant_id, const std::string& id) {
  if (!delete_student(tx, tenant_id, id)) core::throw_not_found("Student " + id);
  retire_childless(tenant_id, unlink_guardians(tx, id));
  outbox.add(tx, contracts::StudentDeleted{id, tenant_id}, traceparent);
}

}  // namespace emis::student
