// Indicator definitions, periods and plans (data as shipped, and the refusals).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicators/definitions.h"
#include "indicators/period.h"
#include "indicators/plan.h"

namespace treem::indicators {
namespace {

namespace s = schema;
using ::testing::HasSubstr;

TEST(IndicatorDefinitionsTest, BuiltinsCoverTheProgramme) {
  const auto& defs = BuiltinDefinitions();
  for (const char* id :
       {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P8.PROVINCE", "P8.COMMUNE",
        "OP.CASES_OPENED", "OP.CASES_OVERDUE.planDraft", "OP.REFERRALS.accepted",
        "OP.FOLLOWUP_COVERAGE", "OP.COMMITMENTS_IN_FORCE", "OP.SPENDING.source.stateBudget"}) {
    EXPECT_NE(FindBuiltin(id), nullptr) << id;
  }
  EXPECT_GT(defs.size(), 40u);
  const IndicatorDef* p1 = FindBuiltin("P1");
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->numerator.selector, "CHILDREN_5_17_CHILD_LABOUR");
  EXPECT_EQ(p1->denominator.selector, "CHILDREN_5_17");
  EXPECT_EQ(p1->direction, s::Direction::AT_MOST);
  EXPECT_TRUE(p1->Supports(s::DisaggregationDimension::STAT_BAND));
  EXPECT_EQ(FindBuiltin("P10")->direction, s::Direction::MINIMISE);
  EXPECT_EQ(FindBuiltin("OP.FINES_VND")->unit, s::IndicatorUnit::VND);
}

TEST(IndicatorDefinitionsTest, SchemaRoundTrip) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<s::IndicatorDefinition>();
  ToSchema(*FindBuiltin("P3"), b);
  auto back = FromSchema(b.asReader(), "definition");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, "P3");
  EXPECT_EQ(back->denominator.selector, "AT_RISK_OR_CL");
  EXPECT_EQ(back->dimensions, FindBuiltin("P3")->dimensions);
  b.getNumerator().setSelector("NO_SUCH_COUNTER");
  EXPECT_THAT(FromSchema(b.asReader(), "definition").status().message(),
              HasSubstr("definition: numerator: unknown selector"));
}

TEST(IndicatorDefinitionsTest, RefusesBadCsv) {
  const std::string head =
      "id,name_vi,name_en,unit,direction,numerator,denominator,age_reference,dimensions,"
      "operational\n";
  EXPECT_THAT(ParseDefinitionsCsv(head + "X,a,b,percent,atLeast,CHILDREN_5_17,,periodEnd,,0\n", "f")
                  .status()
                  .message(),
              HasSubstr("f: line 2: denominator: required for unit percent"));
  EXPECT_THAT(ParseDefinitionsCsv(
                  head + "X,a,b,percent,upward,CHILDREN_5_17,CHILDREN_5_17,periodEnd,,0\n", "f")
                  .status()
                  .message(),
              HasSubstr("direction: unknown value \"upward\""));
  EXPECT_THAT(ParseDefinitionsCsv(head + "X,a,b,count,unknown,INSPECTIONS,,eventDate,,1\n"
                                         "X,a,b,count,unknown,INSPECTIONS,,eventDate,,1\n",
                                  "f")
                  .status()
                  .message(),
              HasSubstr("line 3: id: duplicate"));
  auto ok = ParseDefinitionsCsv(
      head + "MY.REF,a,b,count,unknown,REFERRALS:declined,,eventDate,sex,1\n", "f");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->at(0).numerator.selector, "REFERRALS:declined");
}

TEST(PeriodTest, KindsAndLabels) {
  auto q = Period::Quarter(2024, 1);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->end, core::Date(2024, 3, 31));
  EXPECT_EQ(q->Label(), "2024-Q1");
  auto h = Period::Half(2024, 2);
  EXPECT_EQ(h->start, core::Date(2024, 7, 1));
  EXPECT_EQ(h->end, core::Date(2024, 12, 31));
  auto feb = Period::Month(2024, 2);
  EXPECT_EQ(feb->end, core::Date(2024, 2, 29));
  EXPECT_EQ(feb->Label(), "2024-02");
  EXPECT_FALSE(Period::Quarter(2024, 5).ok());
  EXPECT_FALSE(Period::Custom(core::Date(2025, 1, 2), core::Date(2025, 1, 1)).ok());
  for (const char* label : {"2024", "2024-H1", "2024-Q3", "2024-11", "2021-01-01..2025-12-31"}) {
    auto p = ParsePeriod(label);
    ASSERT_TRUE(p.ok()) << label;
    EXPECT_EQ(p->Label(), label);
  }
  EXPECT_FALSE(ParsePeriod("2024-Q9").ok());
  EXPECT_FALSE(ParsePeriod("soon").ok());
}

