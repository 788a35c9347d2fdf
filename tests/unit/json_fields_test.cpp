// The one reader of string members, for request bodies and events.
#include "core/json_fields.hpp"

#include <gtest/gtest.h>

namespace emis::core {
namespace {

using State = StringField::State;

TEST(JsonFields, TellsWhatIsThere) {
  const auto j = nlohmann::json::parse(R"({"a": null, "b": 7, "c": "  ", "d": " x "})");
  EXPECT_EQ(string_field(j, "missing", Whitespace::keep).state, State::absent);
  EXPECT_EQ(string_field(j, "a", Whitespace::keep).state, State::absent);
  EXPECT_EQ(string_field(j, "b", Whitespace::keep).state, State::not_string);
  EXPECT_EQ(string_field(j, "c", Whitespace::keep).state, State::present);
  EXPECT_EQ(string_field(j, "c", Whitespace::trim).state, State::blank);
  EXPECT_EQ(string_field(j, "d", Whitespace::keep).value, " x ");
  EXPECT_EQ(string_field(j, "d", Whitespace::trim).value, "x");
}

TEST(JsonFields, RequestFieldsReportEveryProblemInTheSameWords) {
  const auto j = nlohmann::json::parse(R"({"b": 7, "c": "  ", "d": " x "})");
  FieldErrors errors;
  EXPECT_FALSE(required_text(j, "missing", errors));
  EXPECT_FALSE(required_text(j, "b", errors));
  EXPECT_FALSE(required_text(j, "c", errors));
  EXPECT_EQ(required_text(j, "d", errors), "x");
  EXPECT_EQ(required_text(j, "d", errors, Whitespace::keep), " x ");
  EXPECT_FALSE(optional_text(j, "c", errors));
  try {
    errors.throw_if_any();
    FAIL();
  } catch (const DomainError& e) {
    ASSERT_EQ(e.fields().size(), 3u);
    EXPECT_EQ(e.fields()[0].message, "'missing' is required.");
    EXPECT_EQ(e.fields()[1].message, "'b' must be a string.");
    EXPECT_EQ(e.fields()[2].message, "'c' is required.");
  }
}

}  // namespace
}  // namespace emis::core
