// Deadline rules as data, local-time conventions, and the policy that opens a case from a
// classification or an at-risk screen.
#include <string>

#include "capnp/message.h"
#include "cases/case_book.h"
#include "cases/case_opening.h"
#include "cases/deadline_rules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace treem::cases {
namespace {

using schema::DeadlineKind;
using ::testing::HasSubstr;

TEST(CaseRulesTest, LocalDayConventionIsUtcPlusSeven) {
  // 2025-03-03 00:00 local = 2025-03-02 17:00 UTC.
  const Micros midnight = StartOfLocalDay(core::Date(2025, 3, 3));
  EXPECT_EQ(midnight, (int64_t{1740934800}) * 1000000);
  EXPECT_EQ(LocalDate(midnight), core::Date(2025, 3, 3));
  EXPECT_EQ(LocalDate(midnight - 1), core::Date(2025, 3, 2));
  EXPECT_EQ(EndOfLocalDay(core::Date(2025, 3, 2)), midnight - 1);
  EXPECT_EQ(LocalInstant(core::Date(2025, 3, 3), 7, 0), int64_t{1740960000} * 1000000);
  // Before the epoch the floor division keeps the right day.
  EXPECT_EQ(LocalDate(-1), core::Date(1970, 1, 1));
  EXPECT_EQ(LocalDate(-kVietnamUtcOffset - 1), core::Date(1969, 12, 31));
}

TEST(CaseRulesTest, ShippedDeadlineRulesCarryTheLegalTermsAndCitations) {
  auto rules = DeadlineRules::Load();
  ASSERT_TRUE(rules.ok()) << rules.status();
  const DeadlineRule* emergency = rules->Find(DeadlineKind::EMERGENCY_DECISION);
  ASSERT_NE(emergency, nullptr);
  EXPECT_EQ(emergency->term, 12);
  EXPECT_EQ(emergency->unit, TermUnit::kHours);
  EXPECT_TRUE(emergency->StartsOn(ClockStart::kReceipt));
  EXPECT_THAT(emergency->citation, HasSubstr("Decree 56/2017"));
  const DeadlineRule* sep = rules->Find(DeadlineKind::SEPARATION_MAX);
  ASSERT_NE(sep, nullptr);
  EXPECT_EQ(sep->term, 15);
  EXPECT_EQ(sep->unit, TermUnit::kDays);
  const DeadlineRule* plan = rules->Find(DeadlineKind::PLAN_DRAFT);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->term, 5);
  EXPECT_EQ(plan->unit, TermUnit::kWorkingDays);
  EXPECT_TRUE(plan->StartsOn(ClockStart::kConference));
  EXPECT_TRUE(plan->StartsOn(ClockStart::kReplan));
  const DeadlineRule* approval = rules->Find(DeadlineKind::PLAN_APPROVAL);
  ASSERT_NE(approval, nullptr);
  EXPECT_EQ(approval->term, 2);
  EXPECT_TRUE(approval->StartsOn(ClockStart::kPlanSubmitted));
  const DeadlineRule* review = rules->Find(DeadlineKind::REVIEW);
  ASSERT_NE(review, nullptr);
  EXPECT_FALSE(review->legal);
  for (const auto& r : rules->rules()) EXPECT_FALSE(r.citation.empty());
}

