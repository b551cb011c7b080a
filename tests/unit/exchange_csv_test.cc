#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capnp/message.h"
#include "core/ids.h"
#include "exchange/csv_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"

namespace treem::exchange {
namespace {

namespace s = ::treem::schema;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kAt = 1735689600LL * 1000000;  // 2025-01-01T00:00:00Z

CsvImportOptions Options() {
  CsvImportOptions o;
  o.actor_user_id = "worker-7";
  o.actor_role = s::Role::COMMUNE_WORKER;
  o.actor_unit_code = "15928";
  o.at_micros = kAt;
  o.commune_code = "15928";
  return o;
}

std::string Text(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }

core::Uuid Id(s::Uuid::Reader u) { return core::Uuid{u.getHi(), u.getLo()}; }

std::vector<std::string> Messages(const CsvImportResult& r) {
  std::vector<std::string> out;
  for (const auto& i : r.issues) out.push_back(i.ToString());
  return out;
}

// BOM, CRLF, quoted fields with a comma, a "" escape and a line break, Vietnamese text.
const std::string kHouseholds =
    "\xEF\xBB\xBF"
    "household_key,commune_code,village,poverty_status,poverty_standard,"
    "poverty_year,residence,craft_village,address\r\n"
    "HH-1,15928,Thôn 3,cận nghèo,decree07of2021,2024,rural,x,\"Số 5, ngõ \"\"Hoa\"\"\r\nxóm "
    "Đông\"\r\n"
    "HH-2,,Thôn 1,,,,urban,0,\r\n";

const std::string kChildren =
    "\xEF\xBB\xBF"
    "child_key,household_key,full_name,sex,birth_date,ethnicity,national_id,"
    "school_status,grade,dropped_out_on,disability,special_groups,relationship\r\n"
    "C-1,HH-1,Nguyễn Thị Hoa,nữ,2012-02-29,Kinh,038212000123,bỏ học,7,2024-09-05,không,"
    "\"k.1; TE-h\",con\r\n"
    "C-2,HH-1,\"Trần Văn Đức, Jr\",Nam,05/11/2010,H'Mông,,enrolled,9,,,,cháu\r\n"
    "C-3,HH-2,Lò Thị Mai,F,2015,Thái,,,,,,,\r\n";

TEST(ExchangeCsvTest, HappyPathWithBomCrlfQuotesAndVietnamese) {
  auto r = ImportSurveyCsv(kHouseholds, kChildren, Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << r->Report();
  EXPECT_EQ(r->stats.household_rows, 2u);
  EXPECT_EQ(r->stats.child_rows, 3u);
  EXPECT_EQ(r->stats.households_imported, 2u);
  EXPECT_EQ(r->stats.children_imported, 3u);
  auto cmds = r->commands().getCommands();
  ASSERT_EQ(cmds.size(), 2u + 3u * 2u);

  for (auto c : cmds) {
    EXPECT_EQ(c.getSource(), s::DataSource::CSV_IMPORT);
    EXPECT_EQ(Text(c.getActor().getUserId()), "worker-7");
    EXPECT_EQ(c.getActor().getRole(), s::Role::COMMUNE_WORKER);
    EXPECT_EQ(c.getAt().getMicros(), kAt);
    EXPECT_FALSE(Id(c.getCommandId()).is_nil());
  }

  auto h1 = cmds[0].getPayload().getUpsertHousehold();
  EXPECT_EQ(Id(h1.getId()), HouseholdIdFor("15928", "HH-1"));
  EXPECT_EQ(Text(h1.getCommuneCode()), "15928");
  EXPECT_EQ(Text(h1.getVillageCode()), "Thôn 3");
  ASSERT_EQ(h1.getPoverty().size(), 1u);
  EXPECT_EQ(h1.getPoverty()[0].getStatus(), s::PovertyStatus::NEAR_POOR);
  EXPECT_EQ(h1.getPoverty()[0].getStandard(), s::PovertyStandard::DECREE07OF2021);
  EXPECT_EQ(h1.getPoverty()[0].getYear(), 2024);
  EXPECT_EQ(h1.getResidence(), s::Residence::RURAL);
  EXPECT_TRUE(h1.getCraftVillage());
  EXPECT_EQ(Text(h1.getAddress()), "Số 5, ngõ \"Hoa\"\r\nxóm Đông");
  auto h2 = cmds[1].getPayload().getUpsertHousehold();
  EXPECT_EQ(Text(h2.getCommuneCode()), "15928");  // default commune
  EXPECT_EQ(h2.getPoverty().size(), 0u);
  EXPECT_EQ(h2.getResidence(), s::Residence::URBAN);

  ASSERT_TRUE(cmds[2].getPayload().isUpsertPerson());
  auto p1 = cmds[2].getPayload().getUpsertPerson();
  EXPECT_EQ(Id(p1.getId()), PersonIdFor("15928", "C-1"));
  EXPECT_EQ(Text(p1.getFullName()), "Nguyễn Thị Hoa");
  EXPECT_EQ(p1.getSex(), s::Sex::FEMALE);
  // 2012 is a leap year: 29 February exists.
  EXPECT_EQ(p1.getBirthDate().getDate().getYear(), 2012);
  EXPECT_EQ(p1.getBirthDate().getDate().getMonth(), 2);
  EXPECT_EQ(p1.getBirthDate().getDate().getDay(), 29);
  EXPECT_FALSE(p1.getBirthDate().getEstimated());
  EXPECT_EQ(p1.getEthnicity(), s::Ethnicity::KINH);
  EXPECT_EQ(Text(p1.getNationalId()), "038212000123");
  EXPECT_EQ(Id(p1.getHouseholdId()), HouseholdIdFor("15928", "HH-1"));
  EXPECT_EQ(p1.getSchool().getAttendance(), s::SchoolAttendance::DROPPED_OUT);
  EXPECT_EQ(p1.getSchool().getGrade(), 7);
  EXPECT_EQ(p1.getSchool().getDroppedOutOn().getMonth(), 9);
  EXPECT_EQ(p1.getDisability(), s::DisabilityLevel::NONE);
  ASSERT_EQ(p1.getSpecialCircumstances().size(), 2u);
  EXPECT_EQ(p1.getSpecialCircumstances()[0].getGroup(), s::SpecialGroup::EXPLOITED);
  EXPECT_EQ(p1.getSpecialCircumstances()[0].getSubType(), 1);
  EXPECT_EQ(p1.getSpecialCircumstances()[1].getGroup(), s::SpecialGroup::DROPPED_OUT_TO_WORK);
  EXPECT_EQ(p1.getSpecialCircumstances()[1].getSubType(), 0);
  EXPECT_EQ(Text(p1.getCommuneCode()), "15928");
  EXPECT_EQ(Text(p1.getVillageCode()), "Thôn 3");  // from the household

  ASSERT_TRUE(cmds[3].getPayload().isLinkHouseholdMember());
  auto link = cmds[3].getPayload().getLinkHouseholdMember();
  EXPECT_EQ(Id(link.getHouseholdId()), HouseholdIdFor("15928", "HH-1"));
  EXPECT_EQ(Id(link.getMember().getPersonId()), PersonIdFor("15928", "C-1"));
  EXPECT_EQ(link.getMember().getRelationship(), s::Relationship::CHILD);

  auto p2 = cmds[4].getPayload().getUpsertPerson();
  EXPECT_EQ(Text(p2.getFullName()), "Trần Văn Đức, Jr");
  EXPECT_EQ(p2.getSex(), s::Sex::MALE);
  EXPECT_EQ(p2.getBirthDate().getDate().getDay(), 5);  // DD/MM/YYYY
  EXPECT_EQ(p2.getBirthDate().getDate().getMonth(), 11);
  EXPECT_EQ(p2.getEthnicity(), s::Ethnicity::HMONG);
  EXPECT_EQ(cmds[5].getPayload().getLinkHouseholdMember().getMember().getRelationship(),
            s::Relationship::GRANDCHILD);

  auto p3 = cmds[6].getPayload().getUpsertPerson();
  EXPECT_EQ(p3.getEthnicity(), s::Ethnicity::THAI);
  EXPECT_EQ(p3.getBirthDate().getDate().getYear(), 2015);  // year only: estimated, 1 July
  EXPECT_EQ(p3.getBirthDate().getDate().getMonth(), 7);
  EXPECT_TRUE(p3.getBirthDate().getEstimated());
  EXPECT_EQ(Id(p3.getHouseholdId()), HouseholdIdFor("15928", "HH-2"));
}

TEST(ExchangeCsvTest, VietnameseHeaderAliasesAndLf) {
  const std::string households =
      "Mã hộ,MÃ XÃ,Thôn,Phân loại hộ,Năm rà soát\nH9,15865,T2,Hộ nghèo,2025\n";
  const std::string children =
      "Mã trẻ,Mã hộ,HỌ VÀ TÊN,Giới tính,Ngày sinh,Dân tộc,Tình trạng đi học,Lớp\n"
      "K1,H9,Hà Văn Sơn,Nam,2014-06-01,Mường,đang đi học,5\n";
  auto r = ImportSurveyCsv(households, children, Options());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->ok()) << r->Report();
  auto cmds = r->commands().getCommands();
  ASSERT_EQ(cmds.size(), 3u);
  auto h = cmds[0].getPayload().getUpsertHousehold();
  EXPECT_EQ(Text(h.getCommuneCode()), "15865");
  EXPECT_EQ(h.getPoverty()[0].getStatus(), s::PovertyStatus::POOR);
  auto p = cmds[1].getPayload().getUpsertPerson();
  EXPECT_EQ(Text(p.getFullName()), "Hà Văn Sơn");
  EXPECT_EQ(p.getEthnicity(), s::Ethnicity::MUONG);
  EXPECT_EQ(p.getSchool().getAttendance(), s::SchoolAttendance::ENROLLED);
  EXPECT_EQ(p.getSchool().getGrade(), 5);
  // The child takes the commune of its household.
  EXPECT_EQ(Id(p.getId()), PersonIdFor("15865", "K1"));
  EXPECT_EQ(Id(p.getHouseholdId()), HouseholdIdFor("15865", "H9"));
}

std::string CanonicalBatch(const CsvImportResult& r) {
  auto bytes = serde::Canonical<s::CommandBatch>(r.commands());
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::string();
}

TEST(ExchangeCsvTest, ReimportGivesTheSameIdsAndCommandIds) {
  auto a = ImportSurveyCsv(kHouseholds, kChildren, Options());
  CsvImportOptions later = Options();
  later.at_micros = kAt + 3600LL * 1000000;  // another session: envelope differs, ids do not
  auto b = ImportSurveyCsv(kHouseholds, kChildren, later);
  ASSERT_TRUE(a.ok() && b.ok());
  auto ca = a->commands().getCommands();
  auto cb = b->commands().getCommands();
  ASSERT_EQ(ca.size(), cb.size());
  for (unsigned i = 0; i < ca.size(); ++i) {
    EXPECT_EQ(Id(ca[i].getCommandId()), Id(cb[i].getCommandId())) << i;
  }
  // Same time too: byte-identical batches.
  auto c = ImportSurveyCsv(kHouseholds, kChildren, Options());
  EXPECT_EQ(CanonicalBatch(*a), CanonicalBatch(*c));

  // A corrected row keeps its record id but gets a new command id; the others are unchanged.
  std::string corrected = kChildren;
  corrected.replace(corrected.find("Lò Thị Mai"), std::string("Lò Thị Mai").size(), "Lò Thị Mây");
  auto d = ImportSurveyCsv(kHouseholds, corrected, Options());
  ASSERT_TRUE(d.ok());
  auto cd = d->commands().getCommands();
  ASSERT_EQ(cd.size(), ca.size());
  for (unsigned i = 0; i < ca.size(); ++i) {
    if (i == 6) {
      EXPECT_NE(Id(cd[i].getCommandId()), Id(ca[i].getCommandId()));
      EXPECT_EQ(Id(cd[i].getPayload().getUpsertPerson().getId()),
                Id(ca[i].getPayload().getUpsertPerson().getId()));
    } else {
      EXPECT_EQ(Id(cd[i].getCommandId()), Id(ca[i].getCommandId())) << i;
    }
  }
  // Different keys, different ids.
  EXPECT_NE(PersonIdFor("15928", "C-1"), PersonIdFor("15928", "C-2"));
  EXPECT_NE(PersonIdFor("15928", "C-1"), PersonIdFor("15865", "C-1"));
}

// Command ids by (payload kind, record id): the household or person id, or for a link the
// person id.
std::map<std::pair<int, core::Uuid>, core::Uuid> CommandIdsByRecord(const CsvImportResult& r) {
  std::map<std::pair<int, core::Uuid>, core::Uuid> out;
  for (auto c : r.commands().getCommands()) {
    auto p = c.getPayload();
    core::Uuid record;
    if (p.isUpsertHousehold()) record = Id(p.getUpsertHousehold().getId());
    if (p.isUpsertPerson()) record = Id(p.getUpsertPerson().getId());
    if (p.isLinkHouseholdMember())
      record = Id(p.getLinkHouseholdMember().getMember().getPersonId());
    EXPECT_TRUE(
        out.emplace(std::make_pair(static_cast<int>(p.which()), record), Id(c.getCommandId()))
            .second);
  }
  return out;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ExchangeCsvTest, CommandIdIsTheNameIdOfTheNormalisedValues) {
  auto r = ImportSurveyCsv(kHouseholds, kChildren, Options());
  ASSERT_TRUE(r.ok() && r->ok());
  auto cmds = r->commands().getCommands();
  // A link: "csv/command2|linkHouseholdMember|", household id and person id (16 bytes each,
  // big-endian), relationship (2 bytes, little-endian).
  std::string name = "csv/command2|linkHouseholdMember|";
  for (const core::Uuid& id : {HouseholdIdFor("15928", "HH-1"), PersonIdFor("15928", "C-1")}) {
    for (int i = 0; i < 8; ++i) name.push_back(static_cast<char>(id.hi >> (56 - 8 * i)));
    for (int i = 0; i < 8; ++i) name.push_back(static_cast<char>(id.lo >> (56 - 8 * i)));
  }
  name.push_back(static_cast<char>(s::Relationship::CHILD));
  name.push_back('\0');
  ASSERT_TRUE(cmds[3].getPayload().isLinkHouseholdMember());
  EXPECT_EQ(Id(cmds[3].getCommandId()), core::NameUuid(name));
  EXPECT_EQ(Id(cmds[3].getCommandId()).version(), 5);
}

TEST(ExchangeCsvTest, CommandIdsAreDistinctAndIndependentOfRowOrderAndEnvelope) {
  auto a = ImportSurveyCsv(kHouseholds, kChildren, Options());
  ASSERT_TRUE(a.ok() && a->ok());
  std::set<core::Uuid> ids;
  for (auto c : a->commands().getCommands()) ids.insert(Id(c.getCommandId()));
  EXPECT_EQ(ids.size(), a->commands().getCommands().size());

  // Rows in another order, another actor and time: the same command per record.
  const std::string header_end = "relationship\r\n";
  const size_t body = kChildren.find(header_end) + header_end.size();
  const size_t c2 = kChildren.find("C-2,");
  const size_t c3 = kChildren.find("C-3,");
  const std::string reordered = kChildren.substr(0, body) + kChildren.substr(c3) +
                                kChildren.substr(c2, c3 - c2) + kChildren.substr(body, c2 - body);
  const std::string households_reordered =
      "household_key,commune_code,village,poverty_status,poverty_standard,poverty_year,residence,"
      "craft_village,address\n"
      "HH-2,,Thôn 1,,,,urban,0,\n"
      "HH-1,15928,Thôn 3,cận nghèo,decree07of2021,2024,rural,x,\"Số 5, ngõ \"\"Hoa\"\"\r\nxóm "
      "Đông\"\n";
  CsvImportOptions other = Options();
  other.actor_user_id = "worker-9";
  other.at_micros = kAt + 86400LL * 1000000;
  auto b = ImportSurveyCsv(households_reordered, reordered, other);
  ASSERT_TRUE(b.ok() && b->ok()) << b->Report();
  ASSERT_NE(Id(a->commands().getCommands()[2].getPayload().getUpsertPerson().getId()),
            Id(b->commands().getCommands()[2].getPayload().getUpsertPerson().getId()));
  EXPECT_EQ(CommandIdsByRecord(*a), CommandIdsByRecord(*b));

  // Two children with the same values but their keys: different records, different commands.
  const std::string twins =
      "child_key,full_name,sex,birth_date\nT-1,Lò Văn Một,nam,2016\nT-2,Lò Văn Một,nam,2016\n";
  auto t = ImportSurveyCsv("", twins, Options());
  ASSERT_TRUE(t.ok() && t->ok()) << t->Report();
  ASSERT_EQ(t->commands().getCommands().size(), 2u);
  EXPECT_NE(Id(t->commands().getCommands()[0].getCommandId()),
            Id(t->commands().getCommands()[1].getCommandId()));
}

TEST(ExchangeCsvTest, EveryCorrectedValueGivesANewCommandIdAndKeepsTheRecordId) {
  auto a = ImportSurveyCsv(kHouseholds, kChildren, Options());
  ASSERT_TRUE(a.ok() && a->ok());
  const auto before = CommandIdsByRecord(*a);
  const int person = static_cast<int>(s::Command::Payload::UPSERT_PERSON);
  const int household = static_cast<int>(s::Command::Payload::UPSERT_HOUSEHOLD);
  const int link = static_cast<int>(s::Command::Payload::LINK_HOUSEHOLD_MEMBER);
  const core::Uuid c1 = PersonIdFor("15928", "C-1");
  const core::Uuid c2 = PersonIdFor("15928", "C-2");
  const core::Uuid hh1 = HouseholdIdFor("15928", "HH-1");
  struct Correction {
    const char* what;
    bool in_households;
    std::string from, to;
    std::vector<std::pair<int, core::Uuid>> changed;  // the commands with a new id
  };
  const std::vector<Correction> corrections = {
      {"sex", false, "Nguyễn Thị Hoa,nữ", "Nguyễn Thị Hoa,nam", {{person, c1}}},
      {"birth date", false, "2012-02-29", "2012-02-28", {{person, c1}}},
      {"ethnicity", false, "2012-02-29,Kinh", "2012-02-29,Tày", {{person, c1}}},
      {"national id", false, "038212000123", "038212000124", {{person, c1}}},
      {"grade", false, "bỏ học,7", "bỏ học,8", {{person, c1}}},
      {"dropped out on", false, "2024-09-05", "2024-09-06", {{person, c1}}},
      {"special groups", false, "k.1; TE-h", "k.2; TE-h", {{person, c1}}},
      {"fewer special groups", false, "\"k.1; TE-h\"", "k.1", {{person, c1}}},
      {"relationship", false, "\"k.1; TE-h\",con", "\"k.1; TE-h\",cháu", {{link, c1}}},
      {"household of a child", false, "C-2,HH-1", "C-2,HH-2", {{person, c2}, {link, c2}}},
      {"household village (inherited by its children)",
       true,
       "Thôn 3",
       "Thôn 4",
       {{household, hh1}, {person, c1}, {person, c2}}},
      {"household address", true, "xóm Đông", "xóm Tây", {{household, hh1}}},
      {"household poverty year", true, "2024", "2023", {{household, hh1}}},
  };
  for (const auto& fix : corrections) {
    SCOPED_TRACE(fix.what);
    auto b = fix.in_households
                 ? ImportSurveyCsv(Replace(kHouseholds, fix.from, fix.to), kChildren, Options())
                 : ImportSurveyCsv(kHouseholds, Replace(kChildren, fix.from, fix.to), Options());
    ASSERT_TRUE(b.ok() && b->ok()) << b->Report();
    const auto after = CommandIdsByRecord(*b);
    ASSERT_EQ(after.size(), before.size());  // the same records
    for (const auto& [record, command_id] : before) {
      ASSERT_TRUE(after.count(record));
      const bool changed =
          std::find(fix.changed.begin(), fix.changed.end(), record) != fix.changed.end();
      if (changed) {
        EXPECT_NE(after.at(record), command_id) << record.first;
      } else {
        EXPECT_EQ(after.at(record), command_id) << record.first;
      }
    }
  }
}

// Long values everywhere: a batch large enough for the mapped segment (and a test of its size
// bound: one segment).
std::pair<std::string, std::string> LargeSurvey(int households, const std::string& name_tag) {
  std::string h = "household_key,commune_code,village,craft_village,craft_village_name,address\n";
  std::string c =
      "child_key,household_key,full_name,sex,birth_date,national_id,special_groups,"
      "relationship\n";
  const std::string village(64, 'v');
  const std::string craft(200, 'c');
  const std::string address(500, 'a');
  const std::string groups = "\"a.1;b.2;c.3;d.1;đ;e.4;g.2;h.1;i;k.5;l;m.2;n;o\"";
  for (int i = 0; i < households; ++i) {
    const std::string key = "H" + std::to_string(i);
    h += key + ",15928," + village + ",1," + craft + "," + address + "\n";
    for (int j = 0; j < 2; ++j) {
      std::string name = name_tag + std::to_string(i) + "-" + std::to_string(j);
      name.resize(200, 'n');
      c += "C" + std::to_string(i) + "-" + std::to_string(j) + "," + key + "," + name +
           ",female,2014-03-0" + std::to_string(1 + j) + ",038214" +
           std::to_string(100000 + i % 900000) + "," + groups + ",con\n";
    }
  }
  return {h, c};
}

TEST(ExchangeCsvTest, LargeBatchesAreOneSegmentAndReusedMemoryIsClean) {
  const auto [h, c] = LargeSurvey(4000, "Ann");
  const auto [h2, c2] = LargeSurvey(4500, "Bob");
  std::string first;
  {
    auto a = ImportSurveyCsv(h, c, Options());
    ASSERT_TRUE(a.ok() && a->ok()) << a->Report();
    ASSERT_EQ(a->commands().getCommands().size(), 4000u * 5u);
    EXPECT_EQ(a->message->getSegmentsForOutput().size(), 1u);
    // Mapped (on a 2 MiB boundary), not from malloc.
    EXPECT_EQ(
        reinterpret_cast<uintptr_t>(a->message->getSegmentsForOutput()[0].begin()) % (2 << 20), 0u);
    first = CanonicalBatch(*a);
  }
  {
    // Memory of the first batch, written with other values, then given back again.
    auto b = ImportSurveyCsv(h2, c2, Options());
    ASSERT_TRUE(b.ok() && b->ok());
    EXPECT_EQ(b->message->getSegmentsForOutput().size(), 1u);
  }
  auto again = ImportSurveyCsv(h, c, Options());
  auto fresh = ImportSurveyCsv(h, c, Options());  // while `again` holds the reused memory
  ASSERT_TRUE(again.ok() && fresh.ok());
  EXPECT_EQ(CanonicalBatch(*again), first);
  EXPECT_EQ(CanonicalBatch(*fresh), first);
}

struct ErrorCase {
  const char* name;
  std::string households;
  std::string children;
  std::vector<std::string> messages;
  std::vector<std::string> withheld;  // personal values that must not appear in any message
};

const char* kChildHeader = "child_key,household_key,full_name,sex,birth_date,national_id\n";
const char* kHouseholdOk = "household_key,village\nH1,T1\n";

std::vector<ErrorCase> ErrorCases() {
  const std::string ch = kChildHeader;
  return {
      {"bad_calendar_date",
       kHouseholdOk,
       ch + "C1,H1,Nguyễn Văn An,male,2021-02-29,\n",
       {"children.csv: line 2, column birth_date: not a calendar date (2023-02-29 style dates "
        "are refused)"},
       {"2021-02-29", "Nguyễn Văn An"}},
      {"bad_date_format",
       kHouseholdOk,
       ch + "C1,H1,Nguyễn Văn An,male,29.02.2012,\n",
       {"children.csv: line 2, column birth_date: expected a date as YYYY-MM-DD, DD/MM/YYYY or a "
        "year YYYY"},
       {"29.02.2012"}},
      {"future_birth",
       kHouseholdOk,
       ch + "C1,H1,Nguyễn Văn An,male,2031-05-01,\n",
       {"children.csv: line 2, column birth_date: after the import date"},
       {"2031-05-01"}},
      {"empty_birth",
       kHouseholdOk,
       ch + "C1,H1,Nguyễn Văn An,male,,\n",
       {"children.csv: line 2, column birth_date: required value is empty"},
       {"Nguyễn Văn An"}},
      {"bad_sex_code_is_echoed",
       kHouseholdOk,
       ch + "C1,H1,Nguyễn Văn An,x,2012-01-01,\n",
       {"children.csv: line 2, column sex: \"x\" is not a sex code (male, female, unknown, m, f, "
        "nam, nữ)"},
       {"Nguyễn Văn An", "2012-01-01"}},
      {"name_shifted_into_sex_is_withheld",
       kHouseholdOk,
       ch + "C1,H1,2012-01-01,Nguyễn Văn An,2012-01-01,\n",
       {"children.csv: line 2, column sex: value is not a sex code (male, female, unknown, m, f, "
        "nam, nữ)"},
       {"Nguyễn Văn An"}},
      {"bad_national_id",
       kHouseholdOk,
       ch + "C1,H1,Lê Thu,female,2012-01-01,03821200012\n",
       {"children.csv: line 2, column national_id: expected 12 digits"},
       {"03821200012", "Lê Thu"}},
      {"empty_name",
       kHouseholdOk,
       ch + "C1,H1,,female,2012-01-01,\n",
       {"children.csv: line 2, column full_name: required value is empty"},
       {}},
      {"name_too_long",
       kHouseholdOk,
       ch + "C1,H1," + std::string(201, 'a') + ",female,2012-01-01,\n",
       {"children.csv: line 2, column full_name: longer than 200 bytes"},
       {std::string(201, 'a')}},
      {"name_not_utf8",
       kHouseholdOk,
       ch + "C1,H1,Ph\xff\xfe,female,2012-01-01,\n",
       {"children.csv: line 2, column full_name: not valid UTF-8"},
       {"Ph\xff\xfe"}},
      {"duplicate_child_key",
       kHouseholdOk,
       ch + "C1,H1,Lê Thu,female,2012-01-01,\nC1,H1,Lê Mai,female,2013-01-01,\n",
       {"children.csv: line 3, column child_key: duplicate of line 2"},
       {"Lê Mai"}},
      {"unknown_household",
       kHouseholdOk,
       ch + "C1,H7,Lê Thu,female,2012-01-01,\n",
       {"children.csv: line 2, column household_key: no household with this key in "
        "households.csv"},
       {"Lê Thu"}},
      {"missing_required_column",
       kHouseholdOk,
       "child_key,household_key,sex,birth_date\nC1,H1,male,2012-01-01\n",
       {"children.csv: line 1, column full_name: required column is missing"},
       {}},
      {"duplicate_column",
       kHouseholdOk,
       "child_key,full_name,Họ và tên,sex,birth_date\nC1,A,B,male,2012-01-01\n",
       {"children.csv: line 1, column full_name: column appears twice (columns 2 and 3)"},
       {}},
      {"field_count",
       kHouseholdOk,
       ch + "C1,H1,Lê Thu,female\n",
       {"children.csv: line 2: expected 6 fields as in the header, found 4"},
       {"Lê Thu"}},
      {"text_after_quote",
       kHouseholdOk,
       ch + "C1,H1,\"Lê\" Thu,female,2012-01-01,\n",
       {"children.csv: line 2: field 3: text after the closing quote (write \"\" for a quote "
        "inside)"},
       {"Thu"}},
      {"unterminated_quote",
       kHouseholdOk,
       ch + "C1,H1,\"Lê Thu,female,2012-01-01,\n",
       {"children.csv: line 2: quoted field is not closed before the end of the file"},
       {"Lê Thu"}},
      {"bad_poverty_status",
       "household_key,poverty_status,poverty_year\nH1,rich,2024\n",
       "",
       {"households.csv: line 2, column poverty_status: \"rich\" is not a poverty status (poor, "
        "near_poor, average, none, unknown)"},
       {}},
      {"poverty_year_missing",
       "household_key,poverty_status\nH1,poor\n",
       "",
       {"households.csv: line 2, column poverty_year: required when poverty_status is given"},
       {}},
      {"bad_commune",
       "household_key,commune_code\nH1,1592\n",
       "",
       {"households.csv: line 2, column commune_code: \"1592\" is not a 5-digit commune code"},
       {}},
      {"duplicate_household",
       "household_key,address\nH1,Số 1\nH1,Số 2\n",
       "",
       {"households.csv: line 3, column household_key: duplicate of line 2"},
       {"Số 2"}},
      {"dropped_out_without_status",
       kHouseholdOk,
       "child_key,full_name,sex,birth_date,school_status,dropped_out_on\n"
       "C1,Lê Thu,female,2012-01-01,enrolled,2024-03-04\n",
       {"children.csv: line 2, column dropped_out_on: given but school_status is not dropped_out"},
       {"2024-03-04"}},
      {"bad_special_group",
       kHouseholdOk,
       "child_key,full_name,sex,birth_date,special_groups\nC1,Lê Thu,female,2012-01-01,\"a;z.1\"\n",
       {"children.csv: line 2, column special_groups: item 2 is not a Law on Children Art 10 "
        "group a..o with an optional Decree 56 sub-type (e.g. k.1)"},
       {"z.1"}},
      {"bad_special_subtype",
       kHouseholdOk,
       "child_key,full_name,sex,birth_date,special_groups\nC1,Lê Thu,female,2012-01-01,k.9\n",
       {"children.csv: line 2, column special_groups: item 1 is not a Law on Children Art 10 "
        "group a..o with an optional Decree 56 sub-type (e.g. k.1)"},
       {"k.9"}},
      {"unknown_ethnicity",
       kHouseholdOk,
       "child_key,full_name,sex,birth_date,ethnicity\nC1,Lê Thu,female,2012-01-01,Klingon\n",
       {"children.csv: line 2, column ethnicity: not a known ethnic group name (use the GSO name, "
        "e.g. Kinh, Tày, H'Mông)"},
       {"Klingon"}},
      {"several_errors_in_one_row",
       kHouseholdOk,
       ch + "C1,H1,Lê Thu,q,2012-13-01,12\n",
       {"children.csv: line 2, column sex: \"q\" is not a sex code (male, female, unknown, m, f, "
        "nam, nữ)",
        "children.csv: line 2, column birth_date: not a calendar date (2023-02-29 style dates are "
        "refused)",
        "children.csv: line 2, column national_id: expected 12 digits"},
       {"2012-13-01", "Lê Thu"}},
  };
}

TEST(ExchangeCsvTest, EveryErrorClassHasAnExactMessageWithoutPersonalValues) {
  for (const ErrorCase& c : ErrorCases()) {
    SCOPED_TRACE(c.name);
    auto r = ImportSurveyCsv(c.households, c.children, Options());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(Messages(*r), c.messages);
    EXPECT_EQ(r->commands().getCommands().size(), 0u) << "all-or-nothing";
    for (const auto& issue : r->issues) {
      for (const auto& personal : c.withheld) {
        EXPECT_THAT(issue.ToString(), Not(HasSubstr(personal)));
      }
    }
  }
}

TEST(ExchangeCsvTest, ValueClassTellsWhetherTheValueIsQuoted) {
  auto r = ImportSurveyCsv(
      kHouseholdOk,
      std::string(kChildHeader) + "C1,H1,Lê Thu,x,2023-02-29,\nC2,H1,,m,2012-01-01,\n", Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->issues.size(), 3u);
  EXPECT_EQ(r->issues[0].column, "sex");
  EXPECT_EQ(r->issues[0].value_class, ValueClass::kCode);
  EXPECT_EQ(r->issues[1].column, "birth_date");
  EXPECT_EQ(r->issues[1].value_class, ValueClass::kWithheld);
  EXPECT_EQ(r->issues[2].column, "full_name");
  EXPECT_EQ(r->issues[2].value_class, ValueClass::kEmpty);
  EXPECT_EQ(r->issues[2].line, 3);
}

TEST(ExchangeCsvTest, AllOrNothingUnlessSkipBadRows) {
  const std::string households = "household_key,village\nH1,T1\nH2,T2\nH3,\"T3\"x\n";
  const std::string children = std::string(kChildHeader) +
                               "C1,H1,Lê Thu,female,2012-01-01,\n"
                               "C2,H1,Lê Mai,female,2012-02-30,\n"
                               "C3,H3,Lê Lan,female,2012-01-01,\n"
                               "C4,H2,Lê Hà,female,2011-03-01,\n";
  auto strict = ImportSurveyCsv(households, children, Options());
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->ok());
  EXPECT_EQ(strict->commands().getCommands().size(), 0u);
  EXPECT_EQ(strict->stats.children_imported, 0u);

