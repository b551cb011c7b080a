// The serialization layer: JSON conventions (Uuid and Date text), untrusted-input handling
// (size cap, alignment, truncation, trailing bytes, limits) and error messages.
#include "serde/codec.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "capnp/message.h"
#include "capnp/serialize.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/common.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/people.capnp.h"
#include "treem/schema/prevention.capnp.h"
#include "treem/schema/rules.capnp.h"
#include "treem/schema/units.capnp.h"

namespace treem::serde {
namespace {

namespace s = ::treem::schema;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kHi = 0x0123456789abcdefULL;
constexpr uint64_t kLo = 0xfedcba9876543210ULL;
constexpr char kUuidText[] = "01234567-89ab-cdef-fedc-ba9876543210";

void BuildPerson(s::Person::Builder p) {
  p.initId().setHi(kHi);
  p.getId().setLo(kLo);
  p.setFullName("Nguyễn Văn A");
  p.setSex(s::Sex::MALE);
  auto bd = p.initBirthDate();
  bd.initDate().setYear(2012);
  bd.getDate().setMonth(2);
  bd.getDate().setDay(29);
  bd.setEstimated(false);
  p.setEthnicity(s::Ethnicity::HMONG);
  auto school = p.initSchool();
  school.setAttendance(s::SchoolAttendance::DROPPED_OUT);
  school.setGrade(7);
  auto d = school.initDroppedOutOn();
  d.setYear(2024);
  d.setMonth(9);
  d.setDay(5);
  auto groups = p.initSpecialCircumstances(1);
  groups[0].setGroup(s::SpecialGroup::EXPLOITED);
  groups[0].setSubType(1);
}

std::string EncodeOk(s::Person::Reader p, Format f) {
  auto out = Encode<s::Person>(p, f);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::string();
}

std::string PersonJson() {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  return EncodeOk(m.getRoot<s::Person>().asReader(), Format::kJson);
}

absl::Status DecodePerson(std::string_view bytes, Format f, const DecodeOptions& o = {}) {
  capnp::MallocMessageBuilder m;
  return DecodeInto<s::Person>(bytes, f, m, o);
}

// Replaces the first occurrence of `from` in `text` (the test fails when it is absent).
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Debian's capnp 0.9.2 decodes \u escapes with hex letters wrongly; the codec rewrites them,
// so ASCII-only JSON writers (Python's json.dumps default) keep Vietnamese names intact.
TEST(CodecTest, JsonUnicodeEscapesDecodeToTheRightCharacters) {
  const std::string expected = "Nguyễn Thị Ánh 𝄞 \"q\" \\ /\n\t";
  const std::string json =
      R"({"fullName":"Nguy\u1ec5n Th\u1ECB \u00c1nh \ud834\udd1e \u0022q\u0022 \u005c \u002f\u000a\u0009"})";
  capnp::MallocMessageBuilder mb;
  ASSERT_TRUE(DecodeInto<s::Person>(json, Format::kJson, mb).ok());
  EXPECT_EQ(std::string(mb.getRoot<s::Person>().getFullName().cStr()), expected);
  // Outside strings nothing changes; digit-only control escapes pass; others are refused.
  capnp::MallocMessageBuilder m2;
  ASSERT_TRUE(DecodeInto<s::Person>(R"({"note":"a\u0001b"})", Format::kJson, m2).ok());
  EXPECT_EQ(std::string(m2.getRoot<s::Person>().getNote().cStr()), std::string("a\x01"
                                                                               "b"));
  capnp::MallocMessageBuilder m3;
  auto bad = DecodeInto<s::Person>(R"({"note":"a\u001bb"})", Format::kJson, m3);
  EXPECT_THAT(std::string(bad.message()), ::testing::HasSubstr("U+001B"));
  capnp::MallocMessageBuilder m4;
  bad = DecodeInto<s::Person>(R"({"note":"\ud834x"})", Format::kJson, m4);
  EXPECT_THAT(std::string(bad.message()), ::testing::HasSubstr("surrogate"));
  capnp::MallocMessageBuilder m5;
  bad = DecodeInto<s::Person>(R"({"note":"\u12"})", Format::kJson, m5);
  EXPECT_THAT(std::string(bad.message()), ::testing::HasSubstr("four hex digits"));
}

TEST(CodecTest, FormatValuesAreTheCApiValues) {
  EXPECT_EQ(static_cast<int>(Format::kCapnp), 1);
  EXPECT_EQ(static_cast<int>(Format::kPacked), 2);
  EXPECT_EQ(static_cast<int>(Format::kJson), 3);
  EXPECT_EQ(*FormatFromInt(3), Format::kJson);
  EXPECT_EQ(FormatFromInt(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatFromInt(4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_STREQ(FormatName(Format::kPacked), "packed");
}

TEST(CodecTest, JsonRendersUuidAndDateAsText) {
  const std::string json = PersonJson();
  EXPECT_THAT(json, HasSubstr(std::string("\"id\":\"") + kUuidText + "\""));
  EXPECT_THAT(json, HasSubstr("\"date\":\"2012-02-29\""));
  EXPECT_THAT(json, HasSubstr("\"droppedOutOn\":\"2024-09-05\""));
  EXPECT_THAT(json, HasSubstr("\"ethnicity\":\"hmong\""));
  EXPECT_THAT(json, HasSubstr("\"attendance\":\"droppedOut\""));
  EXPECT_THAT(json, Not(HasSubstr("\"hi\"")));
}

TEST(CodecTest, JsonDecodesUuidAndDateText) {
  capnp::MallocMessageBuilder m;
  ASSERT_TRUE(DecodeInto<s::Person>(PersonJson(), Format::kJson, m).ok());
  auto p = m.getRoot<s::Person>().asReader();
  EXPECT_EQ(p.getId().getHi(), kHi);
  EXPECT_EQ(p.getId().getLo(), kLo);
  EXPECT_EQ(p.getBirthDate().getDate().getYear(), 2012);
  EXPECT_EQ(p.getBirthDate().getDate().getMonth(), 2);
  EXPECT_EQ(p.getBirthDate().getDate().getDay(), 29);
  EXPECT_EQ(p.getSchool().getDroppedOutOn().getDay(), 5);
  EXPECT_EQ(std::string(p.getFullName().cStr()), "Nguyễn Văn A");
  EXPECT_EQ(p.getSpecialCircumstances()[0].getGroup(), s::SpecialGroup::EXPLOITED);
}

TEST(CodecTest, JsonAcceptsUpperCaseUuidAndWritesLowerCase) {
  const std::string upper = "01234567-89AB-CDEF-FEDC-BA9876543210";
  capnp::MallocMessageBuilder m;
  const std::string json = "{\"id\":\"" + upper + "\"}";
  ASSERT_TRUE(DecodeInto<s::Person>(json, Format::kJson, m).ok());
  EXPECT_EQ(m.getRoot<s::Person>().getId().getHi(), kHi);
  auto out = Encode<s::Person>(m.getRoot<s::Person>().asReader(), Format::kJson);
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(*out, HasSubstr(kUuidText));
}

TEST(CodecTest, JsonUnsetDateIsNullBothWays) {
  capnp::MallocMessageBuilder m;
  auto p = m.initRoot<s::Person>();
  p.initDeceasedOn();  // present but all zero: the unset date
  auto json = Encode<s::Person>(p.asReader(), Format::kJson);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\"deceasedOn\":null"));
  capnp::MallocMessageBuilder back;
  ASSERT_TRUE(DecodeInto<s::Person>(*json, Format::kJson, back).ok());
  auto d = back.getRoot<s::Person>().getDeceasedOn();
  EXPECT_EQ(d.getYear(), 0);
  EXPECT_EQ(d.getMonth(), 0);
}

TEST(CodecTest, JsonListsOfUuidsAreText) {
  capnp::MallocMessageBuilder m;
  auto a = m.initRoot<s::CommunicationActivity>();
  auto ids = a.initOrganisationIds(2);
  ids[0].setHi(kHi);
  ids[0].setLo(kLo);
  auto json = Encode<s::CommunicationActivity>(a.asReader(), Format::kJson);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr(std::string("\"organisationIds\":[\"") + kUuidText +
                               "\",\"00000000-0000-0000-0000-000000000000\"]"));
  capnp::MallocMessageBuilder back;
  ASSERT_TRUE(DecodeInto<s::CommunicationActivity>(*json, Format::kJson, back).ok());
  EXPECT_EQ(back.getRoot<s::CommunicationActivity>().getOrganisationIds()[0].getLo(), kLo);

  const std::string bad = Replace(*json, kUuidText, "nope");
  capnp::MallocMessageBuilder fail;
  absl::Status st = DecodeInto<s::CommunicationActivity>(bad, Format::kJson, fail);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("CommunicationActivity.organisationIds[0]"));
}

TEST(CodecTest, JsonSixtyFourBitIntegersAreStrings) {
  capnp::MallocMessageBuilder m;
  auto c = m.initRoot<s::Command>();
  c.setSeq(9007199254740993ULL);  // 2^53 + 1: not representable as a JSON double
  c.initAt().setMicros(-5);
  auto json = Encode<s::Command>(c.asReader(), Format::kJson);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\"seq\":\"9007199254740993\""));
  EXPECT_THAT(*json, HasSubstr("\"micros\":\"-5\""));
  capnp::MallocMessageBuilder back;
  ASSERT_TRUE(DecodeInto<s::Command>(*json, Format::kJson, back).ok());
  EXPECT_EQ(back.getRoot<s::Command>().getSeq(), 9007199254740993ULL);
}