TEST(PeriodTest, SchemaRoundTripAndConsistency) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<s::Period>();
  ToSchema(*Period::Quarter(2025, 3), b);
  auto back = FromSchema(b.asReader(), "period");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->end, core::Date(2025, 9, 30));
  b.getEnd().setDay(29);  // disagrees with Q3
  EXPECT_THAT(FromSchema(b.asReader(), "period").status().message(),
              HasSubstr("period: start/end disagree"));
  b.setKind(s::PeriodKind::CUSTOM);
  EXPECT_TRUE(FromSchema(b.asReader(), "period").ok());
}

TEST(PlanTest, EmbeddedPlansLoad) {
  auto national = LoadEmbeddedPlan("qd-782-2021");
  ASSERT_TRUE(national.ok()) << national.status();
  auto n = national->reader();
  EXPECT_EQ(std::string(n.getNumber().cStr()), "782/QĐ-TTg");
  EXPECT_EQ(n.getIssuingLevel(), s::AdminLevel::NATIONAL);
  // Title with commas survives (the '@' value is the rest of the line).
  EXPECT_THAT(std::string(n.getTitle().cStr()), HasSubstr("giảm thiểu trẻ em lao động"));
  int p1_targets = 0;
  for (auto t : n.getTargets()) {
    if (t.getIndicatorId() == "P1") {
      ++p1_targets;
      EXPECT_EQ(t.getDirection(), s::Direction::AT_MOST);
      EXPECT_TRUE(t.getByYear() == 2025 ? t.getValue() == 4.9 : t.getValue() == 4.5);
    }
    if (t.getIndicatorId() == "P8.COMMUNE") {
      EXPECT_EQ(t.getScopeLevel(), s::AdminLevel::COMMUNE);
    }
  }
  EXPECT_EQ(p1_targets, 2);

  auto seed = LoadEmbeddedPlan("hoang-duc-2023");
  ASSERT_TRUE(seed.ok()) << seed.status();
  auto sd = seed->reader();
  EXPECT_EQ(std::string(sd.getIssuingUnitCode().cStr()), "15928");
  bool p3 = false;
  for (auto t : sd.getTargets()) {
    if (t.getIndicatorId() != "P3") continue;
    p3 = true;
    EXPECT_EQ(t.getValue(), 100.0);  // the demo plan's 100%
    EXPECT_EQ(std::string(t.getPrinted().cStr()), "Trên 100%");
  }
  EXPECT_TRUE(p3);
  EXPECT_FALSE(LoadEmbeddedPlan("nowhere").ok());
}

std::string SeedWithP3(const std::string& target) {
  return "@number,KH-1\n@periodStart,2023-01-01\n@periodEnd,2030-12-31\n"
         "indicator,target,byYear,scope,scopeLevel,printed,note\n"
         "P2,>=100%,2025,,,100%,\nP3," +
         target + ",2025,,,Trên 100%,\n";
}

TEST(PlanTest, RefusesPercentagesOutsideZeroToHundred) {
  // The seed prints "trên 100%" (over 100%) for P3: refused with a clear error.
  auto over = ParsePlanCsv(SeedWithP3(">100%"), "plans/seed.csv");
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.status().message(),
              HasSubstr("plans/seed.csv: line 6 (P3): target: more than 100% is impossible"));
  EXPECT_THAT(ParsePlanCsv(SeedWithP3("101%"), "f").status().message(),
              HasSubstr("(P3): target: 101% is above 100%"));
  EXPECT_THAT(ParsePlanCsv(SeedWithP3("-5%"), "f").status().message(), HasSubstr("is below 0%"));
  EXPECT_TRUE(ParsePlanCsv(SeedWithP3(">=100%"), "f").ok());
  EXPECT_THAT(ParsePlanCsv(SeedWithP3("lots"), "f").status().message(),
              HasSubstr("target: not a number"));
  EXPECT_THAT(ParsePlanCsv("@number,x\n@periodStart,2023-01-01\n@periodEnd,2030-12-31\n"
                           "indicator,target,byYear\nP77,5%,2025\n",
                           "f")
                  .status()
                  .message(),
              HasSubstr("(P77): unknown indicator"));
  EXPECT_THAT(ParsePlanCsv("@number,x\nindicator,target,byYear\n", "f").status().message(),
              HasSubstr("@periodStart, @periodEnd"));
}

TEST(PlanTest, ValidatesPlanRecords) {
  auto plan = LoadEmbeddedPlan("qd-782-2021");
  ASSERT_TRUE(plan.ok());
  auto t = plan->builder().getTargets()[2];
  t.setValue(120);
  auto st = ValidatePlan(plan->reader(), BuiltinDefinitions());
  EXPECT_THAT(st.message(), HasSubstr("plan.targets[2] (P2): value: 120% is above 100%"));
}

}  // namespace
}  // namespace treem::indicators
