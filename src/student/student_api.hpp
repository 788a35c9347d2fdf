// The HTTP API for students and their parents (/api/v1/students,
// /api/v1/parents). Writes need SchoolAdmin and commit the student, its
// parents and their integration events in one transaction; no answer waits
// on Kafka.
#pragma once

#include "onboarding/service_api.hpp"

namespace emis::student {

using StudentApiContext = onboarding::ServiceApi;

void add_student_routes(http::Server& server, StudentApiContext context);

}  // namespace emis::student
