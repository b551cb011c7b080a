#include "core/admin_units.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace treem::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Date D(int y, int m, int d) { return Date(y, m, d); }

std::string SharedDir() { return std::string(TREEM_SHARED_DIR) + "/data/admin-units/"; }

bool SharedPresent() {
  std::error_code ec;
  return std::filesystem::exists(SharedDir() + "units-before-2025-07-01.csv", ec) &&
         std::filesystem::exists(SharedDir() + "conversion-2025-07-01.csv", ec) &&
         std::filesystem::exists(SharedDir() + "communes-from-2025-07-01.json", ec);
}

std::vector<std::string> Codes(const std::vector<UnitVersion>& units) {
  std::vector<std::string> out;
  for (const auto& u : units) out.emplace_back(u.code);
  return out;
}

// ======================================================================================
// The official files
// ======================================================================================

class AdminUnitsRealTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!SharedPresent()) return;
    auto start = std::chrono::steady_clock::now();
    auto loaded = AdminUnits::LoadDirectory(SharedDir());
    load_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    status_ = new absl::Status(loaded.status());
    if (loaded.ok()) units_ = new AdminUnits(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    delete units_;
    delete status_;
    units_ = nullptr;
    status_ = nullptr;
  }
  void SetUp() override {
    if (!SharedPresent()) {
      GTEST_SKIP() << "shared/ data absent: " << SharedDir() << " not found";
    }
    ASSERT_TRUE(status_->ok()) << *status_;
  }
  const AdminUnits& U() const { return *units_; }

  static AdminUnits* units_;
  static absl::Status* status_;
  static double load_ms_;
};
AdminUnits* AdminUnitsRealTest::units_ = nullptr;
absl::Status* AdminUnitsRealTest::status_ = nullptr;
double AdminUnitsRealTest::load_ms_ = 0;

TEST_F(AdminUnitsRealTest, LoadsWellUnderASecond) {
  std::cout << "[ INFO     ] loading the three official files took " << load_ms_
            << " ms of processor time\n";
#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
  GTEST_SKIP() << "timing not meaningful in unoptimised or sanitizer builds";
#else
  EXPECT_LT(load_ms_, 1000.0);
#endif
}

TEST_F(AdminUnitsRealTest, CountsPerLevelBeforeAndAfterTheReform) {
  auto before = U().CountsOn(D(2025, 6, 30));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->provinces, 63);
  EXPECT_EQ(before->districts, 696);
  EXPECT_EQ(before->communes, 10051);  // 7,718 xã + 1,715 phường + 618 thị trấn in the GSO list
  EXPECT_EQ(before->villages, 0);
  auto after = U().CountsOn(ReformDate());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->provinces, 34);
  EXPECT_EQ(after->districts, 0);
  EXPECT_EQ(after->communes, 3321);
  auto early = U().CountsOn(D(2010, 1, 1));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->provinces, 63);  // the snapshot is assumed valid back to coverage_from
}

TEST_F(AdminUnitsRealTest, KindsOfTheNewCommunesMatchTheSpec) {
  auto communes_th = U().UnitsUnder("38", ReformDate(), UnitLevel::kCommune);
  ASSERT_TRUE(communes_th.ok());
  int xa = 0, phuong = 0, dac_khu = 0, other = 0;
  for (const char* p : {"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
                        "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
                        "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"}) {
    auto cs = U().UnitsUnder(p, ReformDate(), UnitLevel::kCommune);
    ASSERT_TRUE(cs.ok()) << p << ": " << cs.status();
    for (const auto& c : *cs) {
      if (c.kind == "Xã") {
        ++xa;
      } else if (c.kind == "Phường") {
        ++phuong;
      } else if (c.kind == "Đặc khu") {
        ++dac_khu;
      } else {
        ++other;
      }
    }
  }
  // RD-8: 2,621 xã, 687 phường, 13 đặc khu.
  EXPECT_EQ(xa, 2621);
  EXPECT_EQ(phuong, 687);
  EXPECT_EQ(dac_khu, 13);
  EXPECT_EQ(other, 0);
}

