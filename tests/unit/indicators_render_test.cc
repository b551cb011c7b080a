// Report rendering (CSV, HTML, JSON, Cap'n Proto) and reports on the real unit files (the
// Hoằng Đức -> Hoằng Hóa merge).
#include <filesystem>
#include <string>

#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "indicators/render.h"
#include "rules/csv.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"

namespace treem::indicators {
namespace {

namespace s = schema;
using ::testing::HasSubstr;

// A report built directly (the renderer does not care where it comes from).
ReportMessage SampleReport() {
  ReportMessage m;
  auto r = m.builder();
  r.setTitle("Báo cáo <Q4> & năm");
  r.setUnitCode("15865");
  ToSchema(Period::Year(2025), r.initPeriod());
  auto defs = r.initDefinitions(2);
  ToSchema(*FindBuiltin("P1"), defs[0]);
  ToSchema(*FindBuiltin("OP.INSPECTIONS"), defs[1]);
  auto vals = r.initValues(4);
  auto set = [](s::IndicatorValue::Builder v, const char* id, const char* unit, int64_t n,
                int64_t d, double value) {
    v.setIndicatorId(id);
    v.setUnitCode(unit);
    ToSchema(Period::Year(2025), v.initPeriod());
    v.setNumerator(n);
    v.setDenominator(d);
    v.setValue(value);
    v.setTargetStatus(s::TargetStatus::NO_TARGET);
  };
  set(vals[0], "P1", "15865", 37, 740, 5.0);
  vals[0].setTarget(4.9);
  vals[0].setTargetStatus(s::TargetStatus::NOT_MET);
  set(vals[1], "P1", "15865", 20, 400, 5.0);
  vals[1].initDisaggregation().setBySex(true);
  vals[1].getDisaggregation().setSex(s::Sex::FEMALE);
  set(vals[2], "P1", "15866", 0, 0, 0);
  vals[2].setSuppressed(true);
  vals[2].setValue(std::nan(""));
  set(vals[3], "OP.INSPECTIONS", "15865", 12, 0, 12);
  r.initNotes(1).set(0, "map of 2025-12-31");
  return m;
}

TEST(IndicatorsRenderTest, CsvParsesBackToTheFigures) {
  ReportMessage m = SampleReport();
  const std::string csv = RenderCsv(m.reader());
  auto rows = rules::ParseCsv(csv, "report.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 5u);
  auto h = rules::CsvHeader::Make((*rows)[0],
                                  {"indicator", "unit_code", "numerator", "denominator", "value",
                                   "target", "target_status", "sex", "suppressed"},
                                  "report.csv");
  ASSERT_TRUE(h.ok());
  const auto& r1 = (*rows)[1];
  EXPECT_EQ(h->Get(r1, "indicator"), "P1");
  EXPECT_EQ(h->Get(r1, "numerator"), "37");
  EXPECT_EQ(h->Get(r1, "denominator"), "740");
  EXPECT_EQ(h->Get(r1, "value"), "5.0000");
  EXPECT_EQ(h->Get(r1, "target"), "4.9000");
  EXPECT_EQ(h->Get(r1, "target_status"), "notMet");
  EXPECT_EQ(h->Get((*rows)[2], "sex"), "female");
  EXPECT_EQ(h->Get((*rows)[3], "suppressed"), "1");
  EXPECT_EQ(h->Get((*rows)[3], "numerator"), "");
  EXPECT_EQ(h->Get((*rows)[4], "numerator"), "12");
}

TEST(IndicatorsRenderTest, HtmlIsSelfContainedWithChartsAndFigures) {
  ReportMessage m = SampleReport();
  const std::string html = RenderHtml(m.reader());
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("Báo cáo &lt;Q4&gt; &amp; năm"));  // escaped
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("<td>37</td><td>740</td><td>5.00</td>"));
  EXPECT_THAT(html, HasSubstr("<td>12</td><td></td>"));  // count: no denominator shown
  EXPECT_THAT(html, HasSubstr("Tỷ lệ lao động trẻ em"));
  EXPECT_THAT(html, HasSubstr("target 4.9"));  // the target line of the chart
  EXPECT_THAT(html, HasSubstr("map of 2025-12-31"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // One chart per indicator.
  size_t svgs = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
}

TEST(IndicatorsRenderTest, JsonAndCapnpRoundTrip) {
  ReportMessage m = SampleReport();
  auto json = EncodeReport(m.reader(), serde::Format::kJson);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"indicatorId\":\"P1\""));
  EXPECT_THAT(*json, HasSubstr("\"value\":\"NaN\""));
  auto bin = EncodeReport(m.reader(), serde::Format::kCapnp);
  ASSERT_TRUE(bin.ok());
  capnp::MallocMessageBuilder back;
  ASSERT_TRUE(serde::DecodeInto<s::Report>(*bin, serde::Format::kCapnp, back).ok());
  EXPECT_EQ(back.getRoot<s::Report>().getValues()[0].getNumerator(), 37);
}

// ---- the real unit files ----

std::string SharedDir() { return std::string(TREEM_SHARED_DIR) + "/data/admin-units/"; }

TEST(IndicatorsRealUnitsTest, HoangDucRecordsCountForHoangHoa) {
  if (!std::filesystem::exists(SharedDir() + "conversion-2025-07-01.csv")) {
    GTEST_SKIP() << "shared/ data absent: " << SharedDir();
  }
  auto units = core::AdminUnits::LoadDirectory(SharedDir());
  ASSERT_TRUE(units.ok()) << units.status();
  capnp::MallocMessageBuilder msg;
  auto persons = msg.initRoot<s::Snapshot>().initPersons(3);
  // Two children recorded under the old code of Hoằng Đức (15928), one under 15937 (Hoằng Hà,
  // merged into the same new commune).
  const char* codes[] = {"15928", "15928", "15937"};
  for (unsigned i = 0; i < 3; ++i) {
    persons[i].initId().setLo(i + 1);
    persons[i].setSex(s::Sex::FEMALE);
    auto d = persons[i].initBirthDate().initDate();
    d.setYear(2014);
    d.setMonth(5);
    d.setDay(1);
    persons[i].setCommuneCode(codes[i]);
  }
  auto ds = BuildDataset(msg.getRoot<s::Snapshot>().asReader(), *units);
  ASSERT_TRUE(ds.ok()) << ds.status();
  auto denominator = [&](const std::string& unit, core::Date map_date) -> int64_t {
    ReportRequest r;
    r.unit_code = unit;
    r.period = Period::Year(2025);
    r.map_date = map_date;
    r.indicator_ids = {"P1"};
    auto rep = Compute(*ds, r);
    EXPECT_TRUE(rep.ok()) << rep.status();
    if (!rep.ok()) return -1;
    return rep->reader().getValues()[0].getDenominator();
  };
  const core::Date old_map(2025, 6, 30), new_map(2025, 12, 31);
  EXPECT_EQ(denominator("15865", new_map), 3);  // new Hoằng Hóa holds all three
  EXPECT_EQ(denominator("15928", old_map), 2);  // old Hoằng Đức
  EXPECT_EQ(denominator("399", old_map), 3);    // old district Hoằng Hóa
  EXPECT_EQ(denominator("38", old_map), 3);     // Thanh Hóa, old map
  EXPECT_EQ(denominator("38", new_map), 3);     // Thanh Hóa, new map
  EXPECT_EQ(denominator("15865", old_map), 0);  // the old 15865 (Bút Sơn) has none of them
  // Breakdown by commune on the new map: one row for 15865 with all three.
  ReportRequest r;
  r.unit_code = "38";
  r.period = Period::Year(2025);
  r.breakdown_level = core::UnitLevel::kCommune;
  r.indicator_ids = {"P1"};
  auto rep = Compute(*ds, r);
  ASSERT_TRUE(rep.ok()) << rep.status();
  int64_t in_15865 = -1, rows = 0;
  for (auto v : rep->reader().getValues()) {
    ++rows;
    if (v.getUnitCode() == "15865") in_15865 = v.getDenominator();
  }
  EXPECT_EQ(in_15865, 3);
  EXPECT_GT(rows, 100);  // every commune of Thanh Hóa has a row
}

}  // namespace
}  // namespace treem::indicators