TEST(CodecTest, JsonNanValueIsTheStringNanAndDecodesBack) {
  capnp::MallocMessageBuilder m;
  auto v = m.initRoot<s::IndicatorValue>();
  v.setIndicatorId("P1");
  v.setValue(std::numeric_limits<double>::quiet_NaN());  // denominator 0
  auto json = Encode<s::IndicatorValue>(v.asReader(), Format::kJson);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"value\":\"NaN\""));
  capnp::MallocMessageBuilder back;
  absl::Status st = DecodeInto<s::IndicatorValue>(*json, Format::kJson, back);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_TRUE(std::isnan(back.getRoot<s::IndicatorValue>().getValue()));
}

TEST(CodecTest, BadUuidTextNamesTheFieldNotTheValue) {
  const std::string secret = "0123456-89ab-cdef-fedc-ba9876543210x";
  for (const std::string& bad :
       {std::string("not-a-uuid"), std::string("0123456789abcdeffedcba9876543210"),
        std::string("01234567-89ab-cdef-fedc-ba987654321g"),
        std::string("01234567_89ab-cdef-fedc-ba9876543210"), secret}) {
    SCOPED_TRACE(bad);
    absl::Status st = DecodePerson(Replace(PersonJson(), kUuidText, bad), Format::kJson);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(st.message(),
                AllOf(HasSubstr("Person.id"), HasSubstr("uuid"), Not(HasSubstr(bad))));
  }
  absl::Status number = DecodePerson(
      Replace(PersonJson(), std::string("\"") + kUuidText + "\"", "12"), Format::kJson);
  EXPECT_THAT(number.message(), HasSubstr("Person.id: not a canonical uuid"));
}