TEST_F(AdminUnitsRealTest, HoangDucIsInHoangHoaFromTheReformAndInDistrict399Before) {
  auto old = U().Find("15928", D(2025, 6, 30));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->name, "Xã Hoằng Đức");
  EXPECT_EQ(old->level, UnitLevel::kCommune);
  EXPECT_EQ(old->kind, "Xã");
  EXPECT_EQ(old->parent_code, "399");
  EXPECT_EQ(old->valid_to, D(2025, 6, 30));
  EXPECT_EQ(old->source, UnitSource::kBeforeList);

  auto before = U().ContainingUnitOn("15928", D(2024, 3, 1));
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[0].unit.code, "399");
  EXPECT_EQ((*before)[0].unit.level, UnitLevel::kDistrict);
  EXPECT_EQ((*before)[0].unit.name, "Huyện Hoằng Hóa");
  EXPECT_FALSE((*before)[0].via_lineage);
  EXPECT_EQ((*before)[1].unit.code, "38");
  EXPECT_EQ((*before)[1].unit.level, UnitLevel::kProvince);

  auto after = U().ContainingUnitOn("15928", ReformDate());
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].unit.code, "15865");
  EXPECT_EQ((*after)[0].unit.name, "Xã Hoằng Hóa");
  EXPECT_EQ((*after)[0].unit.level, UnitLevel::kCommune);
  EXPECT_EQ((*after)[0].unit.valid_from, ReformDate());
  EXPECT_FALSE((*after)[0].unit.valid_to.has_value());
  EXPECT_FALSE((*after)[0].partial);
  EXPECT_TRUE((*after)[0].via_lineage);
  EXPECT_EQ((*after)[1].unit.code, "38");
  EXPECT_EQ((*after)[1].unit.name, "Tỉnh Thanh Hóa");
  EXPECT_FALSE((*after)[1].partial);

  // The code 15865 itself has two versions: Thị trấn Bút Sơn (old) and Xã Hoằng Hóa (new).
  auto versions = U().Versions("15865");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].valid_to, D(2025, 6, 30));
  EXPECT_EQ((*versions)[1].name, "Xã Hoằng Hóa");
  EXPECT_NE((*versions)[0].name, (*versions)[1].name);

  // Lineage of the new commune lists Hoằng Đức as a whole predecessor.
  auto lineage = U().Lineage("15865", ReformDate());
  ASSERT_TRUE(lineage.ok());
  bool found = false;
  for (const auto& l : lineage->predecessors) {
    if (l.unit.code == "15928") {
      found = true;
      EXPECT_FALSE(l.partial);
      EXPECT_EQ(l.note, "Nhập toàn bộ");
      EXPECT_GT(l.source_line, 2);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(AdminUnitsRealTest, PartiallySplitCommuneMapsToEveryNewCommune) {
  // Phường Điện Biên (00019, Ba Đình) was split among four new wards.
  auto after = U().ContainingUnitOn("00019", D(2025, 9, 1));
  ASSERT_TRUE(after.ok()) << after.status();
  std::vector<std::string> communes;
  for (const auto& c : *after) {
    if (c.unit.level == UnitLevel::kCommune) {
      communes.emplace_back(c.unit.code);
      EXPECT_TRUE(c.partial) << c.unit.code;
      EXPECT_TRUE(c.via_lineage);
    }
  }
  EXPECT_THAT(communes, ElementsAre("00004", "00070", "00190", "00226"));
  ASSERT_FALSE(after->empty());
  EXPECT_EQ(after->back().unit.code, "01");  // all four are in Hà Nội ...
  EXPECT_FALSE(after->back().partial);       // ... so Hà Nội contains all of it
  auto lineage = U().Lineage("00019", D(2025, 1, 1));
  ASSERT_TRUE(lineage.ok());
  EXPECT_EQ(lineage->successors.size(), 4u);
  for (const auto& s : lineage->successors) EXPECT_THAT(std::string(s.note), HasSubstr("một phần"));
}

TEST_F(AdminUnitsRealTest, UnitsUnderThanhHoaOnBothSides) {
  auto before = U().UnitsUnder("38", D(2025, 6, 30), UnitLevel::kCommune);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->size(), 549u);
  auto districts = U().UnitsUnder("38", D(2025, 6, 30), UnitLevel::kDistrict);
  ASSERT_TRUE(districts.ok());
  EXPECT_EQ(districts->size(), 26u);
  auto after = U().UnitsUnder("38", ReformDate(), UnitLevel::kCommune);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->size(), 166u);  // LEGAL-RULES 7.2 table
  std::vector<std::string> codes = Codes(*after);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  for (const auto& c : *after) {
    auto p = U().ProvinceOf(c.code, ReformDate());
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->code, "38");
    EXPECT_TRUE(c.ValidOn(ReformDate()));
  }
  std::vector<std::string> old_codes = Codes(*before);
  EXPECT_NE(std::find(old_codes.begin(), old_codes.end(), "15928"), old_codes.end());
  EXPECT_EQ(std::find(codes.begin(), codes.end(), "15928"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "15865"), codes.end());

  auto no_districts = U().UnitsUnder("38", ReformDate(), UnitLevel::kDistrict);
  ASSERT_FALSE(no_districts.ok());
  EXPECT_EQ(no_districts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_districts.status().message(),
            "level: there are no districts on 2025-07-01 (districts were abolished from "
            "2025-07-01)");
  auto not_below = U().UnitsUnder("38", ReformDate(), UnitLevel::kProvince);
  ASSERT_FALSE(not_below.ok());
  EXPECT_EQ(not_below.status().message(),
            "level: province is not below the level of unit 38 (province)");
}

