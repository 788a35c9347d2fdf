// The first SchoolAdmin: created from configuration on an empty database
// (bootstrap_admin_phone / bootstrap_admin_password / bootstrap_tenant_id,
// i.e. EMIS_BOOTSTRAP_ADMIN_PHONE ...), or by `identity-service create-admin`.
#pragma once

#include <string>

#include "store/database.hpp"

namespace emis::identity {

inline constexpr const char* kDefaultTenantId = "00000000-0000-4000-8000-000000000001";

struct AdminSpec {
  std::string phone;  // any form libphonenumber reads in `region`
  std::string password;
  std::string tenant_id = kDefaultTenantId;
  std::string full_name = "School Administrator";
  std::string region = "VN";
  bool operator_role = false;  // Operator (sees the event flow in the console) instead of SchoolAdmin
};

// Creates an active SchoolAdmin (or Operator) of the tenant, or, when the
// phone has an account already, gives it that role (it keeps its password).
// Throws a DomainError for a bad phone or a short password. Returns the
// account's id.
std::string create_admin(store::Database& db, const AdminSpec& spec);

// Creates the admin only when the database has no user at all.
void bootstrap_admin_if_empty(store::Database& db, const AdminSpec& spec);

}  // namespace emis::identity
