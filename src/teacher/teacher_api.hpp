// The administrator's HTTP API for teachers (/api/v1/teachers). Every write
// commits the teacher row and its integration event in one transaction; no
// answer waits on Kafka.
#pragma once

#include "onboarding/service_api.hpp"

namespace emis::teacher {

using TeacherApiContext = onboarding::ServiceApi;

void add_teacher_routes(http::Server& server, TeacherApiContext context);

}  // namespace emis::teacher
