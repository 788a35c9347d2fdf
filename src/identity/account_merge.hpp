// Before one account per person, a phone had an account in every tenant
// that knew it. The upgrade merges a phone's live accounts into its oldest:
// their memberships move to it, the others are disabled, and the password
// is reconciled: kept when exactly one of them had one; with several, an
// administrator account's (a school must keep a way in: only its
// administrators issue codes); else none is kept (which password the person
// remembers is unknowable) and the account asks for a new activation.
#pragma once

#include "eventbus/outbox.hpp"
#include "store/database.hpp"

namespace emis::identity {

// The migration step; records each merged account for the announcement.
void merge_duplicate_accounts(store::Transaction& tx);

// Tells the other services of a merge, once, in the transaction that
// forgets it: each owning service which account its entities now belong to
// (UserAccountCreated with the account's status per membership), and every
// service that the disabled accounts' tokens are refused (UserDisabled).
// Run at start.
void announce_merged_accounts(store::Database& db, eventbus::Outbox& outbox);

}  // namespace emis::identity