TEST_F(AdminUnitsRealTest, ProvinceOfAndProvinceMerges) {
  auto p = U().ProvinceOf("15928", D(2020, 5, 5));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->code, "38");
  EXPECT_EQ(p->valid_to, D(2025, 6, 30));
  auto gone = U().ProvinceOf("15928", ReformDate());
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(),
            "unit 15928 has no version valid on 2025-07-01 (versions: 2004-07-08..2025-06-30)");

  // Hà Giang (02) went whole into the new Tuyên Quang (08), which kept the old 08 code.
  auto ha_giang = U().ContainingUnitOn("02", ReformDate());
  ASSERT_TRUE(ha_giang.ok()) << ha_giang.status();
  ASSERT_EQ(ha_giang->size(), 1u);
  EXPECT_EQ((*ha_giang)[0].unit.code, "08");
  EXPECT_FALSE((*ha_giang)[0].partial);
  auto tq = U().Lineage("08", ReformDate());
  ASSERT_TRUE(tq.ok());
  std::vector<std::string> preds;
  for (const auto& l : tq->predecessors) preds.emplace_back(l.unit.code);
  EXPECT_THAT(preds, ElementsAre("02", "08"));
  // Every old province goes whole into exactly one new province.
  for (UnitIndex i = 0; i < U().size(); ++i) {
    auto v = U().At(i);
    ASSERT_TRUE(v.ok());
    if (v->level != UnitLevel::kProvince || v->valid_to != D(2025, 6, 30)) continue;
    auto l = U().Lineage(i);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->successors.size(), 1u) << v->code;
  }
}

TEST_F(AdminUnitsRealTest, DistrictsAndIslandDistrictsAfterTheReform) {
  // District 399 has no lineage of its own: the province that received its communes.
  auto d = U().ContainingUnitOn("399", ReformDate());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].unit.code, "38");
  EXPECT_FALSE((*d)[0].partial);
  // Bạch Long Vĩ (318) had no commune; it became a special zone.
  auto island = U().ContainingUnitOn("318", ReformDate());
  ASSERT_TRUE(island.ok()) << island.status();
  ASSERT_EQ(island->size(), 2u);
  EXPECT_EQ((*island)[0].unit.code, "11948");
  EXPECT_EQ((*island)[0].unit.kind, "Đặc khu");
  EXPECT_FALSE((*island)[0].partial);
  EXPECT_EQ((*island)[1].unit.code, "31");
}

TEST_F(AdminUnitsRealTest, IrregularitiesAreCountedAndRepairsApplied) {
  const LoadReport& r = U().report();
  using K = LoadReport::Kind;
  EXPECT_EQ(r.Count(K::kDistrictWithoutCommune), 5);
  EXPECT_EQ(r.Count(K::kDistrictToCommune), 5);
  EXPECT_EQ(r.Count(K::kAreaWithoutCode), 1);
  EXPECT_EQ(r.Count(K::kSeparatorRow), 34);
  EXPECT_EQ(r.Count(K::kOldCodeRepaired), 12);
  EXPECT_EQ(r.Count(K::kOldCodeUnknown), 3);
  EXPECT_EQ(r.Count(K::kOldDistrictDiffers), 2);
  EXPECT_EQ(r.Count(K::kNoSuccessor), 19);
  EXPECT_EQ(r.Count(K::kNoPredecessor), 0);
  EXPECT_EQ(r.Count(K::kNotInCommunesList), 0);
  EXPECT_EQ(r.Count(K::kUnknownKind), 0);
  EXPECT_EQ(r.Count(K::kOldNameDiffers), 78);
  EXPECT_EQ(r.Count(K::kDecomposedUnicode), 91);
  EXPECT_EQ(r.Count(K::kTextNormalised), 1273);
  EXPECT_EQ(r.Count(K::kWholeAndPartialMix), 1);
  EXPECT_EQ(r.Count(K::kNewNameDiffers), 0);
  EXPECT_EQ(r.Count(K::kUnrecognisedNote), 0);
  EXPECT_EQ(r.Count(K::kBlankRow), 0);
  // A repaired row: the table gives Phường 14 of Bình Thạnh the unknown code 26929; the list
  // has it as 26935, which therefore has a successor.
  auto p14 = U().Lineage("26935", D(2025, 1, 1));
  ASSERT_TRUE(p14.ok()) << p14.status();
  ASSERT_EQ(p14->successors.size(), 1u);
  EXPECT_EQ(p14->successors[0].unit.code, "26929");
  // Without a successor: an explicit error.
  auto lost = U().ContainingUnitOn("03751", ReformDate());
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(lost.status().message(),
            "unit 03751 (commune, valid to 2025-06-30) has no successor valid on 2025-07-01 in "
            "the conversion table");
}