  CsvImportOptions skip = Options();
  skip.skip_bad_rows = true;
  auto lenient = ImportSurveyCsv(households, children, skip);
  ASSERT_TRUE(lenient.ok());
  EXPECT_THAT(Messages(*lenient),
              ElementsAre("households.csv: line 4: field 2: text after the closing quote (write "
                          "\"\" for a quote inside)",
                          "children.csv: line 3, column birth_date: not a calendar date "
                          "(2023-02-29 style dates are refused)",
                          "children.csv: line 4, column household_key: no household with this "
                          "key in households.csv"));
  EXPECT_EQ(lenient->stats.households_imported, 2u);
  EXPECT_EQ(lenient->stats.children_imported, 2u);
  auto cmds = lenient->commands().getCommands();
  ASSERT_EQ(cmds.size(), 2u + 2u * 2u);
  EXPECT_EQ(Id(cmds[2].getPayload().getUpsertPerson().getId()), PersonIdFor("15928", "C1"));
  EXPECT_EQ(Id(cmds[4].getPayload().getUpsertPerson().getId()), PersonIdFor("15928", "C4"));
  // Same good rows as when importing them alone.
  auto alone = ImportSurveyCsv("household_key,village\nH1,T1\nH2,T2\n",
                               std::string(kChildHeader) +
                                   "C1,H1,Lê Thu,female,2012-01-01,\n"
                                   "C4,H2,Lê Hà,female,2011-03-01,\n",
                               Options());
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(CanonicalBatch(*alone), CanonicalBatch(*lenient));
}

TEST(ExchangeCsvTest, ChildrenOfARejectedHouseholdAreRejected) {
  const std::string households = "household_key,residence\nH1,mountain\n";
  const std::string children = std::string(kChildHeader) + "C1,H1,Lê Thu,female,2012-01-01,\n";
  CsvImportOptions skip = Options();
  skip.skip_bad_rows = true;
  auto r = ImportSurveyCsv(households, children, skip);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(*r),
              ElementsAre("households.csv: line 2, column residence: \"mountain\" is not a "
                          "residence (rural, urban)",
                          "children.csv: line 2, column household_key: the household on "
                          "households.csv line 2 was rejected"));
  EXPECT_EQ(r->commands().getCommands().size(), 0u);
}

