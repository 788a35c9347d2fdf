// A dry run of the console's bulk import: every row checked with the Teacher
// service's own rules, phones the tenant already has reported as duplicates
// from the read model, and nothing sent anywhere.
#include <gtest/gtest.h>

#include "console/teacher_import.hpp"
#include "contracts/teacher_events.hpp"
#include "core/errors.hpp"
#include "eventbus/schema.hpp"
#include "support/event_delivery.hpp"
#include "support/test_env.hpp"

namespace emis::console {
namespace {

constexpr const char* kTenant = "00000000-0000-4000-8000-000000000001";

class ConsoleTeacherImport : public ::testing::Test {
 protected:
  ConsoleTeacherImport() : db_({dir_.file("console.db")}), handlers_(eventbus::TopicNaming{}), view_(db_) {
    db_.migrate(eventbus::schema_migrations());
    db_.migrate(onboarding_migrations());
    add_onboarding_handlers(handlers_);
    session_.tenant_id = kTenant;
  }

  testing::ScratchDir dir_;
  store::Database db_;
  eventbus::HandlerRegistry handlers_;
  OnboardingView view_;
  Session session_;
};

TEST_F(ConsoleTeacherImport, ADryRunReportsEachRowAndCreatesNothing) {
  testing::deliver_event(db_, handlers_,
                         contracts::TeacherCreated{"11111111-1111-4111-8111-111111111111", kTenant,
                                                   "+84912345678", "Le Thi Lan", ""},
                         std::chrono::seconds(5));
  const std::vector<ImportRow> rows{
      {2, {{"fullName", "Tran Van Binh"}, {"phoneNumber", "0987654321"}}},
      {3, {{"fullName", "Pham Thi Dung"}, {"phoneNumber", "0123456789"}}},
      {4, {{"phoneNumber", "0987654322"}}},
      {5, {{"fullName", "Le Thi Lan"}, {"phoneNumber", "0912345678"}}},
  };
  // No Teacher service behind this URL: a dry run must not call it.
  const ImportContext ctx{view_, "http://127.0.0.1:1", "VN"};
  const auto results = import_rows(ctx, session_, rows, true);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, "valid");
  EXPECT_EQ(results[0].phone_number, "+84987654321");
  EXPECT_EQ(results[1].outcome, "invalid");
  EXPECT_NE(results[1].reason.find("phoneNumber"), std::string::npos);
  EXPECT_EQ(results[2].outcome, "invalid");
  EXPECT_NE(results[2].reason.find("fullName"), std::string::npos);
  EXPECT_EQ(results[3].outcome, "duplicate");
  EXPECT_EQ(results[3].line, 5);
}

TEST_F(ConsoleTeacherImport, AMalformedBatchIsRefused) {
  bool dry_run = false;
  EXPECT_THROW(parse_import_batch({{"rows", "x"}}, dry_run), core::DomainError);
  EXPECT_THROW(parse_import_batch({{"rows", {{{"line", "2"}}}}}, dry_run), core::DomainError);
  auto many = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"line", i}, {"fields", nlohmann::json::object()}});
  EXPECT_THROW(parse_import_batch({{"rows", many}}, dry_run), core::DomainError);
  const auto rows =
      parse_import_batch({{"dryRun", true}, {"rows", {{{"line", 7}, {"fields", {{"a", "b"}}}}}}}, dry_run);
  EXPECT_TRUE(dry_run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].line, 7);
}

}  // namespace
}  // namespace emis::console