TEST(CaseRulesTest, DeadlineCsvErrorsNameTheLineAndField) {
  auto bad_unit = DeadlineRules::FromCsv("planDraft,5,fortnights,conference,true,x,confirmed\n");
  EXPECT_THAT(std::string(bad_unit.status().message()),
              HasSubstr("deadlines line 1: unit 'fortnights' is unknown"));
  auto bad_kind = DeadlineRules::FromCsv("# c\nnope,5,hours,receipt,true,x,confirmed\n");
  EXPECT_THAT(std::string(bad_kind.status().message()), HasSubstr("line 2: kind 'nope'"));
  auto bad_start = DeadlineRules::FromCsv("planDraft,5,hours,whenever,true,x,confirmed\n");
  EXPECT_THAT(std::string(bad_start.status().message()), HasSubstr("start 'whenever'"));
  auto repeated = DeadlineRules::FromCsv(
      "planDraft,5,hours,receipt,true,x,confirmed\nplanDraft,5,hours,receipt,true,x,confirmed\n");
  EXPECT_THAT(std::string(repeated.status().message()), HasSubstr("repeated"));
  EXPECT_FALSE(DeadlineRules::FromCsv("# only comments\n").ok());
  auto ok = DeadlineRules::FromCsv("planDraft,3,workingDays,needsAssessment,true,x,unconfirmed\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->rules()[0].StartsOn(ClockStart::kNeedsAssessment));
}

TEST(CaseRulesTest, RuleDataDrivesTheClock) {
  // A rule table starting the plan clock at the needs assessment, 3 working days.
  auto rules = DeadlineRules::FromCsv(
      "emergencyDecision,6,hours,receipt,true,test,confirmed\n"
      "planDraft,3,workingDays,needsAssessment,true,test,unconfirmed\n");
  ASSERT_TRUE(rules.ok());
  auto cal = core::WorkingCalendar::FromCsv(
      "date,kind,name_vi,name_en,source,confidence\n"
      "2025-01-01,holiday,x,New Year's Day,LC 112,confirmed\n");
  ASSERT_TRUE(cal.ok()) << cal.status();
  CaseBook book(*cal, *rules);
  const Id id{1, 1};
  const Micros t0 = LocalInstant(core::Date(2025, 3, 7), 10, 0);  // Friday
  auto run = [&](Micros at, auto fill) {
    capnp::MallocMessageBuilder mb;
    auto c = mb.initRoot<schema::CaseCommand>();
    SetId(c.initCaseId(), id);
    fill(c.initBody());
    return book.Apply(c.asReader(), CommandContext{at, {"w", schema::Role::COMMUNE_WORKER, ""}});
  };
  ASSERT_TRUE(run(t0, [&](auto b) {
                auto o = b.initOpenCase();
                SetId(o.initCaseId(), id);
                SetId(o.initChildId(), Id{2, 2});
                o.setUnitCode("15865");
                o.initNotification().initReceivedAt().setMicros(t0);
              }).ok());
  EXPECT_EQ(book.FindCase(id)->deadlines[0].due_at, t0 + 6 * kMicrosPerHour);
  ASSERT_TRUE(
      run(t0 + kMicrosPerHour, [](auto b) { b.initInitialAssessment().initAssessment(); }).ok());
  ASSERT_TRUE(
      run(t0 + 2 * kMicrosPerHour, [](auto b) { b.initNeedsAssessment().initAssessment(); }).ok());
  // Friday 7 March + 3 working days = Wednesday 12 March.
  ASSERT_EQ(book.FindCase(id)->deadlines.size(), 2u);
  EXPECT_EQ(book.FindCase(id)->deadlines[1].kind, DeadlineKind::PLAN_DRAFT);
  EXPECT_EQ(book.FindCase(id)->deadlines[1].due_at, EndOfLocalDay(core::Date(2025, 3, 12)));
}

TEST(CaseRulesTest, OpeningPolicyMapsOutcomesAndRiskToModeAndLevel) {
  auto policy = OpeningPolicy::Default();
  ASSERT_TRUE(policy.ok()) << policy.status();
  using O = schema::TriggerOutcome;
  using R = schema::ScreenRisk;
  auto worst = policy->Decide(O::WORST_FORM, R::NONE);
  EXPECT_EQ(worst.mode, OpeningMode::kAutomatic);
  EXPECT_EQ(worst.level, schema::ProtectionLevel::INTERVENTION);
  auto hazardous = policy->Decide(O::HAZARDOUS_CHILD_LABOUR, R::LOW);
  EXPECT_EQ(hazardous.mode, OpeningMode::kAutomatic);
  EXPECT_EQ(hazardous.kind, schema::CaseKind::CHILD_LABOUR);
  auto cl = policy->Decide(O::CHILD_LABOUR, R::NONE);
  EXPECT_EQ(cl.mode, OpeningMode::kSuggested);
  EXPECT_EQ(cl.level, schema::ProtectionLevel::INTERVENTION);
  auto high = policy->Decide(O::NOT_CHILD_LABOUR, R::HIGH);
  EXPECT_EQ(high.mode, OpeningMode::kSuggested);
  EXPECT_EQ(high.level, schema::ProtectionLevel::SUPPORT);
  EXPECT_EQ(high.kind, schema::CaseKind::AT_RISK);
  EXPECT_EQ(policy->Decide(O::NOT_CHILD_LABOUR, R::MEDIUM).mode, OpeningMode::kNone);

  auto custom = OpeningPolicy::FromCsv("*,medium,automatic,support,atRisk\n");
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->Decide(O::NONE, R::MEDIUM).mode, OpeningMode::kAutomatic);
  EXPECT_EQ(custom->Decide(O::NONE, R::HIGH).mode, OpeningMode::kNone);  // no row matches
  EXPECT_THAT(
      std::string(OpeningPolicy::FromCsv("*,*,sometimes,support,atRisk\n").status().message()),
      HasSubstr("mode 'sometimes'"));
}

