// The validation table of a teacher's fields.
#include <gtest/gtest.h>

#include "support/field_errors.hpp"
#include "teacher/teacher.hpp"

namespace emis::teacher {
namespace {

nlohmann::json valid() { return {{"fullName", "  Tran Thi B  "}, {"phoneNumber", "0912345678"}}; }

std::vector<std::string> invalid_fields(const nlohmann::json& body) {
  return testing::invalid_fields_of([&] { parse_teacher_input(body, "VN"); });
}

TEST(TeacherInput, NormalisesNameAndPhone) {
  const auto in = parse_teacher_input(valid(), "VN");
  EXPECT_EQ(in.full_name, "Tran Thi B");
  EXPECT_EQ(in.phone_number, "+84912345678");
  EXPECT_EQ(in.status, "Active");
  EXPECT_FALSE(in.email);
}

TEST(TeacherInput, AcceptsInternationalForm) {
  auto body = valid();
  body["phoneNumber"] = "+84987654321";
  EXPECT_EQ(parse_teacher_input(body, "VN").phone_number, "+84987654321");
}

TEST(TeacherInput, IgnoresUnknownFields) {
  auto body = valid();
  body["favouriteColour"] = "blue";
  EXPECT_NO_THROW(parse_teacher_input(body, "VN"));
}

struct Case {
  const char* name;
  const char* field;
  nlohmann::json value;
};

class TeacherInputRejects : public ::testing::TestWithParam<Case> {};

TEST_P(TeacherInputRejects, NamingTheField) {
  auto body = valid();
  if (GetParam().value.is_discarded())
    body.erase(GetParam().field);
  else
    body[GetParam().field] = GetParam().value;
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{GetParam().field});
}

INSTANTIATE_TEST_SUITE_P(
    Table, TeacherInputRejects,
    ::testing::Values(
        Case{"name_missing", "fullName", nlohmann::json(nlohmann::json::value_t::discarded)},
        Case{"name_one_char", "fullName", " A "}, Case{"name_too_long", "fullName", std::string(256, 'x')},
        Case{"name_number", "fullName", 42},
        Case{"phone_missing", "phoneNumber", nlohmann::json(nlohmann::json::value_t::discarded)},
        Case{"phone_retired_range", "phoneNumber", "0123456789"},
        Case{"phone_letters", "phoneNumber", "call me"}, Case{"email_bad", "email", "not-an-email"},
        Case{"gender_unknown", "gender", "Foo"}, Case{"dob_format", "dateOfBirth", "01/02/1990"},
        Case{"dob_impossible", "dateOfBirth", "1990-02-30"},
        Case{"dob_under_18", "dateOfBirth", "2020-01-01"}, Case{"hire_format", "hireDate", "yesterday"},
        Case{"address_string", "address", "12 Main St"},
        Case{"address_nested", "address", {{"street", {{"no", 1}}}}},
        Case{"status_unknown", "status", "Retired"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TeacherInput, ReportsEveryInvalidFieldAtOnce) {
  const auto fields = invalid_fields({{"fullName", "A"}, {"phoneNumber", "x"}, {"email", "y"}});
  EXPECT_EQ(fields.size(), 3u);
}

TEST(TeacherInput, NameLengthCountsCharactersNotBytes) {
  auto body = valid();
  body["fullName"] = "Ê";  // two bytes, one character
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"fullName"});
  body["fullName"] = "Ôn";
  EXPECT_NO_THROW(parse_teacher_input(body, "VN"));
}

}  // namespace
}  // namespace emis::teacher
