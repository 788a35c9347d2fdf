// The administrator's HTTP API for teachers (/api/v1/teachers). Every write
// commits the teacher row and its integration event in one transaction; no
// answer waits on Kafka.
#pragma once

#include <string>

#include "eventbus/outbox.hpp"
#include "http/principal.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::teacher {

struct TeacherApiContext {
  store::Database& db;
  eventbus::Outbox& outbox;
  http::TokenVerifier verify;
  std::string phone_region = "VN";
};

void add_teacher_routes(http::Server& server, TeacherApiContext context);

}  // namespace emis::teacher