TEST(CodecTest, BadDateTextNamesTheField) {
  struct Case {
    std::string text;
    std::string reason;
  };
  for (const Case& c :
       {Case{"\"2013-02-29\"", "BirthDate.date: not a calendar date"},
        Case{"\"2012-13-01\"", "BirthDate.date: not a calendar date"},
        Case{"\"2012-2-29\"", "BirthDate.date: not a date (expected YYYY-MM-DD)"},
        Case{"\"29/02/2012\"", "not a date (expected YYYY-MM-DD)"},
        Case{"\"2012-02-29T00:00\"", "not a date"}, Case{"20120229", "BirthDate.date: not a date"},
        Case{"\"0000-01-01\"", "not a calendar date"}}) {
    SCOPED_TRACE(c.text);
    absl::Status st = DecodePerson(Replace(PersonJson(), "\"2012-02-29\"", c.text), Format::kJson);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr(c.reason));
  }
}

TEST(CodecTest, EncodingAnInvalidDateToJsonFails) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  m.getRoot<s::Person>().getBirthDate().getDate().setMonth(13);
  auto json = Encode<s::Person>(m.getRoot<s::Person>().asReader(), Format::kJson);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(json.status().message(), HasSubstr("BirthDate.date: not a calendar date"));
  // Binary formats carry the value as it is.
  EXPECT_TRUE(Encode<s::Person>(m.getRoot<s::Person>().asReader(), Format::kCapnp).ok());
}