TEST(ExchangeCsvTest, ChildrenAloneReferToRegisteredHouseholds) {
  auto r = ImportSurveyCsv("", std::string(kChildHeader) + "C1,H1,Lê Thu,female,2012-01-01,\n",
                           Options());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok()) << r->Report();
  auto cmds = r->commands().getCommands();
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(Id(cmds[0].getPayload().getUpsertPerson().getHouseholdId()),
            HouseholdIdFor("15928", "H1"));
}

TEST(ExchangeCsvTest, BlankLinesAreSkippedAndLinesCountPhysically) {
  const std::string children = std::string(kChildHeader) +
                               "\n,,,,,\nC1,H1,\"Lê\nThu\",female,2012-01-01,\n"
                               "C2,H1,Lê Mai,female,2012-02-30,\n";
  auto r = ImportSurveyCsv("", children, Options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stats.child_rows, 2u);
  // A line break inside a quoted name counts as a line, and is refused in a name.
  EXPECT_THAT(Messages(*r),
              ElementsAre("children.csv: line 4, column full_name: contains a control character",
                          "children.csv: line 6, column birth_date: not a calendar date "
                          "(2023-02-29 style dates are refused)"));
}

TEST(ExchangeCsvTest, MissingCommuneWithoutDefaultIsReported) {
  CsvImportOptions o = Options();
  o.commune_code.clear();
  auto r = ImportSurveyCsv("household_key\nH1\n", "", o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(*r), ElementsAre("households.csv: line 1, column commune_code: required "
                                        "column is missing (no default commune was given)"));
  o.commune_code = "1592x";
  EXPECT_EQ(ImportSurveyCsv("household_key\nH1\n", "", o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ExchangeCsvTest, ProgressIsReportedAndCanCancel) {
  std::string children = kChildHeader;
  for (int i = 0; i < 25; ++i)
    children += "C" + std::to_string(i) + ",,Lê Thu,female,2012-01-01,\n";
  std::vector<size_t> seen;
  CsvImportOptions o = Options();
  o.progress_every = 10;
  o.progress = [&](size_t n) {
    seen.push_back(n);
    return true;
  };
  auto r = ImportSurveyCsv("", children, o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(seen, ElementsAre(10u, 20u, 25u));
  EXPECT_EQ(r->commands().getCommands().size(), 25u);

  o.progress = [](size_t n) { return n < 20; };
  EXPECT_EQ(ImportSurveyCsv("", children, o).status().code(), absl::StatusCode::kCancelled);
}

TEST(ExchangeCsvTest, ValidateOnlyBuildsNoCommands) {
  CsvImportOptions o = Options();
  o.validate_only = true;
  auto r = ImportSurveyCsv(kHouseholds, kChildren, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->stats.children_imported, 3u);
  EXPECT_EQ(r->commands().getCommands().size(), 0u);
}

TEST(ExchangeCsvTest, ReportMessageHoldsCommandsAndIssues) {
  CsvImportOptions o = Options();
  o.skip_bad_rows = true;
  auto r = ImportSurveyCsv(kHouseholdOk,
                           std::string(kChildHeader) +
                               "C1,H1,Lê Thu,female,2012-01-01,\n"
                               "C2,H1,Lê Mai,female,2012-02-30,\n",
                           o);
  ASSERT_TRUE(r.ok());
  capnp::MallocMessageBuilder m;
  r->ToReport(m.initRoot<s::CsvImportReport>());
  auto report = m.getRoot<s::CsvImportReport>().asReader();
  EXPECT_EQ(report.getCommands().getCommands().size(), 3u);
  ASSERT_EQ(report.getIssues().size(), 1u);
  EXPECT_EQ(report.getIssues()[0].getLine(), 3u);
  EXPECT_EQ(Text(report.getIssues()[0].getColumn()), "birth_date");
  EXPECT_EQ(Text(report.getIssues()[0].getMessage()), r->issues[0].ToString());
  EXPECT_EQ(report.getChildRows(), 2u);
  EXPECT_EQ(report.getChildrenImported(), 1u);
}

}  // namespace
}  // namespace treem::exchange