TEST_F(AdminUnitsRealTest, UnknownCodesAndDatesGiveClearErrors) {
  auto unknown = U().Find("99998", ReformDate());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "unit code 99998 is unknown");
  auto bad = U().Find("1592", ReformDate());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "unit code \"1592\": not a 2-digit province, 3-digit district or 5-digit commune "
            "code, nor a village code (5 digits, '-', 1 to 6 digits)");
  auto early = U().Find("38", D(2000, 1, 1));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(early.status().message(),
            "date 2000-01-01 is before the coverage of the unit lists (from 2004-07-08)");
  auto early_count = U().CountsOn(D(2004, 7, 7));
  EXPECT_EQ(early_count.status().code(), absl::StatusCode::kOutOfRange);
  // A code that exists only after the reform, asked for a day before it.
  auto new_only = U().Find("26732", D(2025, 6, 30));
  ASSERT_FALSE(new_only.ok());
  EXPECT_EQ(new_only.status().message(),
            "unit 26732 has no version valid on 2025-06-30 (versions: 2025-07-01..open)");
  auto not_yet = U().ContainingUnitOn("15865", ReformDate(), D(2025, 6, 1));
  ASSERT_FALSE(not_yet.ok());
  EXPECT_EQ(not_yet.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(not_yet.status().message(),
            "unit 15865 (commune valid from 2025-07-01) did not exist yet on 2025-06-01; see its "
            "predecessors");
}

TEST_F(AdminUnitsRealTest, DenseIndicesForColumns) {
  auto i = U().FindIndex("15928", D(2024, 1, 1));
  ASSERT_TRUE(i.ok());
  auto v = U().At(*i);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->code, "15928");
  EXPECT_EQ(v->index, *i);
  auto d = U().FindIndex("399", D(2024, 1, 1));
  auto p = U().FindIndex("38", D(2024, 1, 1));
  auto p_new = U().FindIndex("38", ReformDate());
  ASSERT_TRUE(d.ok() && p.ok() && p_new.ok());
  EXPECT_NE(*p, *p_new);  // two versions of province 38
  EXPECT_EQ(U().ParentIndex(*i), *d);
  EXPECT_EQ(U().AncestorIndex(*i, UnitLevel::kDistrict), *d);
  EXPECT_EQ(U().AncestorIndex(*i, UnitLevel::kProvince), *p);
  EXPECT_EQ(U().AncestorIndex(*p, UnitLevel::kDistrict), kNoUnit);
  EXPECT_EQ(U().ParentIndex(*p), kNoUnit);
  EXPECT_EQ(U().ParentIndex(static_cast<UnitIndex>(U().size())), kNoUnit);
  EXPECT_EQ(U().size(), 63u + 696u + 10051u + 34u + 3321u);
  auto out = U().At(static_cast<UnitIndex>(U().size()));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(AdminUnitsRealTest, VillagesCanBeAddedUnderACommune) {
  std::vector<VillageSpec> villages(2);
  villages[0].code = "15865-1";
  villages[0].name = "Thôn  Một";
  villages[0].commune_on = ReformDate();
  villages[1].code = "15928-7";
  villages[1].name = "Thôn Bảy";
  villages[1].valid_from = D(2020, 1, 1);
  auto with = U().WithVillages(villages);
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(U().size() + 2, with->size());  // the original is unchanged
  auto under = with->UnitsUnder("15865", D(2026, 1, 1), UnitLevel::kVillage);
  ASSERT_TRUE(under.ok());
  ASSERT_EQ(under->size(), 1u);
  EXPECT_EQ((*under)[0].name, "Thôn Một");
  EXPECT_EQ((*under)[0].source, UnitSource::kCaller);
  auto old = with->Find("15928-7", D(2021, 1, 1));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->valid_to, D(2025, 6, 30));
  auto chain = with->ContainingUnitOn("15928-7", D(2021, 1, 1));
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].unit.code, "15928");
  EXPECT_EQ((*chain)[2].unit.code, "38");
  auto counts = with->CountsOn(D(2026, 1, 1));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->villages, 1);
  auto vi = with->FindIndex("15865-1", ReformDate());
  ASSERT_TRUE(vi.ok());
  EXPECT_EQ(with->AncestorIndex(*vi, UnitLevel::kProvince), *with->FindIndex("38", ReformDate()));

  std::vector<VillageSpec> clash(1);
  clash[0].code = "15865-1";
  clash[0].name = "Thôn Khác";
  auto dup = with->WithVillages(clash);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            "villages[0].code: village 15865-1 already has a version valid from 2025-07-01 to "
            "open");
}

// ======================================================================================
// Small synthetic files
// ======================================================================================

constexpr char kBefore[] =
    "\xEF\xBB\xBFTỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
    "Tỉnh Alpha,01,Huyện Một,001,Xã Hòa  An,00001,Xã,Hoa An Commune\n"
    "Tỉnh Alpha,01,Huyện Một,001,Xã Bình,00002,Xã,\n"
    "Tỉnh Alpha,01,Huyện Một,001,Phường Cũ,00003,Phường,\n"
    ",,,,,,,\n"
    "Tỉnh Beta,02,Huyện Đảo,002,,,Huyện,\n"
    "Tỉnh Beta,02,Thị xã Hai,003,Xã Xa,00005,Xã,\n"
    "Tỉnh Beta,02,Thị xã Hai,003,Xã Quên,00006,Xã,\n";