TEST(CodecTest, MalformedJsonIsAnError) {
  for (const std::string& bad :
       {std::string(""), std::string("{"), std::string("[1,2]"), std::string("nul"),
        std::string("{\"fullName\":}"), std::string("{\"sex\":\"martian\"}"),
        std::string("{\"school\":{\"grade\":\"x\"}}"), std::string("{\"school\":{\"grade\":300}}"),
        std::string("{\"fullName\":\"a\"} trailing"), std::string("\"just a string\""),
        std::string("{\"school\":{\"grade\":1e999}}"), std::string("\xff\xfe{}")}) {
    SCOPED_TRACE(bad);
    absl::Status st = DecodePerson(bad, Format::kJson);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr("json input"));
  }
}

TEST(CodecTest, ParserErrorsDoNotEchoInputText) {
  // capnp's own diagnostics carry the offending value ("s = ..."); they are scrubbed.
  for (const std::string& bad : {std::string("{\"school\":{\"grade\":\"Nguyen Van B\"}}"),
                                 std::string("{\"sex\":\"Nguyen Van B\"}"),
                                 std::string("{\"ethnicity\":\"Nguyen Van B\"}")}) {
    SCOPED_TRACE(bad);
    absl::Status st = DecodePerson(bad, Format::kJson);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(st.message(), AllOf(HasSubstr("json input: "), Not(HasSubstr("Nguyen"))));
  }
  absl::Status st = DecodePerson("{\"school\":{\"grade\":300}}", Format::kJson);
  EXPECT_EQ(st.message(), "json input: value out-of-range for requested type");
}

TEST(CodecTest, EveryTruncatedJsonPrefixIsAnError) {
  const std::string json = PersonJson();
  for (size_t n = 1; n < json.size(); ++n) {
    absl::Status st = DecodePerson(json.substr(0, n), Format::kJson);
    ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << "prefix length " << n;
  }
}

TEST(CodecTest, UnknownJsonFieldsIgnoredUnlessStrict) {
  const std::string json = "{\"fullName\":\"A\",\"fieldFromTheFuture\":{\"x\":[1,2]}}";
  EXPECT_TRUE(DecodePerson(json, Format::kJson).ok());
  DecodeOptions strict;
  strict.reject_unknown_json_fields = true;
  absl::Status st = DecodePerson(json, Format::kJson, strict);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CodecTest, JsonDepthBombIsAnError) {
  // Deeply nested arrays inside an ignored unknown field: the parser must stop at the limit.
  std::string bomb = "{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  absl::Status st = DecodePerson(bomb, Format::kJson);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);

  std::string shallow = "{\"x\":" + std::string(10, '[') + std::string(10, ']') + "}";
  EXPECT_TRUE(DecodePerson(shallow, Format::kJson).ok());
  DecodeOptions tight;
  tight.json_max_nesting = 5;
  EXPECT_EQ(DecodePerson(shallow, Format::kJson, tight).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CodecTest, JsonAmplificationIsBoundedByTheTraversalLimit) {
  // Each "{}" becomes a whole Person struct: 20,000 of them need far more than 1,000 words.
  std::string json = "{\"persons\":[";
  for (int i = 0; i < 20000; ++i) json += i ? ",{}" : "{}";
  json += "]}";
  capnp::MallocMessageBuilder ok;
  EXPECT_TRUE(DecodeInto<s::Snapshot>(json, Format::kJson, ok).ok());
  DecodeOptions tight;
  tight.traversal_limit_words = 1000;
  capnp::MallocMessageBuilder m;
  absl::Status st = DecodeInto<s::Snapshot>(json, Format::kJson, m, tight);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("too large"));
}

