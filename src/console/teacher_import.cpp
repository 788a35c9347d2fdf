#include "console/teacher_import.hpp"

#include <set>

#include "core/errors.hpp"
#include "teacher/teacher.hpp"

namespace emis::console {
namespace {

std::string reason_of(const core::DomainError& error) {
  std::string reason;
  for (const auto& field : error.fields()) reason += (reason.empty() ? "" : " ") + field.message;
  return reason.empty() ? error.title() : reason;
}

// The problem+json the Teacher API answered, as one line for the row.
std::string reason_of(const http::Response& answer) {
  const auto problem = nlohmann::json::parse(answer.body, nullptr, false);
  if (!problem.is_object()) return "HTTP " + std::to_string(answer.status);
  std::string reason;
  if (problem.contains("errors") && problem["errors"].is_object()) {
    for (const auto& [field, messages] : problem["errors"].items())
      for (const auto& message : messages)
        if (message.is_string()) reason += (reason.empty() ? "" : " ") + message.get<std::string>();
  }
  return reason.empty() ? problem.value("detail", problem.value("title", std::string("rejected"))) : reason;
}

ImportResult create(const ImportContext& ctx, const Session& session, const ImportRow& row,
                    ImportResult result) {
  const auto answer =
      call_upstream("POST", ctx.teacher_url + "/api/v1/teachers", session.access_token, row.fields.dump());
  if (answer.status == 201) {
    result.outcome = "created";
    const auto teacher = nlohmann::json::parse(answer.body, nullptr, false);
    if (teacher.is_object()) result.teacher_id = teacher.value("id", "");
  } else {
    result.outcome = answer.status == 409 ? "duplicate" : answer.status == 400 ? "invalid" : "failed";
    result.reason = reason_of(answer);
  }
  return result;
}

}  // namespace

std::vector<ImportRow> parse_import_batch(const nlohmann::json& body, bool& dry_run) {
  const auto rows = body.find("rows");
  if (rows == body.end() || !rows->is_array() || rows->size() > kMaxImportBatch)
    throw core::DomainError(core::ErrorKind::validation, "Invalid import batch",
                            "rows is an array of at most 100 rows.",
                            {{"rows", "'rows' must be an array of at most 100 rows."}});
  dry_run = body.value("dryRun", false);
  std::vector<ImportRow> out;
  for (const auto& row : *rows) {
    if (!row.is_object() || !row.contains("line") || !row["line"].is_number_integer() ||
        !row.contains("fields") || !row["fields"].is_object())
      throw core::DomainError(core::ErrorKind::validation, "Invalid import batch",
                              "Each row is {line, fields}.", {{"rows", "Each row must be {line, fields}."}});
    out.push_back({row["line"].get<long long>(), row["fields"]});
  }
  return out;
}

std::vector<ImportResult> import_rows(const ImportContext& ctx, const Session& session,
                                      const std::vector<ImportRow>& rows, bool dry_run) {
  std::vector<ImportResult> results;
  std::vector<std::string> phones;
  for (const auto& row : rows) {
    ImportResult result{row.line, "valid", {}, {}, {}};
    try {
      result.phone_number = teacher::parse_teacher_input(row.fields, ctx.phone_region).phone_number;
      phones.push_back(result.phone_number);
    } catch (const core::DomainError& e) {
      result.outcome = "invalid";
      result.reason = reason_of(e);
    }
    results.push_back(std::move(result));
  }
  if (dry_run) {
    const auto taken = ctx.onboarding.existing_phones(session.tenant_id, phones);
    for (auto& result : results) {
      if (result.outcome == "valid" && taken.contains(result.phone_number)) {
        result.outcome = "duplicate";
        result.reason = "A teacher with this phone number already exists.";
      }
    }
    return results;
  }
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (results[i].outcome == "valid") results[i] = create(ctx, session, rows[i], results[i]);
  return results;
}

nlohmann::json to_json(const ImportResult& r) {
  nlohmann::json j{{"line", r.line}, {"outcome", r.outcome}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.phone_number.empty()) j["phoneNumber"] = r.phone_number;
  if (!r.teacher_id.empty()) j["teacherId"] = r.teacher_id;
  return j;
}

}  // namespace emis::console
