// Unit tests of the rules engine: age arithmetic, night windows, rule-row parsing, code lists
// (shipped and user-loaded), the explained result, and the child-level verdict.
#include <random>
#include <string>

#include "capnp/message.h"
#include "core/date.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/api.h"
#include "rules/classify.h"
#include "rules/csv.h"
#include "rules/engine.h"
#include "rules/registry.h"

namespace treem::rules {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<RuleRegistry> Registry() {
  auto reg = NewRuleRegistry();
  EXPECT_TRUE(reg.ok()) << reg.status();
  return std::move(*reg);
}

void SetDate(int y, int m, int d, schema::Date::Builder b) {
  b.setYear(static_cast<int16_t>(y));
  b.setMonth(static_cast<uint8_t>(m));
  b.setDay(static_cast<uint8_t>(d));
}

TEST(ClassifyAgeTest, PackedAgeMatchesCivilCodeAgeOnRandomDates) {
  std::mt19937 rng(20240229);
  std::uniform_int_distribution<int> day(0, 365 * 30);
  const core::Date base(1996, 1, 1);
  for (int i = 0; i < 20000; ++i) {
    core::Date b = base + boost::gregorian::days(day(rng));
    core::Date on = b + boost::gregorian::days(day(rng) % (365 * 19));
    ASSERT_EQ(AgeYmd(PackYmd(b), PackYmd(on)), core::AgeInCompletedYears(b, on))
        << core::FormatDate(b) << " " << core::FormatDate(on);
  }
}

TEST(ClassifyAgeTest, LeapDayBirths) {
  EXPECT_EQ(AgeYmd(PackYmd(2008, 2, 29), PackYmd(2023, 2, 28)), 15);
  EXPECT_EQ(AgeYmd(PackYmd(2008, 2, 29), PackYmd(2023, 2, 27)), 14);
  EXPECT_EQ(AgeYmd(PackYmd(2008, 2, 29), PackYmd(2024, 2, 28)), 15);
  EXPECT_EQ(AgeYmd(PackYmd(2012, 2, 29), PackYmd(2024, 2, 28)), 11);
  EXPECT_EQ(AgeYmd(PackYmd(2012, 2, 29), PackYmd(2024, 2, 29)), 12);
}

TEST(ClassifyNightTest, WindowEdgesAreHalfOpen) {
  auto reg = Registry();
  const RuleSet* rs = reg->Find("VN-LC2019");
  ASSERT_NE(rs, nullptr);
  auto m = [](int h, int mi) { return static_cast<uint16_t>(h * 60 + mi); };
  EXPECT_FALSE(rs->IsNight(m(18, 0), m(22, 0)));
  EXPECT_TRUE(rs->IsNight(m(18, 0), m(22, 1)));
  EXPECT_FALSE(rs->IsNight(m(6, 0), m(14, 0)));
  EXPECT_TRUE(rs->IsNight(m(5, 59), m(14, 0)));
  EXPECT_TRUE(rs->IsNight(m(23, 0), m(1, 0)));
  EXPECT_TRUE(rs->IsNight(m(0, 0), m(0, 30)));
  EXPECT_TRUE(rs->IsNight(m(8, 0), m(8, 0)));  // a full 24-hour shift
  EXPECT_FALSE(rs->IsNight(kNoTime, kNoTime));
}

TEST(ClassifyCsvTest, QuotesCommasAndCrlf) {
  auto rows = ParseCsv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\r\nlast,\n", "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].fields[0], "x, y");
  EXPECT_EQ((*rows)[1].fields[1], "say \"hi\"");
  EXPECT_EQ((*rows)[2].fields.size(), 2u);
  EXPECT_EQ((*rows)[2].line, 4);
  EXPECT_THAT(ParseCsv("a,\"b\n", "t.csv").status().message(), HasSubstr("unterminated"));
}

RuleSetInfo LegalInfo() {
  RuleSetInfo i;
  i.id = "T";
  i.kind = RuleSetKind::kLegal;
  return i;
}

constexpr char kHeader[] =
    "row,code,bands,series,all,any,outcome,fine_min_vnd,fine_max_vnd,instrument,article,"
    "confidence,explanation\n";