constexpr char kConversion[] =
    "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n"
    "\"Tỉnh, thành phố\",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n"
    "TỈNH ALPHA  ,,,,,,,,\n"
    // 00001 and 00002 merge whole into 00001; 00003 is split between 00001 and 00005.
    "Tỉnh Alpha (01),Xã Hòa An,00001,Xã Hoà An,00001,Nhập toàn bộ,Huyện Một (001),Tỉnh Alpha "
    "(01),\n"
    "Tỉnh Alpha (01),Xã Hòa An,00001,Xã Bình,00002,Nhập toàn bộ,Huyện Một (001),Tỉnh Alpha (01),\n"
    "Tỉnh Alpha (01),Xã Hòa An,00001,\"Phường\nCũ\",00003,Nhập một  phần,Huyện Một (001),Tỉnh "
    "Alpha (01),\n"
    "Tỉnh Alpha (01),Phường Mới,00005,Phường Cũ,00003,Nhập một phần,Huyện Một (001),Tỉnh Alpha "
    "(01),\n"
    // Province Beta merges into Alpha: 00005 (given the wrong code 00009) goes into 00005.
    "Tỉnh Alpha (01),Phường Mới,00005,Xã Xa,00009,Nhập toàn bộ,Thị xã Hai (003),Tỉnh Beta (02),\n"
    // Island district 002 becomes a special zone.
    "Tỉnh Alpha (01),Đặc khu Đảo,00010,,,Sắp xếp toàn bộ huyện Đảo thành đặc khu Đảo,Huyện Đảo "
    "(002),Tỉnh Beta (02),\n"
    // An unknown old commune: not usable.
    "Tỉnh Alpha (01),Phường Mới,00005,Xã Ma,00099,Nhập toàn bộ,Thị xã Hai (003),Tỉnh Beta (02),\n"
    "\n";

constexpr char kJson[] = R"([
  {"code": 1, "name": "Xã Hòa An", "province_name": "Tỉnh Alpha", "codename": "x"},
  {"code": 5, "name": "phường Mới", "province_name": "Tỉnh Alpha", "extra": [1, {"a": null}]},
  {"code": 10, "name": "Đặc khu Đảo", "province_name": "Tỉnh  Alpha"},
  {"code": 11, "name": "Xã Lạ", "province_name": "Tỉnh Alpha"}
])";

AdminUnitsSources Sources(std::string_view before = kBefore,
                          std::string_view conversion = kConversion,
                          std::string_view json = kJson) {
  AdminUnitsSources s;
  s.before_csv = before;
  s.conversion_csv = conversion;
  s.communes_json = json;
  return s;
}

