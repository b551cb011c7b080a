// Round trips of representative messages of every schema file through the three formats.
// Messages are filled generically through the dynamic API: every field of every struct reached
// (to a bounded depth) gets a non-default value, every union member is exercised, and equality
// is checked on canonical bytes, which cover every field.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "capnp/schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serde/codec.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/common.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/people.capnp.h"
#include "treem/schema/prevention.capnp.h"
#include "treem/schema/rules.capnp.h"
#include "treem/schema/units.capnp.h"
#include "treem/schema/work.capnp.h"

namespace treem::serde {
namespace {

namespace s = ::treem::schema;

constexpr Format kAllFormats[] = {Format::kCapnp, Format::kPacked, Format::kJson};

// Fills every field with a value derived from a seeded generator. `union_choice`, when >= 0,
// selects the member of the root's unnamed union (or of the first named union group found at
// the root) so a test can walk all members; nested unions pick from the generator.
class Filler {
 public:
  explicit Filler(uint32_t seed, int max_depth = 7) : rng_(seed), max_depth_(max_depth) {}

  void Fill(capnp::DynamicStruct::Builder b, int depth = 0, int union_choice = -1) {
    const capnp::StructSchema schema = b.getSchema();
    if (schema == capnp::Schema::from<s::Uuid>()) {
      b.set("hi", static_cast<uint64_t>(rng_()) << 32 | rng_());
      b.set("lo", static_cast<uint64_t>(rng_()) << 32 | rng_());
      return;
    }
    if (schema == capnp::Schema::from<s::Date>()) {
      b.set("year", static_cast<int16_t>(1990 + Pick(40)));
      b.set("month", static_cast<uint8_t>(1 + Pick(12)));
      b.set("day", static_cast<uint8_t>(1 + Pick(28)));
      return;
    }
    for (auto field : schema.getNonUnionFields()) {
      FillField(b, field, depth, field.getProto().isGroup() ? union_choice : -1);
    }
    auto members = schema.getUnionFields();
    if (members.size() > 0) {
      const unsigned pick = union_choice >= 0 ? static_cast<unsigned>(union_choice) % members.size()
                                              : Pick(members.size());
      FillField(b, members[pick], depth, -1);
    }
  }

 private:
  unsigned Pick(size_t n) { return static_cast<unsigned>(rng_() % n); }

  std::string SomeText() {
    static const char* const kTexts[] = {"Xã Hoằng Đức",
                                         "Thanh Hóa \"38\"",
                                         "line1\nline2\ttab",
                                         "EXCESS_HOURS_U15",
                                         "trẻ em lao động trái quy định của pháp luật",
                                         "a/b\\c",
                                         ""};
    return std::string(kTexts[Pick(sizeof(kTexts) / sizeof(kTexts[0]) - 1)]);
  }

  capnp::DynamicValue::Reader Scalar(capnp::Type t, std::string& text_storage) {
    switch (t.which()) {
      case capnp::schema::Type::VOID:
        return capnp::VOID;
      case capnp::schema::Type::BOOL:
        return true;
      case capnp::schema::Type::INT8:
      case capnp::schema::Type::INT16:
      case capnp::schema::Type::INT32: {
        const int64_t v = static_cast<int64_t>(Pick(100)) - 50;
        return v == 0 ? int64_t{7} : v;
      }
      case capnp::schema::Type::INT64:
        return static_cast<int64_t>(rng_()) * -1000003;
      case capnp::schema::Type::UINT8:
      case capnp::schema::Type::UINT16:
      case capnp::schema::Type::UINT32:
        return static_cast<uint64_t>(1 + Pick(200));
      case capnp::schema::Type::UINT64:
        return (static_cast<uint64_t>(rng_()) << 32) | rng_();
      case capnp::schema::Type::FLOAT32:
      case capnp::schema::Type::FLOAT64:
        return 0.5 * static_cast<double>(1 + Pick(400));  // exact in binary and in JSON
      case capnp::schema::Type::TEXT:
        text_storage = SomeText();
        return capnp::Text::Reader(text_storage.c_str(), text_storage.size());
      case capnp::schema::Type::ENUM: {
        auto enumerants = t.asEnum().getEnumerants();
        return capnp::DynamicEnum(enumerants[Pick(enumerants.size())]);
      }
      default:
        ADD_FAILURE() << "unexpected scalar type";
        return capnp::VOID;
    }
  }

