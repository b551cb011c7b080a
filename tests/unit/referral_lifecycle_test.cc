// Referrals to services and the provider directory: consent and override, the lifecycle with
// declined-then-re-referred, overdue referrals in the "what is due" query.
#include <string>
#include <vector>

#include "capnp/message.h"
#include "cases/case_book.h"
#include "cases/referral.h"
#include "core/calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace treem::cases {
namespace {

using schema::ReferralStatus;
using schema::Role;
using schema::ServiceType;
using ::testing::HasSubstr;

const core::WorkingCalendar& Calendar2025() {
  static const core::WorkingCalendar* cal = [] {
    auto c = core::WorkingCalendar::FromCsv(
        "date,kind,name_vi,name_en,source,confidence\n"
        "2025-01-01,holiday,Tết Dương lịch,New Year's Day,LC 112,confirmed\n"
        "2025-09-02,holiday,Quốc khánh,National Day,LC 112,confirmed\n");
    EXPECT_TRUE(c.ok()) << c.status();
    return new core::WorkingCalendar(*std::move(c));
  }();
  return *cal;
}

Id MakeId(uint64_t n) { return Id{0x2000 + n, 0x8000000000000000ULL | n}; }

class ReferralTest : public ::testing::Test {
 protected:
  ReferralTest() : book_(Calendar2025()) {}

  void SetUp() override {
    t0_ = LocalInstant(core::Date(2025, 6, 2), 8, 0);
    ProviderInfo school;
    school.id = MakeId(500);
    school.name = "Trường THCS Hoằng Đức";
    school.kind = schema::ProviderKind::SCHOOL;
    school.unit_code = "15865";
    school.services = {ServiceType::GENERAL_EDUCATION, ServiceType::RE_ENROLMENT};
    ASSERT_TRUE(book_.providers().Put(school).ok());
    ProviderInfo vocational;
    vocational.id = MakeId(501);
    vocational.name = "Trung tâm GDNN-GDTX";
    vocational.kind = schema::ProviderKind::VOCATIONAL_CENTRE;
    vocational.unit_code = "38";
    vocational.services = {ServiceType::VOCATIONAL_TRAINING};
    ASSERT_TRUE(book_.providers().Put(vocational).ok());
    ASSERT_TRUE(Do(Role::COMMUNE_WORKER, t0_, [&](auto b) {
                  auto o = b.initOpenCase();
                  SetId(o.initCaseId(), case_id_);
                  SetId(o.initChildId(), MakeId(900));
                  o.setUnitCode("15865");
                  o.setKind(schema::CaseKind::CHILD_LABOUR);
                  o.initNotification().initReceivedAt().setMicros(t0_);
                }).ok());
    ASSERT_TRUE(Do(Role::COMMUNE_WORKER, t0_ + kMicrosPerHour, [](auto b) {
                  b.initInitialAssessment().initAssessment();
                }).ok());
  }

  template <typename Fill>
  absl::Status Do(Role role, Micros at, Fill&& fill) {
    capnp::MallocMessageBuilder mb;
    auto c = mb.initRoot<schema::CaseCommand>();
    SetId(c.initCaseId(), case_id_);
    fill(c.initBody());
    return book_.Apply(c.asReader(), CommandContext{at, {"worker-3", role, "15865"}});
  }

  absl::Status Request(const Id& id, ServiceType service, const Id& provider, bool consent,
                       std::string override_reason, Micros at, core::Date due,
                       Id re_referral_of = Id{}) {
    return Do(Role::COMMUNE_WORKER, at, [&](auto b) {
      auto r = b.initRequestReferral();
      SetId(r.initReferralId(), id);
      r.setService(service);
      SetId(r.initProviderId(), provider);
      auto d = r.initDueBy();
      d.setYear(static_cast<int16_t>(due.year()));
      d.setMonth(static_cast<uint8_t>(due.month()));
      d.setDay(static_cast<uint8_t>(due.day()));
      auto c = r.initConsent();
      c.setGiven(consent);
      if (consent) c.setGivenBy("mother");
      c.setOverrideReason(override_reason);
      SetId(r.initReReferralOf(), re_referral_of);
    });
  }