TEST(ClassifyRuleParseTest, RejectsBadRows) {
  auto bad = [](const std::string& row) {
    return RuleSet::Parse(LegalInfo(), std::string(kHeader) + row + "\n", "t.csv").status();
  };
  EXPECT_THAT(bad("1,X,LT99,,work,,CHILD_LABOUR,,,i,a,C,e").message(),
              HasSubstr("'LT99' is not an age band"));
  EXPECT_THAT(bad("1,X,ALL,,wrk,,CHILD_LABOUR,,,i,a,C,e").message(),
              HasSubstr("'wrk' is not a known condition"));
  EXPECT_THAT(bad("1,X,ALL,,work,,MAYBE,,,i,a,C,e").message(), HasSubstr("outcome: 'MAYBE'"));
  EXPECT_THAT(bad("1,X,ALL,,work,,CHILD_LABOUR,5,1,i,a,C,e").message(),
              HasSubstr("fine_min_vnd exceeds"));
  EXPECT_THAT(bad("1,X,ALL,,work,,CHILD_LABOUR,,,i,a,Q,e").message(),
              HasSubstr("not a confidence"));
  EXPECT_THAT(bad("1,X,ALL,,,,CHILD_LABOUR,,,i,a,C,e").message(), HasSubstr("no condition"));
  EXPECT_THAT(bad("1,X,ALL,,hours_week>abc,,CHILD_LABOUR,,,i,a,C,e").message(),
              HasSubstr("not an hour value"));
  EXPECT_THAT(RuleSet::Parse(LegalInfo(),
                             std::string(kHeader) + "1,X,ALL,,work,,CHILD_LABOUR,,,i,a,C,e\n" +
                                 "1,Y,ALL,,work,,CHILD_LABOUR,,,i,a,C,e\n",
                             "t.csv")
                  .status()
                  .message(),
              HasSubstr("listed twice"));
}

TEST(ClassifyRuleParseTest, ThreeValuedEvaluation) {
  auto rs = RuleSet::Parse(LegalInfo(),
                           std::string(kHeader) +
                               "1,A,ALL,,work;job:FAM,,CHILD_LABOUR,,,i,a,C,e\n"
                               "2,B,ALL,,work,job!FAM;overtime,HAZARDOUS,,,i,a,C,e\n",
                           "t.csv");
  ASSERT_TRUE(rs.ok()) << rs.status();
  CodeTable codes;
  ASSERT_TRUE(
      codes.Put(CodeEntry{"FAM-1", "FAM", "", "x", "", Confidence::kConfirmed}, false).ok());
  ASSERT_TRUE(
      codes.Put(CodeEntry{"OTHER", "OTHER", "", "x", "", Confidence::kConfirmed}, false).ok());
  (*rs)->BindCodes(codes);
  CompactActivity a;
  a.flags = 1u << kFactWork;
  a.workplace = 2;
  auto run = [&](uint16_t job, bool overtime) {
    a.job = job;
    a.flags = static_cast<uint16_t>((1u << kFactWork) | (overtime ? 1u << kFactOvertime : 0u));
    uint64_t unknown = 0;
    uint64_t facts = (*rs)->Facts(a, &unknown);
    uint32_t f = 0, u = 0;
    (*rs)->Evaluate(facts, unknown, 0, &f, &u);
    return std::make_pair(f, u);
  };
  EXPECT_EQ(run(1, false), std::make_pair(1u, 0u));  // FAM-1: A fires, B's any false
  EXPECT_EQ(run(2, false), std::make_pair(2u, 0u));  // OTHER: B fires
  EXPECT_EQ(run(0, false), std::make_pair(0u, 3u));  // unknown: both undetermined
  EXPECT_EQ(run(0, true), std::make_pair(2u, 1u));   // unknown but overtime: B fires anyway
}

