#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "capnp/schema.h"
#include "capnp/serialize.h"
#include "core/ids.h"
#include "exchange/deidentify.h"
#include "gtest/gtest.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/people.capnp.h"
#include "treem/schema/units.capnp.h"
#include "treem/schema/work.capnp.h"

namespace treem::exchange {
namespace {

namespace s = ::treem::schema;

std::string Name(capnp::StructSchema t) {
  auto n = t.getShortDisplayName();
  return std::string(n.begin(), n.size());
}

bool IsType(capnp::StructSchema t, uint64_t id) { return t.getProto().getId() == id; }

// Fills every field of a message, recursively, with unique marker values and remembers them.
class Filler {
 public:
  struct TextMark {
    std::string path;  // "Struct.field"
    std::string value;
    bool public_scope;
  };
  struct UuidMark {
    core::Uuid id;
    bool public_scope;
  };
  struct DateMark {
    int y, m, d;
    bool personal;  // inside a Person or Household (or a birth date)
    bool public_scope;
  };
  std::vector<TextMark> texts;
  std::vector<UuidMark> uuids;
  std::vector<DateMark> dates;

  void Fill(capnp::DynamicStruct::Builder b, int depth, bool personal, bool pub, unsigned choice) {
    const auto schema = b.getSchema();
    personal = personal || IsType(schema, capnp::typeId<s::Person>()) ||
               IsType(schema, capnp::typeId<s::Household>());
    pub = pub || IsType(schema, capnp::typeId<s::AdminUnit>()) ||
          IsType(schema, capnp::typeId<s::ProgrammePlan>()) ||
          IsType(schema, capnp::typeId<s::IndicatorDefinition>());
    for (auto f : schema.getNonUnionFields()) FillField(b, f, depth, personal, pub);
    auto members = schema.getUnionFields();
    if (members.size() > 0) FillField(b, members[choice % members.size()], depth, personal, pub);
  }

 private:
  int next_ = 0;

  std::string NextMarker() {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "MKR%05dQ", next_++);
    return buf;
  }

  void FillUuid(s::Uuid::Builder u, bool pub) {
    const int n = next_++;
    core::Uuid id{0x5A5A3C3C00000000ULL | static_cast<uint64_t>(n),
                  0xA5A5C3C300000000ULL | static_cast<uint64_t>(n)};
    u.setHi(id.hi);
    u.setLo(id.lo);
    uuids.push_back({id, pub});
  }

  void FillDate(s::Date::Builder d, bool personal, bool pub) {
    const int n = next_++;
    DateMark m{1950 + n / (27 * 12), 1 + (n / 27) % 12, 2 + n % 27, personal, pub};
    d.setYear(static_cast<int16_t>(m.y));
    d.setMonth(static_cast<uint8_t>(m.m));
    d.setDay(static_cast<uint8_t>(m.d));
    dates.push_back(m);
  }

  void FillStruct(capnp::DynamicStruct::Builder b, int depth, bool personal, bool pub,
                  unsigned choice) {
    const auto t = b.getSchema();
    if (IsType(t, capnp::typeId<s::Uuid>())) {
      FillUuid(b.as<s::Uuid>(), pub);
    } else if (IsType(t, capnp::typeId<s::Date>())) {
      FillDate(b.as<s::Date>(), personal, pub);
    } else if (IsType(t, capnp::typeId<s::BirthDate>())) {
      FillDate(b.as<s::BirthDate>().initDate(), true, pub);
    } else if (depth < 10) {
      Fill(b, depth + 1, personal, pub, choice);
    }
  }