  absl::Status Move(const Id& id, ReferralStatus to, std::string note, Micros at) {
    return Do(Role::COMMUNE_WORKER, at, [&](auto b) {
      auto u = b.initUpdateReferral();
      SetId(u.initReferralId(), id);
      u.setStatus(to);
      u.setNote(note);
    });
  }

  CaseBook book_;
  Id case_id_ = MakeId(1);
  Micros t0_ = 0;
};

TEST_F(ReferralTest, ConsentMissingIsRefusedThenOverrideWithReasonIsAccepted) {
  const core::Date due(2025, 6, 30);
  auto st = Request(MakeId(10), ServiceType::RE_ENROLMENT, MakeId(500), false, "",
                    t0_ + 2 * kMicrosPerHour, due);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(st.message()), HasSubstr("requestReferral.consent"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("override"));
  EXPECT_EQ(book_.FindReferral(MakeId(10)), nullptr);
  ASSERT_TRUE(Request(MakeId(10), ServiceType::RE_ENROLMENT, MakeId(500), false,
                      "father is the employer and refuses; child's best interest",
                      t0_ + 2 * kMicrosPerHour, due)
                  .ok());
  const ReferralFile* r = book_.FindReferral(MakeId(10));
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->consent_given);
  EXPECT_EQ(r->status, ReferralStatus::REQUESTED);
  // Consent given is enough by itself.
  ASSERT_TRUE(Request(MakeId(11), ServiceType::GENERAL_EDUCATION, MakeId(500), true, "",
                      t0_ + 3 * kMicrosPerHour, due)
                  .ok());
  EXPECT_TRUE(book_.FindReferral(MakeId(11))->consent_given);
}

TEST_F(ReferralTest, DeclinedThenReReferredToAnotherProvider) {
  const core::Date due(2025, 6, 30);
  const Micros t = t0_ + 2 * kMicrosPerHour;
  ASSERT_TRUE(Request(MakeId(20), ServiceType::RE_ENROLMENT, MakeId(500), true, "", t, due).ok());
  // Re-referral of a referral that is still open is refused.
  auto early = Request(MakeId(21), ServiceType::VOCATIONAL_TRAINING, MakeId(501), true, "",
                       t + kMicrosPerHour, due, MakeId(20));
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(early.message()), HasSubstr("'requested'"));
  // Declining needs a reason.
  EXPECT_EQ(Move(MakeId(20), ReferralStatus::DECLINED, "", t + kMicrosPerDay).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Move(MakeId(20), ReferralStatus::DECLINED, "child is 16: too old for grade 7",
                   t + kMicrosPerDay)
                  .ok());
  // Declined is terminal.
  auto st = Move(MakeId(20), ReferralStatus::ACCEPTED, "", t + 2 * kMicrosPerDay);
  EXPECT_EQ(std::string(st.message()),
            "updateReferral.status: cannot move to 'accepted' from status 'declined'; allowed: "
            "none (terminal)");
  ASSERT_TRUE(Request(MakeId(21), ServiceType::VOCATIONAL_TRAINING, MakeId(501), true, "",
                      t + 2 * kMicrosPerDay, due, MakeId(20))
                  .ok());
  ASSERT_TRUE(Move(MakeId(21), ReferralStatus::ACCEPTED, "", t + 3 * kMicrosPerDay).ok());
  auto skip = Move(MakeId(21), ReferralStatus::REQUESTED, "", t + 3 * kMicrosPerDay);
  EXPECT_THAT(std::string(skip.message()),
              HasSubstr("allowed: 'inProgress', 'completed', 'revoked'"));
  ASSERT_TRUE(Move(MakeId(21), ReferralStatus::IN_PROGRESS, "", t + 4 * kMicrosPerDay).ok());
  ASSERT_TRUE(Move(MakeId(21), ReferralStatus::COMPLETED, "enrolled in welding course",
                   t + 20 * kMicrosPerDay)
                  .ok());
  const ReferralFile* r = book_.FindReferral(MakeId(21));
  EXPECT_EQ(r->status, ReferralStatus::COMPLETED);
  EXPECT_EQ(r->history.size(), 4u);
  EXPECT_EQ(r->outcome, "enrolled in welding course");

  capnp::MallocMessageBuilder mb;
  auto out = mb.initRoot<schema::Referral>();
  ASSERT_TRUE(book_.WriteReferral(MakeId(21), out).ok());
  EXPECT_EQ(IdFrom(out.getReReferralOf()), MakeId(20));
  EXPECT_EQ(out.getHistory().size(), 4u);
  EXPECT_EQ(out.getHistory()[3].getStatus(), ReferralStatus::COMPLETED);
  EXPECT_EQ(out.getDueBy().getDay(), 30);
}