TEST(ClassifyCodeListTest, UserCsvTurnsUnknownIntoKnown) {
  auto reg = Registry();
  EXPECT_EQ(reg->codes().Find("TT09-A3-42"), 0);
  ASSERT_TRUE(LoadCodeList(*reg,
                           "code,name_vi,name_en,source,confidence\n"
                           "TT09-A3-42,\"Công việc, thử\",Test job,Official gazette,C\n"
                           "TT09-A4-01,Nơi thử,Test workplace,Official gazette,C\n",
                           "user.csv")
                  .ok());
  const uint16_t idx = reg->codes().Find("TT09-A3-42");
  ASSERT_NE(idx, 0);
  EXPECT_EQ(reg->codes().entry(idx).name_vi, "Công việc, thử");
  EXPECT_EQ(reg->codes().entry(idx).family, "TT09-A3");

  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ClassifyRequest>();
  SetDate(2008, 1, 1, req.initBirthDate().initDate());
  auto a = req.initActivity();
  SetDate(2024, 3, 10, a.initObservedOn());
  a.setJobCode("TT09-A3-42");
  a.setWorkplaceCode("TT09-A4-01");
  a.setHoursPerDay(6);
  a.setHoursPerWeek(30);
  auto res = out.initRoot<schema::ClassificationResult>();
  ASSERT_TRUE(Classify(*reg, req.asReader(), res).ok());
  EXPECT_EQ(res.getLegal().getOutcome(), schema::ClassificationOutcome::HAZARDOUS_CHILD_LABOUR);
  ASSERT_EQ(res.getLegal().getViolations().size(), 2u);
  EXPECT_EQ(std::string(res.getLegal().getViolations()[0].getCode().cStr()), "PROHIBITED_JOB");
  EXPECT_EQ(std::string(res.getLegal().getViolations()[1].getCode().cStr()),
            "PROHIBITED_WORKPLACE");
  EXPECT_EQ(res.getCodes().size(), 2u);
  EXPECT_EQ(res.getUnknownCodes().size(), 0u);
}

TEST(ClassifyCodeListTest, UserCsvErrorsChangeNothing) {
  auto reg = Registry();
  const size_t before = reg->codes().size();
  EXPECT_THAT(
      LoadCodeList(*reg, "code,name_vi,name_en,source\nTT09-A3-50,a,b,c\nTT09-A03-01,a,b,c\n",
                   "user.csv")
          .message(),
      HasSubstr("family 'TT09-A03' is not a known code list"));
  EXPECT_EQ(reg->codes().size(), before);
  EXPECT_EQ(reg->codes().Find("TT09-A3-50"), 0);
  EXPECT_THAT(LoadCodeList(*reg, "code,name_en\nX,y\n", "user.csv").message(),
              HasSubstr("missing column 'name_vi'"));
  EXPECT_THAT(
      LoadCodeList(*reg, "code,name_vi,name_en,source\n\"TT09-A3 1\",a,b,c\n", "u.csv").message(),
      HasSubstr("contains a space"));
  EXPECT_THAT(
      LoadCodeList(*reg, "code,name_vi,name_en,source\nTT09-A3-7,a,b,c\nTT09-A3-7,a,b,c\n", "u")
          .message(),
      HasSubstr("listed twice"));
  EXPECT_THAT(LoadCodeList(*reg, "code,name_vi,name_en,source,confidence\nTT09-A3-7,a,b,c,X\n", "u")
                  .message(),
              HasSubstr("not a confidence"));
}

