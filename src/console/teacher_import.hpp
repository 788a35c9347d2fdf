// Bulk import of teachers, one batch of CSV rows at a time (the page parses
// the file and sends batches, so it can show progress on long files). Each
// row is checked with the Teacher service's own input rules; a dry run stops
// there (and looks for phones the tenant already has in the read model), a
// real run creates the row through the Teacher API. A failing row never
// stops the others.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "console/onboarding_view.hpp"
#include "console/sessions.hpp"
#include "console/upstream.hpp"

namespace emis::console {

struct ImportRow {
  long long line = 0;     // in the file, for the person fixing it
  nlohmann::json fields;  // fullName, phoneNumber, ...; empty cells left out
};

struct ImportResult {
  long long line = 0;
  std::string outcome;       // valid (dry run), created, duplicate, invalid, failed
  std::string reason;        // empty for valid and created
  std::string phone_number;  // normalised (E.164) when valid, so the page can spot repeats across batches
  std::string teacher_id;    // when created
};

inline constexpr std::size_t kMaxImportBatch = 100;

// Reads {dryRun, rows: [{line, fields}]}; a validation error for a malformed batch.
std::vector<ImportRow> parse_import_batch(const nlohmann::json& body, bool& dry_run);

struct ImportContext {
  const OnboardingView& onboarding;
  std::string teacher_url;  // the Teacher service's base URL
  std::string phone_region;
};

std::vector<ImportResult> import_rows(const ImportContext& ctx, const Session& session,
                                      const std::vector<ImportRow>& rows, bool dry_run);

nlohmann::json to_json(const ImportResult& result);

}  // namespace emis::console