TEST_F(ReferralTest, ProviderMustOfferTheService) {
  auto st = Request(MakeId(30), ServiceType::VOCATIONAL_TRAINING, MakeId(500), true, "",
                    t0_ + 2 * kMicrosPerHour, core::Date(2025, 6, 30));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(st.message()), HasSubstr("'vocationalTraining'"));
  auto unknown = Request(MakeId(30), ServiceType::VOCATIONAL_TRAINING, MakeId(777), true, "",
                         t0_ + 2 * kMicrosPerHour, core::Date(2025, 6, 30));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  auto past = Request(MakeId(30), ServiceType::RE_ENROLMENT, MakeId(500), true, "",
                      t0_ + 2 * kMicrosPerHour, core::Date(2025, 6, 1));
  EXPECT_EQ(past.code(), absl::StatusCode::kInvalidArgument);

  auto found = book_.providers().FindFor(ServiceType::VOCATIONAL_TRAINING, {"15865", "38"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->id, MakeId(501));
  EXPECT_TRUE(book_.providers().FindFor(ServiceType::VOCATIONAL_TRAINING, {"15865"}).empty());
  EXPECT_EQ(book_.providers().FindFor(ServiceType::RE_ENROLMENT, {"15865"}).size(), 1u);
  ProviderInfo bad;
  bad.id = MakeId(502);
  bad.name = "no services";
  EXPECT_EQ(book_.providers().Put(bad).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReferralTest, OverdueReferralIsListedUntilItCompletes) {
  const Micros t = t0_ + 2 * kMicrosPerHour;
  ASSERT_TRUE(Request(MakeId(40), ServiceType::RE_ENROLMENT, MakeId(500), true, "", t,
                      core::Date(2025, 6, 10))
                  .ok());
  ASSERT_TRUE(Move(MakeId(40), ReferralStatus::ACCEPTED, "", t + kMicrosPerDay).ok());
  DeadlineFilter f;
  f.case_id = case_id_;
  f.at = LocalInstant(core::Date(2025, 6, 10), 23, 0);
  f.due_soon_within = 24 * kMicrosPerHour;
  auto q = book_.QueryDeadlines(f);
  ASSERT_EQ(q.items.size(), 1u);
  EXPECT_EQ(q.items[0].kind, schema::DeadlineKind::REFERRAL_DUE);
  EXPECT_EQ(q.items[0].referral_id, MakeId(40));
  EXPECT_EQ(q.items[0].status, schema::DueStatus::DUE_SOON);
  f.at = LocalInstant(core::Date(2025, 6, 11), 0, 0);
  EXPECT_TRUE(book_.FindReferral(MakeId(40))->OverdueAt(f.at));
  q = book_.QueryDeadlines(f);
  ASSERT_EQ(q.items.size(), 1u);
  EXPECT_EQ(q.items[0].status, schema::DueStatus::OVERDUE);
  // Referral due dates are not legal deadlines: the case is still supported in time.
  EXPECT_TRUE(*book_.SupportedInTime(case_id_, f.at));
  ASSERT_TRUE(Move(MakeId(40), ReferralStatus::COMPLETED, "back at school", f.at).ok());
  EXPECT_TRUE(book_.QueryDeadlines(f).items.empty());
  EXPECT_FALSE(book_.FindReferral(MakeId(40))->OverdueAt(f.at + kMicrosPerDay));
}

}  // namespace
}  // namespace treem::cases