TEST(ClassifyResultTest, ExplainsFinesCitationsAndRuleSet) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ClassifyRequest>();
  SetDate(2010, 1, 1, req.initBirthDate().initDate());
  auto a = req.initActivity();
  SetDate(2024, 3, 10, a.initObservedOn());
  a.setJobCode("TT09-A2-06");
  a.setHoursPerDay(4);
  a.setHoursPerWeek(20.5);
  auto res = out.initRoot<schema::ClassificationResult>();
  ASSERT_TRUE(Classify(*reg, req.asReader(), res).ok());
  auto legal = res.getLegal();
  EXPECT_EQ(std::string(legal.getRuleSet().getId().cStr()), "VN-LC2019");
  EXPECT_EQ(std::string(legal.getRuleSet().getVersion().cStr()), "2026.1");
  ASSERT_EQ(legal.getViolations().size(), 1u);
  auto v = legal.getViolations()[0];
  EXPECT_EQ(std::string(v.getRow().cStr()), "5");
  EXPECT_THAT(std::string(v.getCitation().getArticle().cStr()), HasSubstr("146"));
  EXPECT_TRUE(v.getFineKnown());
  EXPECT_EQ(v.getFine().getMin().getVnd(), 20000000);
  EXPECT_EQ(v.getFine().getMax().getVnd(), 25000000);
  EXPECT_THAT(std::string(v.getExplanation().cStr()), HasSubstr("20.5 h a week"));
  EXPECT_THAT(std::string(v.getExplanation().cStr()), HasSubstr("aged 14"));
  EXPECT_EQ(res.getAge().getStatBand(), schema::StatAgeBand::AGE12TO14);
  EXPECT_EQ(std::string(res.getStatistical().getRuleSet().getId().cStr()), "ILO-SDG871");
  EXPECT_EQ(res.getStatistical().getEconomic(), schema::SdgStatus::YES);
  ASSERT_EQ(res.getStatistical().getCriteria().size(), 1u);
  EXPECT_EQ(std::string(res.getStatistical().getCriteria()[0].getCode().cStr()),
            "ECON_HOURS_12_14");
  ASSERT_EQ(res.getCodes().size(), 2u);  // the job, then the workplace (empty = NONE)
  EXPECT_EQ(res.getCodes()[0].getConfidence(), schema::Confidence::SECONDARY);
  EXPECT_EQ(std::string(res.getCodes()[1].getCode().cStr()), "NONE");
}

TEST(ClassifyResultTest, EstimatedBirthReportsOutcomeAtBothEnds) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ClassifyRequest>();
  SetDate(2009, 7, 1, req.initBirthDate().initDate());
  req.getBirthDate().setEstimated(true);
  auto a = req.initActivity();
  SetDate(2024, 3, 10, a.initObservedOn());  // 14 or 15
  a.setJobCode("OTHER");
  a.setHoursPerDay(6);
  a.setHoursPerWeek(30);
  auto res = out.initRoot<schema::ClassificationResult>();
  ASSERT_TRUE(Classify(*reg, req.asReader(), res).ok());
  EXPECT_TRUE(res.getAge().getEstimated());
  EXPECT_EQ(res.getAge().getMinAge(), 14);
  EXPECT_EQ(res.getAge().getMaxAge(), 15);
  EXPECT_EQ(res.getLegal().getOutcomeIfYoungest(), schema::ClassificationOutcome::CHILD_LABOUR);
  EXPECT_EQ(res.getLegal().getOutcomeIfOldest(), schema::ClassificationOutcome::NOT_CHILD_LABOUR);
}

TEST(ClassifyResultTest, ErrorsNameTheFieldWithoutPersonalData) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ClassifyRequest>();
  SetDate(2010, 5, 17, req.initBirthDate().initDate());
  auto a = req.initActivity();
  SetDate(2010, 5, 16, a.initObservedOn());
  auto s = Classify(*reg, req.asReader(), out.initRoot<schema::ClassificationResult>());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("before the birth date"));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("2010-05-17")));
  a.initWorkStart().setHour(25);
  a.initWorkEnd();
  SetDate(2024, 5, 16, a.initObservedOn());
  s = Classify(*reg, req.asReader(), out.initRoot<schema::ClassificationResult>());
  EXPECT_THAT(std::string(s.message()), HasSubstr("activity.workStart.hour: 25"));
}

capnp::List<schema::WorkActivity>::Builder Activities(schema::ChildVerdictRequest::Builder req,
                                                      unsigned n) {
  SetDate(2011, 1, 1, req.initBirthDate().initDate());  // 13 in 2024
  SetDate(2024, 1, 1, req.initPeriodStart());
  SetDate(2024, 12, 31, req.initPeriodEnd());
  return req.initActivities(n);
}

