// Validation of a student with its guardians: every invalid field named at
// once, a guardian's as guardians[i].field.
#include <gtest/gtest.h>

#include "student/student.hpp"
#include "support/field_errors.hpp"

namespace emis::student {
namespace {

nlohmann::json valid() {
  return {{"fullName", "  Phạm Minh Khang "},
          {"studentCode", "HS-001"},
          {"dateOfBirth", "2015-09-05"},
          {"className", "4A"},
          {"guardians",
           {{{"fullName", "Phạm Thị Hoa"}, {"phoneNumber", "0912345678"}, {"relationship", "Mother"}},
            {{"fullName", "Phạm Văn Nam"},
             {"phoneNumber", "+84987654321"},
             {"email", "nam@example.vn"},
             {"relationship", "Father"}}}}};
}

std::vector<std::string> invalid_fields(const nlohmann::json& body) {
  return testing::invalid_fields_of([&] { parse_student_input(body, "VN"); });
}

TEST(StudentInput, NormalisesAValidStudent) {
  const auto in = parse_student_input(valid(), "VN");
  EXPECT_EQ(in.full_name, "Phạm Minh Khang");
  ASSERT_EQ(in.guardians.size(), 2u);
  EXPECT_EQ(in.guardians[0].phone_number, "+84912345678");
  EXPECT_EQ(in.guardians[0].relationship, "Mother");
  EXPECT_FALSE(in.guardians[0].email);
  EXPECT_EQ(in.guardians[1].email, "nam@example.vn");
}

TEST(StudentInput, NeedsOneToFourGuardians) {
  auto body = valid();
  body.erase("guardians");
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"guardians"});
  body["guardians"] = nlohmann::json::array();
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"guardians"});
  body["guardians"] = "Mother";
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"guardians"});
}

TEST(StudentInput, NamesAGuardiansFieldByItsPlace) {
  auto body = valid();
  body["guardians"][1]["phoneNumber"] = "0123456789";  // a retired range
  body["guardians"][0].erase("relationship");
  EXPECT_EQ(invalid_fields(body),
            (std::vector<std::string>{"guardians[0].relationship", "guardians[1].phoneNumber"}));
}

TEST(StudentInput, RefusesOnePhoneForTwoGuardians) {
  auto body = valid();
  body["guardians"][1]["phoneNumber"] = "+84912345678";  // the first one's, in another form
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"guardians[1].phoneNumber"});
}

TEST(StudentInput, RefusesAGuardianThatIsNoObject) {
  auto body = valid();
  body["guardians"][0] = "Mother";
  EXPECT_EQ(invalid_fields(body), std::vector<std::string>{"guardians[0]"});
}

TEST(StudentInput, ReportsEveryInvalidFieldAtOnce) {
  auto body = valid();
  body["fullName"] = "A";
  body["dateOfBirth"] = "2999-01-01";
  body["gender"] = "Foo";
  body["guardians"][0]["email"] = "not-an-email";
  EXPECT_EQ(invalid_fields(body),
            (std::vector<std::string>{"fullName", "dateOfBirth", "gender", "guardians[0].email"}));
}

}  // namespace
}  // namespace emis::student
