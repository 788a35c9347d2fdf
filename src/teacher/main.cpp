// teacher-service: the administrator's teacher API, its outbox relay, and the
// consumer that follows Identity's account events.
#include "embedded/teacher_openapi_json.hpp"
#include "onboarding/owning_service.hpp"
#include "teacher/account_handlers.hpp"
#include "teacher/teacher_api.hpp"
#include "teacher/teacher_store.hpp"

int main(int argc, char** argv) {
  using namespace emis;
  return onboarding::run_owning_service(argc, argv,
                                        {{"teacher-service", 5001, "teacher.db"},
                                         teacher::teacher_migrations(),
                                         teacher::kAccountOwner,
                                         embedded::teacher_openapi_json,
                                         teacher::add_teacher_routes});
}