TEST(ClassifyVerdictTest, WorstOutcomeWinsAndReasonsAreKept) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ChildVerdictRequest>();
  auto acts = Activities(req, 4);
  SetDate(2024, 2, 1, acts[0].initObservedOn());
  acts[0].setJobCode("TT09-A2-06");
  acts[0].setHoursPerWeek(8);
  SetDate(2024, 4, 1, acts[1].initObservedOn());
  acts[1].setJobCode("ART147-1-e");
  acts[1].setHoursPerWeek(6);
  SetDate(2024, 5, 1, acts[2].initObservedOn());
  acts[2].setJobCode("TT09-A2-06");
  acts[2].setHoursPerWeek(25);
  SetDate(2023, 5, 1, acts[3].initObservedOn());  // outside the period
  acts[3].initWorstForms().setTrafficking(true);
  auto v = out.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(JudgeChild(*reg, req.asReader(), v).ok());
  EXPECT_EQ(v.getOutcome(), schema::ClassificationOutcome::HAZARDOUS_CHILD_LABOUR);
  EXPECT_EQ(v.getActivitiesConsidered(), 3u);
  EXPECT_EQ(v.getActivitiesSkipped(), 1u);
  EXPECT_EQ(v.getWorstActivity(), 1);
  EXPECT_EQ(v.getResults().size(), 3u);
  std::vector<std::string> codes;
  for (auto c : v.getViolationCodes()) codes.emplace_back(c.cStr());
  EXPECT_THAT(codes,
              ::testing::ElementsAre("NOT_LIGHT_WORK", "PROHIBITED_JOB", "EXCESS_HOURS_U15"));
  EXPECT_EQ(v.getEconomic(), schema::SdgStatus::YES);
  EXPECT_EQ(v.getHazardous(), schema::SdgStatus::YES);
}

TEST(ClassifyVerdictTest, WeeklyHoursAddUpForTheSdgSeries) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ChildVerdictRequest>();
  auto acts = Activities(req, 3);
  // Two light jobs of 8 h in the same week (Mon 2024-03-04 .. Sun 2024-03-10): 16 h >= 14 h.
  SetDate(2024, 3, 4, acts[0].initObservedOn());
  SetDate(2024, 3, 10, acts[1].initObservedOn());
  // A third in the next week does not add to them.
  SetDate(2024, 3, 11, acts[2].initObservedOn());
  for (unsigned i = 0; i < 3; ++i) {
    acts[i].setJobCode("TT09-A2-06");
    acts[i].setHoursPerWeek(8);
    acts[i].setHoursPerDay(2);
  }
  auto v = out.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(JudgeChild(*reg, req.asReader(), v).ok());
  EXPECT_EQ(v.getOutcome(), schema::ClassificationOutcome::NOT_CHILD_LABOUR);
  for (auto r : v.getResults()) EXPECT_EQ(r.getStatistical().getEconomic(), schema::SdgStatus::NO);
  EXPECT_EQ(v.getEconomic(), schema::SdgStatus::YES);

  // Moving the second job to the next week keeps every week under 14 h ...
  SetDate(2024, 3, 11, acts[1].initObservedOn());
  SetDate(2024, 3, 18, acts[2].initObservedOn());
  capnp::MallocMessageBuilder out2;
  auto v2 = out2.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(JudgeChild(*reg, req.asReader(), v2).ok());
  EXPECT_EQ(v2.getEconomic(), schema::SdgStatus::NO);
  // ... until the third falls on Sunday 17 March, in the same week as the second.
  SetDate(2024, 3, 17, acts[2].initObservedOn());
  capnp::MallocMessageBuilder out3;
  auto v3 = out3.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(JudgeChild(*reg, req.asReader(), v3).ok());
  EXPECT_EQ(v3.getEconomic(), schema::SdgStatus::YES);
}

