// Unit tests of the at-risk screen (RD-9): weights and thresholds from data, per-factor
// contributions, protection levels, and the child-labour override.
#include <string>

#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/api.h"
#include "rules/risk.h"

namespace treem::rules {
namespace {

using ::testing::HasSubstr;

constexpr char kScreen[] =
    "kind,key,group,value,name_en,name_vi,source\n"
    "screen,T,,v9,Test,Thử,src\n"
    "threshold,medium,,3,,,\n"
    "threshold,high,,6,,,\n"
    "factor,a,schooling,3,A,A,s\n"
    "factor,b,household,2,B,B,s\n"
    "factor,c,child,1,C,C,s\n";

TEST(RiskScreenTest, ScoreLevelAndThresholdsAreInclusive) {
  auto s = RiskScreen::Parse(kScreen, "t.csv");
  ASSERT_TRUE(s.ok()) << s.status();
  using A = RiskAnswer;
  auto run = [&](std::vector<std::pair<std::string, A>> ans) {
    auto r = (*s)->Screen(ans, false);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  };
  RiskScreenResult r = run({{"b", A::kYes}});
  EXPECT_EQ(r.score, 2);
  EXPECT_EQ(r.max_score, 6);
  EXPECT_EQ(r.level, RiskLevel::kLow);
  EXPECT_EQ(r.protection, ProtectionLevel::kPrevention);
  EXPECT_EQ(r.unanswered, 2u);
  r = run({{"a", A::kYes}, {"b", A::kNo}});
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.level, RiskLevel::kMedium);
  EXPECT_EQ(r.protection, ProtectionLevel::kSupport);
  r = run({{"a", A::kYes}, {"b", A::kYes}, {"c", A::kYes}});
  EXPECT_EQ(r.score, 6);
  EXPECT_EQ(r.level, RiskLevel::kHigh);
  EXPECT_EQ(r.unanswered, 0u);
  auto cl = (*s)->Screen({}, /*child_labour_found=*/true);
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->score, 0);
  EXPECT_EQ(cl->level, RiskLevel::kLow);
  EXPECT_EQ(cl->protection, ProtectionLevel::kIntervention);
}

TEST(RiskScreenTest, RefusesUnknownAndDuplicateFactors) {
  auto s = RiskScreen::Parse(kScreen, "t.csv");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(std::string((*s)->Screen({{"zz", RiskAnswer::kYes}}, false).status().message()),
              HasSubstr("answers[0].factor: 'zz' is not a factor of screen T v9"));
  EXPECT_THAT(std::string((*s)->Screen({{"a", RiskAnswer::kYes}, {"a", RiskAnswer::kNo}}, false)
                              .status()
                              .message()),
              HasSubstr("answers[1].factor: 'a' is answered twice"));
}

TEST(RiskScreenTest, RefusesBadConfiguration) {
  auto msg = [](const std::string& csv) {
    return std::string(RiskScreen::Parse(csv, "t.csv").status().message());
  };
  const std::string head = "kind,key,group,value,name_en,name_vi,source\n";
  EXPECT_THAT(msg(head + "screen,T,,1,,,\nthreshold,medium,,5,,,\nthreshold,high,,4,,,\n"
                         "factor,a,g,1,,,\n"),
              HasSubstr("0 < medium <= high"));
  EXPECT_THAT(msg(head + "screen,T,,1,,,\nthreshold,medium,,1,,,\nfactor,a,g,1,,,\n"),
              HasSubstr("'medium' and 'high'"));
  EXPECT_THAT(msg(head + "screen,T,,1,,,\nthreshold,medium,,1,,,\nthreshold,high,,1,,,\n"
                         "factor,a,g,x,,,\n"),
              HasSubstr("not a non-negative integer"));
  EXPECT_THAT(msg(head + "screen,T,,1,,,\nthreshold,medium,,1,,,\nthreshold,high,,1,,,\n"
                         "factor,a,g,1,,,\nfactor,a,g,1,,,\n"),
              HasSubstr("listed twice"));
  EXPECT_THAT(msg(head + "weight,a,g,1,,,\n"), HasSubstr("kind: 'weight'"));
}

TEST(RiskScreenTest, ShippedScreenThroughTheApi) {
  auto reg = NewRuleRegistry();
  ASSERT_TRUE(reg.ok()) << reg.status();
  capnp::MallocMessageBuilder in, out;
  auto req = in.initRoot<schema::RiskScreenRequest>();
  auto ans = req.initAnswers(3);
  ans[0].setFactor("school.dropped_out");
  ans[0].setAnswer(schema::RiskAnswerValue::YES);
  ans[1].setFactor("household.poor");
  ans[1].setAnswer(schema::RiskAnswerValue::YES);
  ans[2].setFactor("child.male");
  ans[2].setAnswer(schema::RiskAnswerValue::NO);
  auto res = out.initRoot<schema::RiskResult>();
  ASSERT_TRUE(ScreenRisk(**reg, req.asReader(), res).ok());
  EXPECT_EQ(std::string(res.getScreenId().cStr()), "RISK-RD9");
  EXPECT_EQ(res.getScore(), 5);  // 3 + 2 with the shipped weights
  EXPECT_EQ(res.getLevel(), schema::RiskLevel::MEDIUM);
  EXPECT_EQ(res.getProtectionLevel(), schema::ProtectionLevel::SUPPORT);
  int contributions = 0, answered_no = 0;
  for (auto c : res.getContributions()) {
    contributions += c.getContribution();
    if (c.getAnswer() == schema::RiskAnswerValue::NO) ++answered_no;
    EXPECT_GT(c.getSource().size(), 0u);
  }
  EXPECT_EQ(contributions, res.getScore());
  EXPECT_EQ(answered_no, 1);
  EXPECT_EQ(res.getUnanswered(), res.getContributions().size() - 3);

  req.setClassificationOutcome(schema::ClassificationOutcome::HAZARDOUS_CHILD_LABOUR);
  ASSERT_TRUE(ScreenRisk(**reg, req.asReader(), res).ok());
  EXPECT_EQ(res.getProtectionLevel(), schema::ProtectionLevel::INTERVENTION);
  req.setClassificationOutcome(schema::ClassificationOutcome::PERMITTED_WORK_WITH_VIOLATIONS);
  ASSERT_TRUE(ScreenRisk(**reg, req.asReader(), res).ok());
  EXPECT_EQ(res.getProtectionLevel(), schema::ProtectionLevel::SUPPORT);
  req.setStatisticalChildLabour(true);
  ASSERT_TRUE(ScreenRisk(**reg, req.asReader(), res).ok());
  EXPECT_EQ(res.getProtectionLevel(), schema::ProtectionLevel::INTERVENTION);
  req.setScreenId("NOPE");
  EXPECT_EQ(ScreenRisk(**reg, req.asReader(), res).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace treem::rules
