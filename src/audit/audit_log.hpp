// Who did what, when, and how it ended, for every administrative action of
// a service (creating a teacher, issuing an activation code, disabling an
// account, ...). Kept by the service that acted, in its own database
// (audit_log): a successful action's entry is written in the action's own
// transaction, so there is never an action without its entry nor an entry
// of an action that did not happen; a refused one gets its entry in a
// transaction of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/principal.hpp"
#include "store/database.hpp"

namespace emis::audit {

std::vector<store::Migration> audit_migrations();

namespace outcome {
inline constexpr const char* succeeded = "Succeeded";
inline constexpr const char* refused = "Refused";  // a business or permission refusal (4xx)
}  // namespace outcome

struct Entry {
  std::string id;           // filled in by record()
  std::string occurred_at;  // ISO-8601 UTC; filled in by record()
  std::string tenant_id;    // the actor's tenant, from the token
  std::string actor_id;     // the actor's user id, from the token
  std::string actor_role;
  std::string action;       // e.g. "teacher.create", "user.disable"
  std::string target_type;  // "Teacher", "User"
  std::string target_id;
  std::string outcome = outcome::succeeded;
  std::optional<std::string> detail;  // why it was refused
};

// The entry of `actor` doing `action` on a target.
Entry entry_of(const http::Principal& actor, std::string action, std::string target_type,
               std::string target_id);

void record(store::Transaction& tx, Entry entry);

struct Page {
  std::vector<Entry> items;
  long long total_count = 0;
};

// A tenant's entries (every tenant's without one), newest first.
Page list(soci::session& s, const std::optional<std::string>& tenant_id, int page_number, int page_size);

}  // namespace emis::audit