  void FillField(capnp::DynamicStruct::Builder b, capnp::StructSchema::Field f, int depth,
                 bool personal, bool pub) {
    if (f.getProto().isGroup()) {
      Fill(b.init(f).as<capnp::DynamicStruct>(), depth, personal, pub, 0);
      return;
    }
    const capnp::Type type = f.getType();
    const std::string path =
        Name(b.getSchema()) + "." +
        std::string(f.getProto().getName().begin(), f.getProto().getName().size());
    switch (type.which()) {
      case capnp::schema::Type::VOID:
        b.set(f, capnp::VOID);
        return;
      case capnp::schema::Type::BOOL:
        b.set(f, true);
        return;
      case capnp::schema::Type::FLOAT32:
      case capnp::schema::Type::FLOAT64:
        b.set(f, 1.5);
        return;
      case capnp::schema::Type::ENUM: {
        auto e = type.asEnum().getEnumerants();
        b.set(f, capnp::DynamicEnum(e[e.size() > 1 ? 1 : 0]));
        return;
      }
      case capnp::schema::Type::TEXT: {
        std::string m = NextMarker();
        b.set(f, capnp::Text::Reader(m.c_str()));
        texts.push_back({path, m, pub});
        return;
      }
      case capnp::schema::Type::DATA: {
        std::string m = NextMarker();
        b.set(f, capnp::Data::Reader(reinterpret_cast<const kj::byte*>(m.data()), m.size()));
        texts.push_back({path, m, pub});
        return;
      }
      case capnp::schema::Type::STRUCT:
        FillStruct(b.init(f).as<capnp::DynamicStruct>(), depth, personal, pub, 0);
        return;
      case capnp::schema::Type::LIST: {
        const capnp::Type elem = type.asList().getElementType();
        if (elem.isStruct()) {
          const unsigned n = std::max<unsigned>(
              1, std::min<unsigned>(elem.asStruct().getUnionFields().size(), 25));
          auto list = b.init(f, depth < 10 ? n : 0).as<capnp::DynamicList>();
          for (unsigned i = 0; i < list.size(); ++i) {
            FillStruct(list[i].as<capnp::DynamicStruct>(), depth, personal, pub, i);
          }
        } else if (elem.isText()) {
          auto list = b.init(f, 1).as<capnp::DynamicList>();
          std::string m = NextMarker();
          list.set(0, capnp::Text::Reader(m.c_str()));
          texts.push_back({path, m, pub});
        } else if (elem.isEnum()) {
          auto list = b.init(f, 1).as<capnp::DynamicList>();
          auto e = elem.asEnum().getEnumerants();
          list.set(0, capnp::DynamicEnum(e[e.size() > 1 ? 1 : 0]));
        } else if (!elem.isList() && !elem.isData() && !elem.isAnyPointer() &&
                   !elem.isInterface()) {
          b.init(f, 1);
        }
        return;
      }
      case capnp::schema::Type::INTERFACE:
      case capnp::schema::Type::ANY_POINTER:
        return;
      default:  // integers
        b.set(f, 3);
        return;
    }
  }
};

std::string Bytes(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

std::string Le64(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return Bytes(b, 8);
}

std::string DateWord(int y, int m, int d) {
  char b[8] = {static_cast<char>(y & 0xFF),
               static_cast<char>((y >> 8) & 0xFF),
               static_cast<char>(m),
               static_cast<char>(d),
               0,
               0,
               0,
               0};
  return Bytes(b, 8);
}

std::string DateText(int y, int m, int d) {
  char b[16];
  std::snprintf(b, sizeof(b), "%04d-%02d-%02d", y, m, d);
  return b;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

DeidentifyOptions Opts() {
  DeidentifyOptions o;
  o.secret = "0123456789abcdef-export-2025-q1";
  return o;
}

struct Outputs {
  std::string arena;  // every byte of the output message
  std::string json;
};

Outputs RunDeidentify(s::Snapshot::Reader in, const DeidentifyOptions& options) {
  capnp::MallocMessageBuilder out;
  auto st = Deidentify(in, out.initRoot<s::Snapshot>(), options);
  EXPECT_TRUE(st.ok()) << st;
  Outputs o;
  auto words = capnp::messageToFlatArray(out);
  o.arena = Bytes(words.asBytes().begin(), words.asBytes().size());
  auto json =
      serde::Encode<s::Snapshot>(out.getRoot<s::Snapshot>().asReader(), serde::Format::kJson);
  EXPECT_TRUE(json.ok()) << json.status();
  if (json.ok()) o.json = *json;
  return o;
}

TEST(ExchangeDeidentifyTest, NoMarkerOfAPersonalFieldSurvives) {
  capnp::MallocMessageBuilder in;
  Filler filler;
  filler.Fill(capnp::toDynamic(in.initRoot<s::Snapshot>()), 0, false, false, 0);
  // The walk reached the personal records and their nested parts.
  ASSERT_GT(filler.texts.size(), 100u);
  const auto snapshot = in.getRoot<s::Snapshot>().asReader();
  ASSERT_GT(snapshot.getPersons().size(), 0u);
  ASSERT_GT(snapshot.getPersons()[0].getConsents().size(), 0u);

  const Outputs out = RunDeidentify(snapshot, Opts());
  absl::flat_hash_set<std::string> kept(KeptTextFields().begin(), KeptTextFields().end());
  int removed = 0, checked_kept = 0;
  for (const auto& t : filler.texts) {
    SCOPED_TRACE(t.path);
    if (t.public_scope || kept.contains(t.path)) {
      EXPECT_TRUE(Contains(out.json, t.value));
      ++checked_kept;
      continue;
    }
    EXPECT_FALSE(Contains(out.arena, t.value));
    EXPECT_FALSE(Contains(out.json, t.value));
    ++removed;
  }
  EXPECT_GT(removed, 50);
  EXPECT_GT(checked_kept, 5);
  // Every personal text field named in the brief is among the removed ones.
  for (const char* path :
       {"Person.fullName", "Person.nationalId", "Person.note", "Household.address",
        "Household.note", "Actor.userId", "ConsentRecord.scope", "ServiceProvider.contact",
        "Notification.summary", "Finding.note", "Household.villageCode", "Person.villageCode"}) {
    EXPECT_TRUE(std::any_of(filler.texts.begin(), filler.texts.end(),
                            [&](const Filler::TextMark& t) { return t.path == path; }))
        << path;
    EXPECT_FALSE(kept.contains(path)) << path;
  }

  int uuids = 0;
  for (const auto& u : filler.uuids) {
    if (u.public_scope) continue;
    EXPECT_FALSE(Contains(out.arena, Le64(u.id.hi))) << core::ToString(u.id);
    EXPECT_FALSE(Contains(out.arena, Le64(u.id.lo))) << core::ToString(u.id);
    EXPECT_FALSE(Contains(out.json, core::ToString(u.id)));
    ++uuids;
  }
  EXPECT_GT(uuids, 20);

  int personal_dates = 0, event_dates_kept = 0;
  for (const auto& d : filler.dates) {
    if (d.public_scope) continue;
    if (d.personal) {
      EXPECT_FALSE(Contains(out.arena, DateWord(d.y, d.m, d.d))) << DateText(d.y, d.m, d.d);
      EXPECT_FALSE(Contains(out.json, DateText(d.y, d.m, d.d)));
      EXPECT_TRUE(Contains(out.json, DateText(d.y, d.m, 1)));  // coarsened to the month
      ++personal_dates;
    } else {
      event_dates_kept += Contains(out.json, DateText(d.y, d.m, d.d));
    }
  }
  EXPECT_GT(personal_dates, 5);
  EXPECT_GT(event_dates_kept, 5);  // event dates are kept by default

  // With coarse event dates no exact date outside the public reference data survives.
  DeidentifyOptions coarse = Opts();
  coarse.coarsen_event_dates = true;
  const Outputs out2 = RunDeidentify(snapshot, coarse);
  for (const auto& d : filler.dates) {
    if (d.public_scope) continue;
    EXPECT_FALSE(Contains(out2.arena, DateWord(d.y, d.m, d.d))) << DateText(d.y, d.m, d.d);
    EXPECT_FALSE(Contains(out2.json, DateText(d.y, d.m, d.d)));
  }
}

TEST(ExchangeDeidentifyTest, VillageCodesAreKeptOnlyOnRequest) {
  capnp::MallocMessageBuilder in;
  auto snap = in.initRoot<s::Snapshot>();
  auto h = snap.initHouseholds(1)[0];
  h.setVillageCode("THON-7");
  h.setCommuneCode("15928");
  EXPECT_FALSE(Contains(RunDeidentify(snap.asReader(), Opts()).json, "THON-7"));
  DeidentifyOptions o = Opts();
  o.keep_village_codes = true;
  const Outputs out = RunDeidentify(snap.asReader(), o);
  EXPECT_TRUE(Contains(out.json, "THON-7"));
  EXPECT_TRUE(Contains(out.json, "15928"));
}

TEST(ExchangeDeidentifyTest, PseudonymsLinkTablesButNotTheRegister) {
  capnp::MallocMessageBuilder in;
  auto snap = in.initRoot<s::Snapshot>();
  const core::Uuid child = core::NameUuid("child-1");
  auto p = snap.initPersons(1)[0];
  p.initId().setHi(child.hi);
  p.getId().setLo(child.lo);
  auto w = snap.initWorkActivities(1)[0];
  w.initChildId().setHi(child.hi);
  w.getChildId().setLo(child.lo);
  snap.initHeader().initStoreId().setHi(7);

  capnp::MallocMessageBuilder out;
  ASSERT_TRUE(Deidentify(snap.asReader(), out.initRoot<s::Snapshot>(), Opts()).ok());
  auto o = out.getRoot<s::Snapshot>().asReader();
  const core::Uuid pid{o.getPersons()[0].getId().getHi(), o.getPersons()[0].getId().getLo()};
  const core::Uuid cid{o.getWorkActivities()[0].getChildId().getHi(),
                       o.getWorkActivities()[0].getChildId().getLo()};
  EXPECT_EQ(pid, cid);
  EXPECT_NE(pid, child);
  EXPECT_EQ(pid, Pseudonym(child, Opts().secret));
  EXPECT_NE(Pseudonym(child, "another secret of 16+ bytes"), pid);
  EXPECT_TRUE(Pseudonym(core::Uuid{}, Opts().secret).is_nil());
  EXPECT_TRUE(o.getHeader().getDeidentified());
  EXPECT_NE(o.getHeader().getStoreId().getHi(), 7u);
  // Unset references stay unset.
  EXPECT_EQ(o.getWorkActivities()[0].getEstablishmentId().getHi(), 0u);
}

void SetBirth(s::Person::Builder p, int y, int m, int d, bool estimated) {
  auto b = p.initBirthDate();
  b.initDate().setYear(static_cast<int16_t>(y));
  b.getDate().setMonth(static_cast<uint8_t>(m));
  b.getDate().setDay(static_cast<uint8_t>(d));
  b.setEstimated(estimated);
}

TEST(ExchangeDeidentifyTest, BirthDatePrecisions) {
  capnp::MallocMessageBuilder in;
  auto snap = in.initRoot<s::Snapshot>();
  auto persons = snap.initPersons(3);
  SetBirth(persons[0], 2012, 2, 29, false);
  SetBirth(persons[1], 2011, 6, 15, true);
  persons[2].initId().setHi(9);  // no birth date

  {
    capnp::MallocMessageBuilder out;
    ASSERT_TRUE(Deidentify(snap.asReader(), out.initRoot<s::Snapshot>(), Opts()).ok());
    auto b = out.getRoot<s::Snapshot>().asReader().getPersons()[0].getBirthDate();
    EXPECT_EQ(b.getDate().getYear(), 2012);
    EXPECT_EQ(b.getDate().getMonth(), 2);
    EXPECT_EQ(b.getDate().getDay(), 1);
    EXPECT_FALSE(b.getEstimated());
    EXPECT_TRUE(
        out.getRoot<s::Snapshot>().asReader().getPersons()[1].getBirthDate().getEstimated());
  }
  {
    DeidentifyOptions o = Opts();
    o.birth_date = s::BirthDatePrecision::YEAR;
    capnp::MallocMessageBuilder out;
    ASSERT_TRUE(Deidentify(snap.asReader(), out.initRoot<s::Snapshot>(), o).ok());
    auto b = out.getRoot<s::Snapshot>().asReader().getPersons()[0].getBirthDate();
    EXPECT_EQ(b.getDate().getYear(), 2012);
    EXPECT_EQ(b.getDate().getMonth(), 7);
    EXPECT_EQ(b.getDate().getDay(), 1);
    EXPECT_TRUE(b.getEstimated());
  }
  {
    DeidentifyOptions o = Opts();
    o.birth_date = s::BirthDatePrecision::AGE_BAND;
    EXPECT_EQ(Deidentify(snap.asReader(), capnp::MallocMessageBuilder().initRoot<s::Snapshot>(), o)
                  .code(),
              absl::StatusCode::kInvalidArgument);  // no reference date
    o.reference_date = core::Date(2025, 2, 28);
    capnp::MallocMessageBuilder out;
    ASSERT_TRUE(Deidentify(snap.asReader(), out.initRoot<s::DeidentifiedExport>(), o).ok());
    auto e = out.getRoot<s::DeidentifiedExport>().asReader();
    EXPECT_EQ(e.getBirthDatePrecision(), s::BirthDatePrecision::AGE_BAND);
    EXPECT_EQ(e.getReferenceDate().getDay(), 28);
    EXPECT_EQ(e.getSnapshot().getPersons()[0].getBirthDate().getDate().getYear(), 0);
    ASSERT_EQ(e.getAgeBands().size(), 3u);
    // Born 2012-02-29: 13 on 2025-02-28 (Civil Code: the birthday falls on 28 February).
    EXPECT_TRUE(e.getAgeBands()[0].getKnown());
    EXPECT_EQ(e.getAgeBands()[0].getLegalBand(), s::LegalAgeBand::AGE13TO14);
    EXPECT_EQ(e.getAgeBands()[0].getStatBand(), s::StatAgeBand::AGE12TO14);
    EXPECT_FALSE(e.getAgeBands()[0].getLegalBandUncertain());
    // Estimated 2011: 13 or 14 -> age13to14, certain; age 13..14 is 12to14 statistically.
    EXPECT_EQ(e.getAgeBands()[1].getLegalBand(), s::LegalAgeBand::AGE13TO14);
    EXPECT_FALSE(e.getAgeBands()[2].getKnown());
    EXPECT_EQ(e.getAgeBands()[0].getPersonId().getHi(),
              e.getSnapshot().getPersons()[0].getId().getHi());
  }
}

TEST(ExchangeDeidentifyTest, RefusesAShortSecret) {
  capnp::MallocMessageBuilder in, out;
  DeidentifyOptions o;
  o.secret = "short";
  auto st = Deidentify(in.initRoot<s::Snapshot>().asReader(), out.initRoot<s::Snapshot>(), o);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "secret: must be at least 16 bytes (random, per export)");
}

}  // namespace
}  // namespace treem::exchange