TEST(CodecTest, BinaryRoundTripAndMisalignedInput) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  for (Format f : {Format::kCapnp, Format::kPacked}) {
    SCOPED_TRACE(FormatName(f));
    const std::string bytes = EncodeOk(m.getRoot<s::Person>().asReader(), f);
    // Place the bytes at an odd address.
    const std::string buffer = std::string(1, '\0') + bytes;
    const std::string_view misaligned(buffer.data() + 1, bytes.size());
    ASSERT_NE(reinterpret_cast<uintptr_t>(misaligned.data()) % 8, 0u);
    capnp::MallocMessageBuilder out;
    ASSERT_TRUE(DecodeInto<s::Person>(misaligned, f, out).ok());
    EXPECT_EQ(out.getRoot<s::Person>().getId().getLo(), kLo);
    EXPECT_EQ(out.getRoot<s::Person>().getBirthDate().getDate().getDay(), 29);
  }
}

TEST(CodecTest, BinaryIsStandardStreamFraming) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  const std::string bytes = EncodeOk(m.getRoot<s::Person>().asReader(), Format::kCapnp);
  kj::Array<capnp::word> expected = capnp::messageToFlatArray(m);
  ASSERT_EQ(bytes.size(), expected.asBytes().size());
  EXPECT_EQ(0, std::memcmp(bytes.data(), expected.asBytes().begin(), bytes.size()));
}

TEST(CodecTest, BinarySizeNotMultipleOfEightIsAnError) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  const std::string bytes = EncodeOk(m.getRoot<s::Person>().asReader(), Format::kCapnp);
  absl::Status st = DecodePerson(bytes.substr(0, bytes.size() - 3), Format::kCapnp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("not a multiple of 8"));
}

TEST(CodecTest, EveryTruncationOfBinaryIsAnError) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  const std::string flat = EncodeOk(m.getRoot<s::Person>().asReader(), Format::kCapnp);
  for (size_t n = 0; n < flat.size(); n += 8) {
    ASSERT_EQ(DecodePerson(flat.substr(0, n), Format::kCapnp).code(),
              absl::StatusCode::kInvalidArgument)
        << "capnp truncated to " << n;
  }
  const std::string packed = EncodeOk(m.getRoot<s::Person>().asReader(), Format::kPacked);
  for (size_t n = 0; n < packed.size(); ++n) {
    ASSERT_EQ(DecodePerson(packed.substr(0, n), Format::kPacked).code(),
              absl::StatusCode::kInvalidArgument)
        << "packed truncated to " << n;
  }
}

TEST(CodecTest, TrailingBytesAreAnError) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  for (Format f : {Format::kCapnp, Format::kPacked}) {
    const std::string bytes = EncodeOk(m.getRoot<s::Person>().asReader(), f);
    absl::Status st = DecodePerson(bytes + std::string(8, '\0'), f);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << FormatName(f);
    EXPECT_THAT(st.message(), HasSubstr("trailing bytes"));
  }
}

TEST(CodecTest, SizeCapIsEnforcedBeforeParsing) {
  const std::string json = PersonJson();
  DecodeOptions small;
  small.max_bytes = json.size() - 1;
  absl::Status st = DecodePerson(json, Format::kJson, small);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("exceeds the limit"));
  small.max_bytes = json.size();
  EXPECT_TRUE(DecodePerson(json, Format::kJson, small).ok());
}