TEST(CaseRulesTest, TriggerOpensACaseOnlyWhenPolicyOrTheCallerSaysSo) {
  auto policy = OpeningPolicy::Default();
  ASSERT_TRUE(policy.ok());
  auto cal = core::WorkingCalendar::FromCsv(
      "date,kind,name_vi,name_en,source,confidence\n"
      "2025-01-01,holiday,x,New Year's Day,LC 112,confirmed\n");
  ASSERT_TRUE(cal.ok());
  CaseBook book(*cal);
  const Micros at = LocalInstant(core::Date(2025, 4, 1), 9, 0);
  const CommandContext ctx{at, {"system", schema::Role::SYSTEM, "15865"}};
  CaseTriggerInput t;
  t.child_id = Id{7, 7};
  t.at = at;
  t.unit_code = "15865";

  t.outcome = schema::TriggerOutcome::CHILD_LABOUR;
  auto suggested = OpenFromTrigger(book, *policy, t, Id{10, 1}, false, ctx);
  ASSERT_TRUE(suggested.ok());
  EXPECT_FALSE(suggested->opened);
  EXPECT_EQ(suggested->decision.mode, OpeningMode::kSuggested);
  EXPECT_EQ(book.FindCase(Id{10, 1}), nullptr);
  auto confirmed = OpenFromTrigger(book, *policy, t, Id{10, 1}, true, ctx);
  ASSERT_TRUE(confirmed.ok());
  EXPECT_TRUE(confirmed->opened);
  const CaseFile* c = book.FindCase(Id{10, 1});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level, schema::ProtectionLevel::INTERVENTION);
  EXPECT_EQ(c->kind, schema::CaseKind::CHILD_LABOUR);
  EXPECT_EQ(c->received_at, at);
  ASSERT_TRUE(c->trigger.has_value());

  t.outcome = schema::TriggerOutcome::HAZARDOUS_CHILD_LABOUR;
  auto automatic = OpenFromTrigger(book, *policy, t, Id{10, 2}, false, ctx);
  ASSERT_TRUE(automatic.ok());
  EXPECT_TRUE(automatic->opened);

  t.outcome = schema::TriggerOutcome::NOT_CHILD_LABOUR;
  t.risk = schema::ScreenRisk::LOW;
  auto none = OpenFromTrigger(book, *policy, t, Id{10, 3}, true, ctx);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->opened);
  EXPECT_EQ(book.case_count(), 2u);

  capnp::MallocMessageBuilder mb;
  auto out = mb.initRoot<schema::Case>();
  ASSERT_TRUE(book.WriteCase(Id{10, 2}, at, out).ok());
  EXPECT_EQ(out.getNotification().getSource(), schema::NotificationSource::SCREENING);
  EXPECT_EQ(out.getTrigger().getOutcome(), schema::TriggerOutcome::HAZARDOUS_CHILD_LABOUR);
}

}  // namespace
}  // namespace treem::cases