TEST(AdminUnitsSyntheticTest, LoadsAndModelsTheReform) {
  auto u = AdminUnits::LoadContents(Sources());
  ASSERT_TRUE(u.ok()) << u.status();
  auto before = u->CountsOn(D(2025, 6, 30));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->provinces, 2);
  EXPECT_EQ(before->districts, 3);
  EXPECT_EQ(before->communes, 5);
  auto after = u->CountsOn(D(2025, 7, 1));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->provinces, 1);
  EXPECT_EQ(after->districts, 0);
  EXPECT_EQ(after->communes, 4);

  auto hoa = u->Find("00001", D(2024, 1, 1));
  ASSERT_TRUE(hoa.ok());
  EXPECT_EQ(hoa->name, "Xã Hòa An");  // double space collapsed
  EXPECT_EQ(hoa->english_name, "Hoa An Commune");
  auto moi = u->Find("00005", D(2025, 7, 1));
  ASSERT_TRUE(moi.ok());
  EXPECT_EQ(moi->name, "Phường Mới");  // kind capitalised
  EXPECT_EQ(moi->kind, "Phường");
  EXPECT_EQ(moi->parent_code, "01");

  // The split ward: both new communes, partial; both in province 01, which holds it whole.
  auto split = u->ContainingUnitOn("00003", D(2025, 7, 1));
  ASSERT_TRUE(split.ok()) << split.status();
  ASSERT_EQ(split->size(), 3u);
  EXPECT_EQ((*split)[0].unit.code, "00001");
  EXPECT_TRUE((*split)[0].partial);
  EXPECT_EQ((*split)[1].unit.code, "00005");
  EXPECT_TRUE((*split)[1].partial);
  EXPECT_EQ((*split)[2].unit.code, "01");
  EXPECT_FALSE((*split)[2].partial);

  // The repaired code: Xã Xa (00005 old) goes into Phường Mới (00005 new).
  auto xa = u->ContainingUnitOn("00005", D(2025, 8, 1));
  ASSERT_TRUE(xa.ok()) << xa.status();
  EXPECT_EQ((*xa)[0].unit.code, "00005");
  EXPECT_EQ((*xa)[0].unit.name, "Phường Mới");
  EXPECT_FALSE((*xa)[0].partial);
  // With the code read on a post-reform day it is the new ward itself.
  auto self = u->ContainingUnitOn("00005", D(2025, 8, 1), D(2025, 8, 1));
  ASSERT_TRUE(self.ok());
  ASSERT_EQ(self->size(), 1u);
  EXPECT_EQ((*self)[0].unit.code, "01");
  EXPECT_FALSE((*self)[0].via_lineage);

  // Province 02 went whole into 01.
  auto beta = u->ContainingUnitOn("02", D(2025, 7, 1));
  ASSERT_TRUE(beta.ok());
  ASSERT_EQ(beta->size(), 1u);
  EXPECT_EQ((*beta)[0].unit.code, "01");
  EXPECT_FALSE((*beta)[0].partial);

  // The island district went whole into the special zone.
  auto island = u->ContainingUnitOn("002", D(2025, 7, 1));
  ASSERT_TRUE(island.ok());
  EXPECT_EQ((*island)[0].unit.code, "00010");
  EXPECT_EQ((*island)[0].unit.kind, "Đặc khu");

  auto old_map = u->UnitsUnder("01", D(2025, 6, 30), UnitLevel::kCommune);
  ASSERT_TRUE(old_map.ok());
  EXPECT_THAT(Codes(*old_map), ElementsAre("00001", "00002", "00003"));
  auto new_map = u->UnitsUnder("01", D(2025, 7, 1), UnitLevel::kCommune);
  ASSERT_TRUE(new_map.ok());
  EXPECT_THAT(Codes(*new_map), ElementsAre("00001", "00005", "00010", "00011"));

  using K = LoadReport::Kind;
  const LoadReport& r = u->report();
  EXPECT_EQ(r.Count(K::kBlankRow), 2);
  EXPECT_EQ(r.Count(K::kDistrictWithoutCommune), 1);
  EXPECT_EQ(r.Count(K::kSeparatorRow), 1);
  EXPECT_EQ(r.Count(K::kOldCodeRepaired), 1);
  EXPECT_EQ(r.Count(K::kOldCodeUnknown), 1);
  EXPECT_EQ(r.Count(K::kDistrictToCommune), 1);
  EXPECT_EQ(r.Count(K::kNoSuccessor), 1);     // Xã Quên
  EXPECT_EQ(r.Count(K::kNoPredecessor), 1);   // Xã Lạ
  EXPECT_EQ(r.Count(K::kOldNameDiffers), 0);  // "Hoà" and "Hòa" compare equal
  EXPECT_EQ(r.Count(K::kTextNormalised), 4);  // "Hòa  An", note, "phường", "Tỉnh  Alpha"
  EXPECT_EQ(r.Count(K::kWholeAndPartialMix), 0);
  bool found = false;
  for (const auto& item : r.items) {
    if (item.kind == K::kOldCodeRepaired) {
      found = true;
      EXPECT_EQ(item.file, "conversion-2025-07-01.csv");
      EXPECT_EQ(item.line, 9);  // line numbers count the quoted line break of line 6
      EXPECT_EQ(item.detail,
                "old commune \"Xã Xa\" given code 00009 is 00005 in district 003: code repaired");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_STREQ(LoadReport::KindName(K::kOldCodeRepaired), "old_code_repaired");

  auto quen = u->ContainingUnitOn("00006", D(2025, 7, 1));
  EXPECT_EQ(quen.status().code(), absl::StatusCode::kNotFound);
}

TEST(AdminUnitsSyntheticTest, CoverageStartIsAnOption) {
  AdminUnitsOptions opt;
  opt.coverage_from = D(2020, 1, 1);
  auto u = AdminUnits::LoadContents(Sources(), opt);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->coverage_from(), D(2020, 1, 1));
  EXPECT_TRUE(u->Find("00001", D(2020, 1, 1)).ok());
  EXPECT_EQ(u->Find("00001", D(2019, 12, 31)).status().message(),
            "date 2019-12-31 is before the coverage of the unit lists (from 2020-01-01)");
  opt.coverage_from = D(2025, 7, 1);
  EXPECT_EQ(AdminUnits::LoadContents(Sources(), opt).status().message(),
            "coverage_from: must be before 2025-06-30");
}

TEST(AdminUnitsSyntheticTest, EmptyRegistryAnswersNotFound) {
  AdminUnits empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.Find("01", D(2025, 7, 1)).status().code(), absl::StatusCode::kNotFound);
}

std::string LoadError(std::string_view before, std::string_view conversion = kConversion,
                      std::string_view json = kJson) {
  auto u = AdminUnits::LoadContents(Sources(before, conversion, json));
  EXPECT_FALSE(u.ok());
  if (!u.ok()) {
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  }
  return u.ok() ? "" : std::string(u.status().message());
}