  static bool IsPointerish(capnp::Type t) {
    return t.isStruct() || t.isList() || t.isData() || t.isInterface() || t.isAnyPointer();
  }

  void FillField(capnp::DynamicStruct::Builder b, capnp::StructSchema::Field field, int depth,
                 int union_choice) {
    if (field.getProto().isGroup()) {
      Fill(b.init(field).as<capnp::DynamicStruct>(), depth, union_choice);
      return;
    }
    const capnp::Type t = field.getType();
    if (t.isStruct()) {
      if (depth < max_depth_) Fill(b.init(field).as<capnp::DynamicStruct>(), depth + 1);
      return;
    }
    if (t.isList()) {
      if (depth < max_depth_) FillList(b.init(field, 2).as<capnp::DynamicList>(), depth + 1);
      return;
    }
    if (t.isData()) {
      const kj::byte bytes[] = {1, 2, 3};
      b.set(field, capnp::Data::Reader(bytes, sizeof(bytes)));
      return;
    }
    if (IsPointerish(t)) return;  // interfaces and AnyPointer are not used in treem schemas
    std::string text;
    b.set(field, Scalar(t, text));
  }

  void FillList(capnp::DynamicList::Builder list, int depth) {
    const capnp::Type elem = list.getSchema().getElementType();
    for (unsigned i = 0; i < list.size(); ++i) {
      if (elem.isStruct()) {
        Fill(list[i].as<capnp::DynamicStruct>(), depth);
      } else if (elem.isList()) {
        FillList(list.init(i, 2).as<capnp::DynamicList>(), depth + 1);
      } else if (!IsPointerish(elem)) {
        std::string text;
        list.set(i, Scalar(elem, text));
      }
    }
  }

  std::mt19937 rng_;
  int max_depth_;
};

// Encodes in every format, decodes, and checks the canonical bytes are unchanged. Also checks
// that the JSON form decodes back to the same canonical bytes when re-encoded a second time.
template <typename T>
void ExpectRoundTrips(typename T::Reader original) {
  auto canonical = Canonical<T>(original);
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  for (Format f : kAllFormats) {
    SCOPED_TRACE(FormatName(f));
    auto bytes = Encode<T>(original, f);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    capnp::MallocMessageBuilder decoded;
    absl::Status st = DecodeInto<T>(*bytes, f, decoded);
    ASSERT_TRUE(st.ok()) << st;
    auto again = Canonical<T>(decoded.getRoot<T>().asReader());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *canonical) << "canonical bytes differ after " << FormatName(f);
    auto reencoded = Encode<T>(decoded.getRoot<T>().asReader(), f);
    ASSERT_TRUE(reencoded.ok()) << reencoded.status();
    EXPECT_EQ(*reencoded, *bytes) << "re-encoding is not stable";
  }
}

template <typename T>
void FillAndRoundTrip(uint32_t seed, int union_choice = -1) {
  capnp::MallocMessageBuilder message;
  Filler(seed).Fill(message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<T>()), 0,
                    union_choice);
  ExpectRoundTrips<T>(message.getRoot<T>().asReader());
}

// Counts the fields of T that the filler left at their default: a failing count means a new
// field type the filler does not know (the round trip would then not cover it).
size_t DefaultValuedScalarFields(capnp::DynamicStruct::Reader r) {
  size_t n = 0;
  for (auto field : r.getSchema().getNonUnionFields()) {
    if (field.getProto().isGroup()) {
      n += DefaultValuedScalarFields(r.get(field).as<capnp::DynamicStruct>());
      continue;
    }
    const capnp::Type t = field.getType();
    if (t.isStruct() || t.isList() || t.isData() || t.isText() || t.isVoid() || t.isEnum()) {
      continue;  // pointers are checked by canonical equality; an enum may legitimately pick 0
    }
    if (!r.has(field, capnp::HasMode::NON_DEFAULT)) ++n;
  }
  return n;
}

TEST(SchemaRoundTripTest, UnitsAdminUnitList) {
  for (uint32_t seed = 1; seed <= 3; ++seed) FillAndRoundTrip<s::AdminUnitList>(seed);
}

TEST(SchemaRoundTripTest, PeopleHouseholdAndPerson) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    FillAndRoundTrip<s::Household>(seed);
    FillAndRoundTrip<s::Person>(seed);
  }
}

