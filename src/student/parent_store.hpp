// The parents table: one live parent per phone per tenant, shared by all of
// its children.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "student/student.hpp"

namespace emis::student {

struct ResolvedParent {
  std::string id;
  bool created = false;  // a new parent: its ParentCreated is due
};

// The tenant's live parent with the guardian's phone, made from the
// guardian's details when there is none. A known parent keeps its own
// details: the first registration names the person.
ResolvedParent resolve_parent(store::Transaction& tx, const std::string& tenant_id,
                              const GuardianInput& guardian);

// Marks the parent deleted when no live student is linked to it any more;
// true when it did (its ParentDeleted is due).
bool retire_if_childless(store::Transaction& tx, const std::string& parent_id);

std::optional<Parent> find_parent(soci::session& s, const std::string& tenant_id, const std::string& id);
std::optional<Parent> find_parent_by_phone(soci::session& s, const std::string& tenant_id,
                                           const std::string& phone);

}  // namespace emis::student