constexpr char kHeader[] =
    "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n";

TEST(AdminUnitsMalformedTest, BeforeListErrorsNameFileLineColumnAndReason) {
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,0001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2, column 6 (Mã PX): \"0001\" is not a 5-digit "
            "commune code");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,1,Huyện B,001,Xã C,00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2, column 2 (Mã TP): \"1\" is not a 2-digit "
            "province code");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,01a,Xã C,00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2, column 4 (Mã QH): \"01a\" is not a 3-digit "
            "district code");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,00001,Xã\n"),
            "units-before-2025-07-01.csv: line 2: row has 7 columns, expected 8");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,00001,Xã,\n"
                                             "Tỉnh A,01,Huyện B,001,Xã D,00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 3, column 6 (Mã PX): duplicate commune code "
            "00001 (first at line 2)");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,00001,Xã,\n"
                                             "Tỉnh A,02,Huyện B,001,Xã D,00002,Xã,\n"),
            "units-before-2025-07-01.csv: line 3, column 4 (Mã QH): district 001 is in province "
            "02 here but in province 01 at line 2");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,00001,Xã,\n"
                                             "Tỉnh Z,01,Huyện B,001,Xã D,00002,Xã,\n"),
            "units-before-2025-07-01.csv: line 3, column 1 (Tỉnh Thành Phố): province 01 is "
            "named \"Tỉnh Z\" here but \"Tỉnh A\" at line 2");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã C,00001,Làng,\n"),
            "units-before-2025-07-01.csv: line 2, column 7 (Cấp): unknown commune kind \"Làng\" "
            "(expected Xã, Phường or Thị trấn)");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,,00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2, column 5 (Phường Xã): empty commune name");
  EXPECT_EQ(LoadError("Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Ma PX,Cấp,Tên Tiếng Anh\n"),
            "units-before-2025-07-01.csv: line 1, column 6 (Mã PX): header is \"Ma PX\"");
  EXPECT_EQ(LoadError("Tỉnh Thành Phố,Mã TP,Quận Huyện\n"),
            "units-before-2025-07-01.csv: line 1: header has 3 columns, expected 8");
  EXPECT_EQ(LoadError(""), "units-before-2025-07-01.csv: line 1: empty file (no header)");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,\"Xã C,00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2: column 5: quoted field is not closed");
  EXPECT_EQ(LoadError(std::string(kHeader) + "Tỉnh A,01,Huyện B,001,Xã \"C\",00001,Xã,\n"),
            "units-before-2025-07-01.csv: line 2: column 5: quote inside an unquoted field");
}

constexpr char kConvHead[] =
    "Title,,,,,,,,\n"
    "\"Tỉnh, thành phố\",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n";

TEST(AdminUnitsMalformedTest, ConversionTableErrors) {
  auto conv = [](std::string_view row) { return std::string(kConvHead) + std::string(row); };
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha,Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện Một "
                                    "(001),Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 3, column 1 (Tỉnh, thành phố): \"Tỉnh Alpha\" is not "
            "\"<province name> (<2-digit code>)\"");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,1,Xã Bình,00002,Nhập toàn bộ,Huyện Một "
                                    "(001),Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 3, column 3 (Mã Xã mới): \"1\" is not a 5-digit "
            "commune code");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,2,Nhập toàn bộ,Huyện Một "
                                    "(001),Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 3, column 5 (Mã Xã cũ): \"2\" is not a 5-digit "
            "commune code");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện "
                                    "Một,Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 3, column 7 (Quận/huyện): \"Huyện Một\" is not "
            "\"<district name> (<3-digit code>)\"");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002\n")),
            "conversion-2025-07-01.csv: line 3: row has 5 columns, expected 8");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện "
                                    "Một (001),Tỉnh Alpha (01),\n"
                                    "Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện "
                                    "Một (001),Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 4: duplicate row: commune 00002 into commune 00001 "
            "already at line 3");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện "
                                    "Một (001),Tỉnh Alpha (01),\n"
                                    "Tỉnh Gamma (03),Xã X,00001,Xã Hòa An,00001,Nhập toàn bộ,Huyện "
                                    "Một (001),Tỉnh Alpha (01),\n")),
            "conversion-2025-07-01.csv: line 4, column 1 (Tỉnh, thành phố): commune 00001 is in "
            "province 03 here but in province 01 at line 3");
  EXPECT_EQ(LoadError(kBefore, conv("Tỉnh Alpha (01),Xã X,00001,Xã Bình,00002,Nhập toàn bộ,Huyện "
                                    "Một (001),Tỉnh Alpha (01),surplus\n")),
            "conversion-2025-07-01.csv: line 3, column 9 (extra column): unexpected value after "
            "the last column");
  EXPECT_EQ(LoadError(kBefore, "Title\nno header here\n"),
            "conversion-2025-07-01.csv: line 1: header row not found (its first column must be "
            "\"Tỉnh, thành phố\")");
}

