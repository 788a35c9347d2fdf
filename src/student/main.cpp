// student-service: the administrator's API for students and their parents,
// its outbox relay (ParentCreated for Identity), and the consumer that
// follows Identity's account events for parents.
#include "embedded/student_openapi_json.hpp"
#include "onboarding/owning_service.hpp"
#include "student/student_api.hpp"
#include "student/student_store.hpp"

int main(int argc, char** argv) {
  using namespace emis;
  return onboarding::run_owning_service(argc, argv,
                                        {{"student-service", 5003, "student.db"},
                                         student::student_migrations(),
                                         {"Parent", "parents"},
                                         embedded::student_openapi_json,
                                         student::add_student_routes});
}