TEST(ClassifyVerdictTest, UnknownCodeAndErrors) {
  auto reg = Registry();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::ChildVerdictRequest>();
  auto acts = Activities(req, 2);
  SetDate(2024, 2, 1, acts[0].initObservedOn());
  acts[0].setJobCode("TT09-A2-06");
  acts[0].setHoursPerWeek(8);
  SetDate(2024, 3, 1, acts[1].initObservedOn());
  acts[1].setJobCode("NOT-A-CODE");
  acts[1].setHoursPerWeek(8);
  auto v = out.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(JudgeChild(*reg, req.asReader(), v).ok());
  EXPECT_EQ(v.getOutcome(), schema::ClassificationOutcome::UNKNOWN_CODE);
  EXPECT_EQ(v.getDeterminedOutcome(), schema::ClassificationOutcome::NOT_CHILD_LABOUR);

  acts[1].setHoursPerWeek(-1);
  auto s = JudgeChild(*reg, req.asReader(), out.initRoot<schema::ChildVerdict>());
  EXPECT_THAT(std::string(s.message()), HasSubstr("activities[1].hoursPerWeek: -1 is negative"));
  SetDate(2023, 1, 1, req.initPeriodEnd());
  s = JudgeChild(*reg, req.asReader(), out.initRoot<schema::ChildVerdict>());
  EXPECT_THAT(std::string(s.message()), HasSubstr("periodEnd: before periodStart"));
}

TEST(ClassifyRegistryTest, SelectsByDateAndRefusesGaps) {
  auto reg = Registry();
  EXPECT_EQ((*reg->Select(RuleSetKind::kLegal, "", core::Date(2020, 12, 31)))->info().id,
            "VN-LC2012");
  EXPECT_EQ((*reg->Select(RuleSetKind::kLegal, "", core::Date(2021, 1, 1)))->info().id,
            "VN-LC2019");
  EXPECT_EQ((*reg->Select(RuleSetKind::kStatistical, "", core::Date(2021, 1, 1)))->info().id,
            "ILO-SDG871");
  EXPECT_EQ(reg->Select(RuleSetKind::kLegal, "", core::Date(2013, 4, 30)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(
      std::string(reg->Select(RuleSetKind::kStatistical, "VN-LC2019", core::Date(2021, 1, 1))
                      .status()
                      .message()),
      HasSubstr("statisticalRuleSetId: 'VN-LC2019' is a legal rule set"));
  ASSERT_TRUE(reg->FindScreen("").ok());
  EXPECT_EQ(reg->FindScreen("NOPE").status().code(), absl::StatusCode::kNotFound);
}

TEST(ClassifyRegistryTest, DescribeCode) {
  auto reg = Registry();
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::CodeEntry>();
  ASSERT_TRUE(DescribeCode(*reg, "ART147-2-d", e).ok());
  EXPECT_EQ(std::string(e.getFamily().cStr()), "ART147-2");
  EXPECT_EQ(e.getConfidence(), schema::Confidence::CONFIRMED);
  EXPECT_EQ(DescribeCode(*reg, "TT09-A4-01", e).code(), absl::StatusCode::kNotFound);
}

TEST(ClassifyHotPathTest, CompactErrorsAndEquivalenceWithExplainedPath) {
  auto reg = Registry();
  const RuleSet* legal = reg->Find("VN-LC2019");
  const RuleSet* stat = reg->Find("ILO-SDG871");
  CompactActivity a;
  a.birth_ymd = PackYmd(2010, 6, 1);
  a.date_ymd = PackYmd(2010, 5, 1);
  EXPECT_EQ(ClassifyCompact(*legal, stat, a).error, CompactError::kBeforeBirth);
  a.date_ymd = PackYmd(2028, 6, 1);
  EXPECT_EQ(ClassifyCompact(*legal, stat, a).error, CompactError::kAdult);
  a.date_ymd = PackYmd(2024, 6, 1);
  a.job = reg->codes().Find("ART147-1-a");
  a.workplace = reg->codes().Find("NONE");
  a.minutes_week = 10 * 60;
  a.flags = 1u << kFactWork;
  CompactResult r = ClassifyCompact(*legal, stat, a);
  EXPECT_EQ(r.error, CompactError::kNone);
  EXPECT_EQ(r.age, 14);
  EXPECT_EQ(r.outcome, Outcome::kHazardous);
  EXPECT_EQ(r.hazardous, SdgStatus::kYes);
}

}  // namespace
}  // namespace treem::rules