TEST(AdminUnitsMalformedTest, CommunesJsonErrors) {
  EXPECT_EQ(LoadError(kBefore, kConversion, R"([{"code": 1, "name": "Xã A"}])"),
            "communes-from-2025-07-01.json: line 1, column 2: object has no \"province_name\"");
  EXPECT_EQ(LoadError(kBefore, kConversion,
                      "[\n {\"code\": 1, \"name\": \"Xã A\", \"province_name\": \"Tỉnh Alpha\"},\n"
                      " {\"code\": 1, \"name\": \"Xã B\", \"province_name\": \"Tỉnh Alpha\"}\n]"),
            "communes-from-2025-07-01.json: line 3, column 11: duplicate commune code 00001 "
            "(first at line 2)");
  EXPECT_EQ(LoadError(kBefore, kConversion, "[\n {\"code\": \"1\"}]"),
            "communes-from-2025-07-01.json: line 2, column 11: \"code\" must be an integer");
  EXPECT_EQ(LoadError(kBefore, kConversion, "[\n {\"code\": 1 \"name\": \"x\"}]"),
            "communes-from-2025-07-01.json: line 2, column 13: expected ',' or '}'");
  EXPECT_EQ(LoadError(kBefore, kConversion,
                      R"([{"code": 123456, "name": "Xã A", "province_name": "Tỉnh Alpha"}])"),
            "communes-from-2025-07-01.json: line 1, column 11: code 123456 is not a commune "
            "code (1 to 99999)");
  EXPECT_EQ(LoadError(kBefore, kConversion,
                      R"([{"code": 7, "name": "Xã A", "province_name": "Tỉnh Omega"}])"),
            "communes-from-2025-07-01.json: line 1, column 2: commune 00007: province_name "
            "\"Tỉnh Omega\" matches no province of the conversion table");
  EXPECT_EQ(LoadError(kBefore, kConversion, R"([{"code": 7, "name": "Xã \u00)"),
            "communes-from-2025-07-01.json: line 1, column 30: bad \\u escape");
  // Escapes are decoded: "\u1ea0" is Ạ.
  auto u = AdminUnits::LoadContents(Sources(
      kBefore, kConversion,
      R"([{"code": 7, "name": "X\u00e3 \u1ea0 \ud83d\ude00", "province_name": "T\u1ec9nh Alpha"}])"));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->Find("00007", D(2025, 7, 1))->name, "Xã Ạ \xF0\x9F\x98\x80");
}

TEST(AdminUnitsMalformedTest, MissingFilesAndBadVillages) {
  auto missing =
      AdminUnits::LoadFiles("/nonexistent/a.csv", "/nonexistent/b.csv", "/nonexistent/c.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "opening '/nonexistent/a.csv': cannot read");

  auto u = AdminUnits::LoadContents(Sources());
  ASSERT_TRUE(u.ok());
  std::vector<VillageSpec> v(1);
  v[0].code = "0001-1";
  v[0].name = "Thôn A";
  EXPECT_EQ(u->WithVillages(v).status().message(),
            "villages[0].code: \"0001-1\" is not a village code (5-digit commune code, '-', 1 "
            "to 6 digits)");
  v[0].code = "00077-1";
  EXPECT_EQ(u->WithVillages(v).status().message(), "villages[0].code: commune 00077 is unknown");
  v[0].code = "00002-1";
  v[0].valid_from = D(2025, 7, 2);
  EXPECT_EQ(u->WithVillages(v).status().message(),
            "villages[0].code: commune 00002 has no version valid on 2025-07-02");
  v[0].valid_from = D(2024, 1, 1);
  v[0].valid_to = D(2025, 12, 31);
  EXPECT_EQ(u->WithVillages(v).status().message(),
            "villages[0].valid_to: 2025-12-31 is after the last day of commune 00002 "
            "(2025-06-30)");
  v[0].valid_to = D(2023, 1, 1);
  EXPECT_EQ(u->WithVillages(v).status().message(),
            "villages[0].valid_to: 2023-01-01 is before valid_from 2024-01-01");
  v[0].valid_to.reset();
  v[0].name = "  ";
  EXPECT_EQ(u->WithVillages(v).status().message(), "villages[0].name: empty");
  // Villages can also be given at load time.
  AdminUnitsOptions opt;
  opt.villages.push_back({"00002-15", "Thôn Mười Lăm", std::nullopt, std::nullopt, std::nullopt});
  auto with = AdminUnits::LoadContents(Sources(), opt);
  ASSERT_TRUE(with.ok()) << with.status();
  auto village = with->Find("00002-15", D(2024, 1, 1));
  ASSERT_TRUE(village.ok());
  EXPECT_EQ(village->level, UnitLevel::kVillage);
  EXPECT_EQ(village->parent_code, "00002");
  EXPECT_EQ(village->valid_from, D(2004, 7, 8));
}

}  // namespace
}  // namespace treem::core