TEST(SchemaRoundTripTest, PreventionRecords) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    FillAndRoundTrip<s::CommunicationActivity>(seed);
    FillAndRoundTrip<s::TrainingSession>(seed);
    FillAndRoundTrip<s::Inspection>(seed);
    FillAndRoundTrip<s::Commitment>(seed);
  }
}

TEST(SchemaRoundTripTest, IndicatorsPlanDefinitionReport) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    FillAndRoundTrip<s::ProgrammePlan>(seed);
    FillAndRoundTrip<s::IndicatorDefinition>(seed);
    FillAndRoundTrip<s::Report>(seed);
  }
}

TEST(SchemaRoundTripTest, OtherFilesRecords) {
  // work.capnp, rules.capnp and cases.capnp records travel inside commands and snapshots.
  for (uint32_t seed = 1; seed <= 2; ++seed) {
    FillAndRoundTrip<s::Establishment>(seed);
    FillAndRoundTrip<s::WorkActivity>(seed);
    FillAndRoundTrip<s::RiskResult>(seed);
    FillAndRoundTrip<s::Case>(seed);
    FillAndRoundTrip<s::Referral>(seed);
  }
}

TEST(SchemaRoundTripTest, EveryCommandPayloadMember) {
  const auto payload = capnp::Schema::from<s::Command>().getFieldByName("payload");
  const auto members = payload.getType().asStruct().getUnionFields();
  ASSERT_GE(members.size(), 19u);
  for (unsigned i = 0; i < members.size(); ++i) {
    SCOPED_TRACE(members[i].getProto().getName().cStr());
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<s::Command>());
    Filler(100 + i).Fill(root, 0, static_cast<int>(i));
    auto which = root.get("payload").as<capnp::DynamicStruct>().which();
    ASSERT_TRUE(which != nullptr);
    EXPECT_EQ(KJ_ASSERT_NONNULL(which).getIndex(), members[i].getIndex());
    ExpectRoundTrips<s::Command>(message.getRoot<s::Command>().asReader());
  }
}

TEST(SchemaRoundTripTest, EveryCaseCommandBodyMember) {
  const auto body = capnp::Schema::from<s::CaseCommand>().getFieldByName("body");
  const auto members = body.getType().asStruct().getUnionFields();
  for (unsigned i = 0; i < members.size(); ++i) {
    SCOPED_TRACE(members[i].getProto().getName().cStr());
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<s::Command>());
    Filler(200 + i).Fill(root, 0, /*payload member caseCommand=*/-1);
    auto command = root.get("payload").as<capnp::DynamicStruct>();
    auto cc = command.init("caseCommand").as<capnp::DynamicStruct>();
    Filler(300 + i).Fill(cc, 1, static_cast<int>(i));
    ExpectRoundTrips<s::Command>(message.getRoot<s::Command>().asReader());
  }
}

TEST(SchemaRoundTripTest, JournalEntryAndSnapshot) {
  FillAndRoundTrip<s::JournalEntry>(7);
  FillAndRoundTrip<s::CommandBatch>(8);
  capnp::MallocMessageBuilder message;
  Filler(9, /*max_depth=*/6)
      .Fill(message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<s::Snapshot>()));
  auto snapshot = message.getRoot<s::Snapshot>().asReader();
  EXPECT_EQ(snapshot.getPersons().size(), 2u);
  EXPECT_EQ(snapshot.getCases().size(), 2u);
  ExpectRoundTrips<s::Snapshot>(snapshot);
}

TEST(SchemaRoundTripTest, FillerSetsEveryScalarField) {
  // Guards the generic filler: if it left scalar fields at their defaults, the round trips
  // above would prove less than they claim.
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<s::Person>());
  Filler(5).Fill(root);
  EXPECT_EQ(DefaultValuedScalarFields(root.asReader()), 0u);
  EXPECT_TRUE(message.getRoot<s::Person>().getSchool().hasDroppedOutOn());
  EXPECT_EQ(message.getRoot<s::Person>().getConsents().size(), 2u);
}

TEST(SchemaRoundTripTest, FormatVersionConstant) { EXPECT_EQ(s::FORMAT_VERSION, 1u); }

}  // namespace
}  // namespace treem::serde
