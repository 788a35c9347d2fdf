// The wire format of DESIGN.md: topic names, JSON base fields and headers,
// and how decoding refuses what can never be an event.
#include <gtest/gtest.h>

#include "contracts/identity_events.hpp"
#include "contracts/teacher_events.hpp"
#include "core/ids.hpp"
#include "eventbus/envelope.hpp"
#include "eventbus/errors.hpp"

namespace emis::eventbus {
namespace {

std::string header_of(const OutgoingMessage& m, const std::string& name) {
  for (const auto& [k, v] : m.headers)
    if (k == name) return v;
  return "<missing>";
}

RawMessage as_consumed(const OutgoingMessage& m) {
  RawMessage raw;
  raw.topic = m.topic;
  raw.key = m.key;
  raw.value = m.value;
  raw.headers = m.headers;
  return raw;
}

const contracts::TeacherCreated kTeacher{"5b0e3f7e-8f0c-4d55-9a57-3c1b8e0f2a11",
                                         "00000000-0000-4000-8000-000000000001", "+84912345678",
                                         "Nguyen Van A", "a@school.vn"};

TEST(TopicNaming, DefaultPrefixIsTheDomainsOwn) {
  TopicNaming naming;
  EXPECT_EQ(naming.topic(contracts::TeacherCreated::type), "emis.teacher.teachercreated");
  EXPECT_EQ(naming.topic(contracts::TeacherUpdated::type), "emis.teacher.teacherupdated");
  EXPECT_EQ(naming.topic(contracts::TeacherDeleted::type), "emis.teacher.teacherdeleted");
  EXPECT_EQ(naming.topic(contracts::UserAccountCreated::type), "emis.identity.useraccountcreated");
  EXPECT_EQ(naming.topic(contracts::UserActivated::type), "emis.identity.useractivated");
  EXPECT_EQ(naming.topic(contracts::UserDisabled::type), "emis.identity.userdisabled");
}

TEST(TopicNaming, CommonPrefixAppliesToEveryDomainAndDomainPrefixWins) {
  TopicNaming naming;
  naming.common_prefix = "run42";
  EXPECT_EQ(naming.topic(contracts::TeacherCreated::type), "run42.teachercreated");
  naming.domain_prefix["identity"] = "school7.identity";
  EXPECT_EQ(naming.topic(contracts::UserActivated::type), "school7.identity.useractivated");
  EXPECT_EQ(naming.topic(contracts::TeacherDeleted::type), "run42.teacherdeleted");
}

TEST(TopicNaming, DeadLetterTopicAppendsDlq) {
  EXPECT_EQ(dead_letter_topic("emis.teacher.teachercreated"), "emis.teacher.teachercreated.dlq");
}

TEST(Encode, ValueHasEventFieldsAndBaseFields) {
  const auto m = encode(kTeacher, {TopicNaming{}, "/emis/teacher-service", ""});
  EXPECT_EQ(m.topic, "emis.teacher.teachercreated");
  EXPECT_EQ(m.key, kTeacher.teacher_id);
  const auto value = nlohmann::json::parse(m.value);
  EXPECT_EQ(value["teacherId"], kTeacher.teacher_id);
  EXPECT_EQ(value["tenantId"], kTeacher.tenant_id);
  EXPECT_EQ(value["phoneNumber"], "+84912345678");
  EXPECT_EQ(value["fullName"], "Nguyen Van A");
  EXPECT_EQ(value["email"], "a@school.vn");
  EXPECT_TRUE(core::is_uuid(value["id"].get<std::string>()));
  EXPECT_EQ(value["id"], m.event_id);
  EXPECT_EQ(value["occurredOn"].get<std::string>().back(), 'Z');
}

TEST(Encode, HeadersCarryTypeVersionCloudEventsAndTrace) {
  const std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const auto m = encode(kTeacher, {TopicNaming{}, "/emis/teacher-service", trace});
  const auto value = nlohmann::json::parse(m.value);
  EXPECT_EQ(header_of(m, "event-type"), "TeacherCreatedIntegrationEvent");
  EXPECT_EQ(header_of(m, "event-version"), "1");
  EXPECT_EQ(header_of(m, "content-type"), "application/json");
  EXPECT_EQ(header_of(m, "ce_specversion"), "1.0");
  EXPECT_EQ(header_of(m, "ce_id"), value["id"]);
  EXPECT_EQ(header_of(m, "ce_type"), "emis.teacher.teachercreated");
  EXPECT_EQ(header_of(m, "ce_source"), "/emis/teacher-service");
  EXPECT_EQ(header_of(m, "ce_time"), value["occurredOn"]);
  EXPECT_EQ(header_of(m, "traceparent"), trace);
  EXPECT_FALSE(header_of(m, "timestamp").empty());
  EXPECT_NE(header_of(m, "timestamp"), "<missing>");
}

TEST(Encode, NoTraceparentHeaderWithoutATrace) {
  const auto m = encode(kTeacher, {TopicNaming{}, "/emis/teacher-service", ""});
  EXPECT_EQ(header_of(m, "traceparent"), "<missing>");
}

TEST(Decode, RoundTripsAnEncodedEvent) {
  const auto m = encode(kTeacher, {TopicNaming{}, "/emis/teacher-service",
                                   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"});
  const auto raw = as_consumed(m);
  const auto e = decode(raw);
  EXPECT_EQ(e.id, m.event_id);
  EXPECT_EQ(e.event_type, "TeacherCreatedIntegrationEvent");
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto back = contracts::TeacherCreated::from_json(e.payload);
  EXPECT_EQ(back.teacher_id, kTeacher.teacher_id);
  EXPECT_EQ(back.email, kTeacher.email);
}

TEST(Decode, FallsBackToCeTypeWithoutEventType) {
  auto raw = as_consumed(encode(kTeacher, {TopicNaming{}, "/x", ""}));
  std::erase_if(raw.headers, [](const auto& h) { return h.first == "event-type"; });
  EXPECT_EQ(decode(raw).event_type, "emis.teacher.teachercreated");
}

TEST(Decode, MissingVersionHeaderMeansVersionOne) {
  auto raw = as_consumed(encode(kTeacher, {TopicNaming{}, "/x", ""}));
  std::erase_if(raw.headers, [](const auto& h) { return h.first == "event-version"; });
  EXPECT_EQ(decode(raw).version, 1);
}

struct Poison {
  const char* name;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  const char* error_class;
};

class DecodeRefuses : public ::testing::TestWithParam<Poison> {};

TEST_P(DecodeRefuses, WithAPermanentErrorOfItsClass) {
  RawMessage raw;
  raw.topic = "t";
  raw.value = GetParam().value;
  raw.headers = GetParam().headers;
  try {
    decode(raw);
    FAIL() << "decoded " << GetParam().name;
  } catch (const PermanentError& e) {
    EXPECT_EQ(e.error_class(), GetParam().error_class);
  }
}

const std::string kGoodValue = R"({"id":"5b0e3f7e-8f0c-4d55-9a57-3c1b8e0f2a11"})";
const std::vector<std::pair<std::string, std::string>> kTyped{{"event-type", "X"}};

INSTANTIATE_TEST_SUITE_P(Poison, DecodeRefuses,
                         ::testing::Values(Poison{"not json", "{nope", kTyped, "malformed"},
                                           Poison{"array", "[1,2]", kTyped, "malformed"},
                                           Poison{"no id", R"({"teacherId":"x"})", kTyped, "malformed"},
                                           Poison{"id not uuid", R"({"id":"42"})", kTyped, "malformed"},
                                           Poison{"no type headers", kGoodValue, {}, "unknown-type"},
                                           Poison{"version not a number",
                                                  kGoodValue,
                                                  {{"event-type", "X"}, {"event-version", "two"}},
                                                  "unsupported-version"},
                                           Poison{"version zero",
                                                  kGoodValue,
                                                  {{"event-type", "X"}, {"event-version", "0"}},
                                                  "unsupported-version"}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(EventFields, MissingRequiredFieldIsAPermanentError) {
  EXPECT_THROW(contracts::TeacherCreated::from_json({{"teacherId", "a"}, {"tenantId", "b"}}), PermanentError);
  EXPECT_THROW(contracts::TeacherDeleted::from_json({{"teacherId", 7}, {"tenantId", "b"}}), PermanentError);
}

TEST(EventFields, TeacherUpdatedCarriesOnlyChangedFields) {
  contracts::TeacherUpdated e{"t1", "tenant", std::nullopt, std::string("New Name"), std::nullopt};
  const auto j = e.to_json();
  EXPECT_EQ(j["fullName"], "New Name");
  EXPECT_FALSE(j.contains("phoneNumber"));
  EXPECT_FALSE(j.contains("email"));
}

TEST(EventFields, AccountEventsShareOneShape) {
  contracts::UserActivated e;
  e.user_id = "u1";
  e.tenant_id = "t1";
  e.entity_id = "teacher1";
  e.entity_type = "Teacher";
  e.status = "Active";
  const auto back = contracts::UserActivated::from_json(e.to_json());
  EXPECT_EQ(back.user_id, "u1");
  EXPECT_EQ(back.entity_id, "teacher1");
  EXPECT_EQ(back.status, "Active");
  EXPECT_EQ(back.key(), "u1");
}

}  // namespace
}  // namespace emis::eventbus
