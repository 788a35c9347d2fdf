// GET /api/v1/audit?pageNumber=&pageSize=: the service's audit trail,
// newest first, paged like every list ({items, pageNumber, pageSize,
// totalCount}). A SchoolAdmin sees its own tenant's entries, an Operator
// (platform role) every tenant's.
#pragma once

#include "http/principal.hpp"
#include "http/server.hpp"
#include "store/database.hpp"

namespace emis::audit {

// `db` must outlive the server's routes.
void add_audit_route(http::Server& server, store::Database& db, http::TokenVerifier verify);

}  // namespace emis::audit