TEST(CodecTest, TraversalAndNestingLimitsApplyToBinary) {
  capnp::MallocMessageBuilder m;
  auto snap = m.initRoot<s::Snapshot>();
  auto persons = snap.initPersons(200);
  for (unsigned i = 0; i < persons.size(); ++i) BuildPerson(persons[i]);
  for (Format f : {Format::kCapnp, Format::kPacked}) {
    SCOPED_TRACE(FormatName(f));
    auto bytes = Encode<s::Snapshot>(snap.asReader(), f);
    ASSERT_TRUE(bytes.ok());
    capnp::MallocMessageBuilder ok;
    EXPECT_TRUE(DecodeInto<s::Snapshot>(*bytes, f, ok).ok());

    DecodeOptions few_words;
    few_words.traversal_limit_words = 100;
    capnp::MallocMessageBuilder a;
    EXPECT_EQ(DecodeInto<s::Snapshot>(*bytes, f, a, few_words).code(),
              absl::StatusCode::kInvalidArgument);

    DecodeOptions shallow;
    shallow.nesting_limit = 2;  // Snapshot -> persons -> Person -> birthDate -> date is deeper
    capnp::MallocMessageBuilder b;
    EXPECT_EQ(DecodeInto<s::Snapshot>(*bytes, f, b, shallow).code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(CodecTest, BinaryPointerAmplificationHitsTheTraversalLimit) {
  // A hand-made 16 KB message: ChildVerdict.violationCodes is a list of 1,000 text pointers that
  // all point at the same 8,000-byte text. Following them reads about 1,000,000 words.
  const auto schema = capnp::Schema::from<s::ChildVerdict>();
  const auto node = schema.getProto().getStruct();
  const uint64_t data_words = node.getDataWordCount();
  const uint64_t pointer_count = node.getPointerCount();
  const uint64_t codes_index =
      schema.getFieldByName("violationCodes").getProto().getSlot().getOffset();
  const uint64_t kTexts = 1000;
  const uint64_t kTextBytes = 8000;  // with the NUL: 8001 bytes, 1001 words

  std::vector<uint64_t> seg;
  seg.push_back(uint64_t{data_words} << 32 | uint64_t{pointer_count} << 48);  // root -> next word
  seg.resize(1 + data_words + pointer_count, 0);
  const uint64_t list_at = seg.size();
  const uint64_t codes_ptr_at = 1 + data_words + codes_index;
  seg[codes_ptr_at] = 1 | (list_at - codes_ptr_at - 1) << 2 | uint64_t{6} << 32 | kTexts << 35;
  const uint64_t text_at = list_at + kTexts;
  for (uint64_t i = 0; i < kTexts; ++i) {
    const uint64_t at = list_at + i;
    seg.push_back(1 | (text_at - at - 1) << 2 | uint64_t{2} << 32 | (kTextBytes + 1) << 35);
  }
  std::string text(kTextBytes, 'a');
  text.push_back('\0');
  text.resize((text.size() + 7) / 8 * 8, '\0');
  for (size_t i = 0; i < text.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    seg.push_back(w);
  }
  std::vector<uint64_t> message;
  message.push_back(uint64_t{seg.size()} << 32);  // one segment of seg.size() words
  message.insert(message.end(), seg.begin(), seg.end());
  const std::string bytes(reinterpret_cast<const char*>(message.data()), message.size() * 8);
  ASSERT_LT(bytes.size(), 20000u);

  DecodeOptions generous;
  generous.traversal_limit_words = 4u << 20;
  capnp::MallocMessageBuilder ok;
  ASSERT_TRUE(DecodeInto<s::ChildVerdict>(bytes, Format::kCapnp, ok, generous).ok());
  EXPECT_EQ(ok.getRoot<s::ChildVerdict>().getViolationCodes().size(), kTexts);

  DecodeOptions tight;
  tight.traversal_limit_words = 100000;  // far above the message's 2,000 words
  capnp::MallocMessageBuilder out;
  absl::Status st = DecodeInto<s::ChildVerdict>(bytes, Format::kCapnp, out, tight);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CodecTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20260115);
  int errors = 0;
  for (int round = 0; round < 1500; ++round) {
    const size_t size = 8 * (1 + rng() % 64) + (round % 4 == 0 ? rng() % 8 : 0);
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (Format f : {Format::kCapnp, Format::kPacked, Format::kJson}) {
      capnp::MallocMessageBuilder m;
      absl::Status st = DecodeInto<s::Snapshot>(bytes, f, m);
      if (!st.ok()) {
        ++errors;
        ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
      }
    }
  }
  EXPECT_GT(errors, 4000);  // nearly all random inputs are rejected
}

TEST(CodecTest, AllOnesBinaryIsRejectedAtConstruction) {
  const std::string ones(64, '\xff');
  absl::Status st = DecodePerson(ones, Format::kCapnp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("capnp input"));
}

TEST(CodecTest, TranscodeBetweenFormats) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  const std::string packed = EncodeOk(m.getRoot<s::Person>().asReader(), Format::kPacked);
  auto json = Transcode<s::Person>(packed, Format::kPacked, Format::kJson);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, PersonJson());
  auto flat = Transcode<s::Person>(*json, Format::kJson, Format::kCapnp);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(*flat, EncodeOk(m.getRoot<s::Person>().asReader(), Format::kCapnp));
}

TEST(CodecTest, CanonicalIgnoresSegmentLayout) {
  // Same content built in two different ways gives the same canonical bytes.
  capnp::MallocMessageBuilder a;
  BuildPerson(a.initRoot<s::Person>());
  capnp::MallocMessageBuilder b(1);  // tiny first segment: the message spans many segments
  BuildPerson(b.initRoot<s::Person>());
  ASSERT_GT(b.getSegmentsForOutput().size(), 1u);
  auto ca = Canonical<s::Person>(a.getRoot<s::Person>().asReader());
  auto cb = Canonical<s::Person>(b.getRoot<s::Person>().asReader());
  ASSERT_TRUE(ca.ok() && cb.ok());
  EXPECT_EQ(*ca, *cb);
  b.getRoot<s::Person>().setSex(s::Sex::FEMALE);
  EXPECT_NE(*ca, *Canonical<s::Person>(b.getRoot<s::Person>().asReader()));
}

TEST(CodecTest, PrettyJsonDecodesToTheSameMessage) {
  capnp::MallocMessageBuilder m;
  BuildPerson(m.initRoot<s::Person>());
  EncodeOptions pretty;
  pretty.json_pretty = true;
  auto text = Encode<s::Person>(m.getRoot<s::Person>().asReader(), Format::kJson, pretty);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("\n"));
  auto compact = Transcode<s::Person>(*text, Format::kJson, Format::kJson);
  ASSERT_TRUE(compact.ok());
  EXPECT_EQ(*compact, PersonJson());
}

TEST(CodecTest, ConcurrentJsonUseIsSafe) {
  // The configured codecs are shared between threads (built once, then used read-only).
  const std::string expected = PersonJson();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto again = Transcode<s::Person>(expected, Format::kJson, Format::kJson);
        if (!again.ok() || *again != expected) ++failures;
        DecodeOptions strict;
        strict.reject_unknown_json_fields = true;
        strict.json_max_nesting = 10 + static_cast<size_t>(i % 3);
        if (!DecodePerson(expected, Format::kJson, strict).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(CodecTest, BadOptionsAreRejected) {
  DecodeOptions o;
  o.nesting_limit = 0;
  EXPECT_EQ(DecodePerson(PersonJson(), Format::kJson, o).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePerson("{}", static_cast<Format>(9)).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace treem::serde
