// Indicators engine on a small hand-built snapshot over small synthetic unit files. Every
// expected value is worked out by hand in the comments next to it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "capnp/message.h"
#include "cases/case_book.h"
#include "cases/deadline_rules.h"
#include "core/admin_units.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicators/columns.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "indicators/plan.h"
#include "rules/api.h"
#include "treem/schema/commands.capnp.h"
#include "unit/temp_dir.h"

namespace treem::indicators {
namespace {

namespace s = schema;
using cases::LocalInstant;
using core::Date;

// Province 01 "Alpha", district 001, communes 00001, 00002, 00003 before the reform; on
// 2025-07-01 00001 + 00002 merge into the new 00001 and 00003 becomes 00005.
constexpr char kBefore[] =
    "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
    "Tỉnh Alpha,01,Huyện Một,001,Xã An,00001,Xã,\n"
    "Tỉnh Alpha,01,Huyện Một,001,Xã Bình,00002,Xã,\n"
    "Tỉnh Alpha,01,Huyện Một,001,Xã Chính,00003,Xã,\n";
constexpr char kConversion[] =
    "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n"
    "\"Tỉnh, thành phố\",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n"
    "Tỉnh Alpha (01),Xã An,00001,Xã An,00001,Nhập toàn bộ,Huyện Một (001),Tỉnh Alpha (01),\n"
    "Tỉnh Alpha (01),Xã An,00001,Xã Bình,00002,Nhập toàn bộ,Huyện Một (001),Tỉnh Alpha (01),\n"
    "Tỉnh Alpha (01),Xã Năm,00005,Xã Chính,00003,Nhập toàn bộ,Huyện Một (001),Tỉnh Alpha (01),\n";
constexpr char kJson[] = R"([
  {"code": 1, "name": "Xã An", "province_name": "Tỉnh Alpha"},
  {"code": 5, "name": "Xã Năm", "province_name": "Tỉnh Alpha"}
])";

core::AdminUnits Units() {
  core::AdminUnitsSources src;
  src.before_csv = kBefore;
  src.conversion_csv = kConversion;
  src.communes_json = kJson;
  auto u = core::AdminUnits::LoadContents(src);
  EXPECT_TRUE(u.ok()) << u.status();
  return *u;
}

core::Uuid U(uint64_t n) { return core::Uuid{0x1000 + n, n}; }
void SetId(s::Uuid::Builder b, const core::Uuid& u) {
  b.setHi(u.hi);
  b.setLo(u.lo);
}
void SetDate(s::Date::Builder b, int y, int m, int d) {
  b.setYear(static_cast<int16_t>(y));
  b.setMonth(static_cast<uint8_t>(m));
  b.setDay(static_cast<uint8_t>(d));
}
int64_t At(int y, int m, int d, int h = 10) {
  return LocalInstant(Date(static_cast<unsigned short>(y), static_cast<unsigned short>(m),
                           static_cast<unsigned short>(d)),
                      h, 0);
}

// Person ids: 1 c1, 2 c2, 3 c3, 4 c4, 5 c5, 6 c6, 7 c7, 20 t1, 21 t2, 22 p1, 23 p2, 24 o1, 25 o2.
struct PersonSpec {
  uint64_t id;
  s::Sex sex;
  int y, m, d;  // birth
  const char* commune;
  s::Ethnicity eth = s::Ethnicity::UNKNOWN;
  s::SchoolAttendance school = s::SchoolAttendance::UNKNOWN;
  std::vector<s::PersonRole> roles = {};
  bool in_household = false;
};

class IndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    units_ = Units();
    auto snap = msg_.initRoot<s::Snapshot>();
    const std::vector<PersonSpec> people = {
        // children (ages on 2024-12-31)
        {1, s::Sex::FEMALE, 2012, 6, 1, "00001", s::Ethnicity::KINH,
         s::SchoolAttendance::ENROLLED},  // 12
        {2, s::Sex::MALE, 2010, 1, 1, "00001", s::Ethnicity::MUONG,
         s::SchoolAttendance::DROPPED_OUT},                          // 14
        {3, s::Sex::MALE, 2008, 3, 1, "00002", s::Ethnicity::KINH},  // 16
        {4, s::Sex::FEMALE, 2019, 12, 31, "00003", s::Ethnicity::UNKNOWN,
         s::SchoolAttendance::ENROLLED},           // 5 on the day
        {5, s::Sex::FEMALE, 2020, 1, 1, "00003"},  // 4
        {6, s::Sex::MALE, 2007, 1, 1, "00003"},    // 17
        {7, s::Sex::MALE, 2006, 12, 31, "00003"},  // 18
        // adults
        {20,
         s::Sex::FEMALE,
         1980,
         1,
         1,
         "00001",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {s::PersonRole::EDUCATION_STAFF}},
        {21,
         s::Sex::MALE,
         1981,
         1,
         1,
         "00002",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {s::PersonRole::EDUCATION_STAFF}},
        {22,
         s::Sex::FEMALE,
         1985,
         1,
         1,
         "00001",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {s::PersonRole::PARENT_OR_CARER}},
        {23,
         s::Sex::MALE,
         1984,
         1,
         1,
         "",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {},
         true},
        {24,
         s::Sex::MALE,
         1975,
         1,
         1,
         "00001",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {s::PersonRole::COMMUNE_OFFICIAL}},
        {25,
         s::Sex::FEMALE,
         1976,
         1,
         1,
         "01",
         s::Ethnicity::KINH,
         s::SchoolAttendance::UNKNOWN,
         {s::PersonRole::PROVINCIAL_OFFICIAL}},
    };
    auto persons = snap.initPersons(static_cast<unsigned>(people.size()));
    for (unsigned i = 0; i < people.size(); ++i) {
      const PersonSpec& p = people[i];
      auto b = persons[i];
      SetId(b.initId(), U(p.id));
      b.setSex(p.sex);
      SetDate(b.initBirthDate().initDate(), p.y, p.m, p.d);
      b.setCommuneCode(p.commune);
      b.setEthnicity(p.eth);
      if (p.school != s::SchoolAttendance::UNKNOWN) b.initSchool().setAttendance(p.school);
      auto roles = b.initRoles(static_cast<unsigned>(p.roles.size()));
      for (unsigned r = 0; r < p.roles.size(); ++r) roles.set(r, p.roles[r]);
      if (p.in_household) SetId(b.initHouseholdId(), U(900));
    }
    // Household in 00002 whose member 23 is the carer (P5 without a role).
    auto hh = snap.initHouseholds(1)[0];
    SetId(hh.initId(), U(900));
    hh.setCommuneCode("00002");
    auto pov = hh.initPoverty(1)[0];
    pov.setStatus(s::PovertyStatus::POOR);
    pov.setYear(2024);
    auto mem = hh.initMembers(1)[0];
    SetId(mem.initPersonId(), U(23));
    mem.setIsCarer(true);

    // Establishments: e1 enterprise 00001, e2 cooperative 00002, e3 individual 00001.
    auto est = snap.initEstablishments(3);
    const s::EstablishmentKind kinds[] = {s::EstablishmentKind::ENTERPRISE,
                                          s::EstablishmentKind::COOPERATIVE,
                                          s::EstablishmentKind::INDIVIDUAL};
    const char* communes[] = {"00001", "00002", "00001"};
    for (unsigned i = 0; i < 3; ++i) {
      SetId(est[i].initId(), U(100 + i + 1));
      est[i].setKind(kinds[i]);
      est[i].setCommuneCode(communes[i]);
    }

    // Work activities.
    auto acts = snap.initWorkActivities(4);
    // c1 (11 on the day): other work 1 h -> child labour (under 13), SDG economic yes.
    SetId(acts[0].initId(), U(201));
    SetId(acts[0].initChildId(), U(1));
    SetDate(acts[0].initObservedOn(), 2024, 3, 10);
    acts[0].setJobCode("OTHER");
    acts[0].setHoursPerDay(1);
    acts[0].setHoursPerWeek(1);
    // c3 (16): Art 147.1.a job for an employer -> hazardous child labour.
    SetId(acts[1].initId(), U(202));
    SetId(acts[1].initChildId(), U(3));
    SetId(acts[1].initEstablishmentId(), U(101));
    SetDate(acts[1].initObservedOn(), 2024, 5, 2);
    acts[1].setJobCode("ART147-1-a");
    acts[1].setHoursPerDay(4);
    acts[1].setHoursPerWeek(20);
    // c2 (14): light work within limits -> not child labour.
    SetId(acts[2].initId(), U(203));
    SetId(acts[2].initChildId(), U(2));
    SetDate(acts[2].initObservedOn(), 2024, 3, 10);
    acts[2].setJobCode("TT09-A2-06");
    acts[2].setHoursPerDay(2);
    acts[2].setHoursPerWeek(10);
    // c6: child labour in 2023, outside the period.
    SetId(acts[3].initId(), U(204));
    SetId(acts[3].initChildId(), U(6));
    SetDate(acts[3].initObservedOn(), 2023, 3, 10);
    acts[3].setJobCode("ART147-1-a");
    acts[3].setHoursPerDay(4);
    acts[3].setHoursPerWeek(20);

    // Risk screen: c4 medium on 2024-02-01 (P3 population).
    auto risk = snap.initRiskAssessments(1)[0];
    SetId(risk.initId(), U(301));
    SetId(risk.initChildId(), U(4));
    SetDate(risk.initDate(), 2024, 2, 1);
    risk.initResult().setLevel(s::RiskLevel::MEDIUM);

    // Cases.
    auto cs = snap.initCases(5);
    auto mk = [&](unsigned i, uint64_t id, uint64_t child, s::CaseKind kind, int64_t received) {
      SetId(cs[i].initId(), U(id));
      SetId(cs[i].initChildId(), U(child));
      cs[i].setUnitCode(child == 3 ? "00002" : "00001");
      cs[i].setKind(kind);
      cs[i].initNotification().initReceivedAt().setMicros(received);
      cs[i].setInTime(true);
    };
    auto deadline = [](s::Deadline::Builder d, s::DeadlineKind kind, int64_t start, int64_t due,
                       s::DeadlineStatus st, int64_t closed) {
      d.setKind(kind);
      d.initStartedAt().setMicros(start);
      d.initDueAt().setMicros(due);
      d.setStatus(st);
      d.initClosedAt().setMicros(closed);
      d.setLegal(true);
    };
    // k1: c1, child labour, assessed, every deadline met, closed 2024-10-01 -> in time.
    mk(0, 401, 1, s::CaseKind::CHILD_LABOUR, At(2024, 3, 11));
    cs[0].setHasInitialAssessment(true);
    cs[0].initInitialAssessment().initAssessedAt().setMicros(At(2024, 3, 11, 15));
    deadline(cs[0].initDeadlines(1)[0], s::DeadlineKind::PLAN_DRAFT, At(2024, 3, 12),
             At(2024, 3, 19), s::DeadlineStatus::MET, At(2024, 3, 15));
    {
      auto h = cs[0].initHistory(1);
      h[0].setTo(s::CaseState::IN_PROGRESS);
      h[0].initAt().setMicros(At(2024, 4, 1));
    }
    cs[0].setState(s::CaseState::CLOSED);
    cs[0].initClosure().initClosedAt().setMicros(At(2024, 10, 1));
    cs[0].initFollowUps(1)[0].initVisitedAt().setMicros(At(2024, 8, 1));
    {
      auto plan = cs[0].initPlans(1)[0];
      auto sv = plan.initServices(1)[0];
      sv.initCost().setVnd(3000000);
      SetDate(sv.initStart(), 2024, 4, 1);
    }
    // k2: c3, child labour, assessed, plan drafted late -> not in time; in progress 2024-06-01.
    mk(1, 402, 3, s::CaseKind::CHILD_LABOUR, At(2024, 5, 1));
    cs[1].setHasInitialAssessment(true);
    cs[1].initInitialAssessment().initAssessedAt().setMicros(At(2024, 5, 1, 16));
    deadline(cs[1].initDeadlines(1)[0], s::DeadlineKind::PLAN_DRAFT, At(2024, 5, 2), At(2024, 5, 9),
             s::DeadlineStatus::MET_LATE, At(2024, 5, 20));
    cs[1].initHistory(1)[0].setTo(s::CaseState::IN_PROGRESS);
    cs[1].getHistory()[0].initAt().setMicros(At(2024, 6, 1));
    cs[1].setState(s::CaseState::IN_PROGRESS);
    // k3: c2, at risk, no initial assessment, emergency deadline open and past due -> overdue.
    mk(2, 403, 2, s::CaseKind::AT_RISK, At(2024, 7, 1));
    deadline(cs[2].initDeadlines(1)[0], s::DeadlineKind::EMERGENCY_DECISION, At(2024, 7, 1),
             At(2024, 7, 1, 22), s::DeadlineStatus::OPEN, 0);
    // k4: abuse case (not a P2 kind), opened in the period.
    mk(3, 404, 6, s::CaseKind::ABUSE, At(2024, 8, 1));
    // k5: c6, child labour, received and closed in 2023.
    mk(4, 405, 6, s::CaseKind::CHILD_LABOUR, At(2023, 2, 1));
    cs[4].setState(s::CaseState::CLOSED);
    cs[4].initClosure().initClosedAt().setMicros(At(2023, 6, 1));

    // Referrals: r1 (k3) re-enrolment in progress and overdue; r2 (k1) medical completed.
    auto refs = snap.initReferrals(2);
    SetId(refs[0].initId(), U(501));
    SetId(refs[0].initCaseId(), U(403));
    refs[0].setService(s::ServiceType::RE_ENROLMENT);
    refs[0].initRequestedAt().setMicros(At(2024, 7, 5));
    SetDate(refs[0].initDueBy(), 2024, 9, 1);
    refs[0].setStatus(s::ReferralStatus::IN_PROGRESS);
    {
      auto h = refs[0].initHistory(2);
      h[0].setStatus(s::ReferralStatus::ACCEPTED);
      h[0].initAt().setMicros(At(2024, 7, 6));
      h[1].setStatus(s::ReferralStatus::IN_PROGRESS);
      h[1].initAt().setMicros(At(2024, 7, 10));
    }
    SetId(refs[1].initId(), U(502));
    SetId(refs[1].initCaseId(), U(401));
    refs[1].setService(s::ServiceType::MEDICAL);
    refs[1].initRequestedAt().setMicros(At(2024, 3, 20));
    SetDate(refs[1].initDueBy(), 2024, 4, 10);
    refs[1].setStatus(s::ReferralStatus::COMPLETED);
    {
      auto h = refs[1].initHistory(1);
      h[0].setStatus(s::ReferralStatus::COMPLETED);
      h[0].initAt().setMicros(At(2024, 4, 1));
    }

    // Communications: one reaching t1, p1, c1, c5 and e1 (state budget 5 M, head count 120);
    // another reaching c1 again.
    auto comms = snap.initCommunications(2);
    SetId(comms[0].initId(), U(601));
    SetDate(comms[0].initDate(), 2024, 4, 1);
    comms[0].setUnitCode("00001");
    {
      auto parts = comms[0].initParticipants(4);
      const uint64_t ids[] = {20, 22, 1, 5};
      for (unsigned i = 0; i < 4; ++i) SetId(parts[i].initPersonId(), U(ids[i]));
      SetId(comms[0].initOrganisationIds(1)[0], U(101));
      comms[0].initHeadCounts(1)[0].setCount(120);
      auto f = comms[0].initFunding(1)[0];
      f.initAmount().setVnd(5000000);
      f.setSource(s::FundingSource::STATE_BUDGET);
    }
    SetId(comms[1].initId(), U(602));
    SetDate(comms[1].initDate(), 2024, 11, 1);
    comms[1].setUnitCode("00001");
    SetId(comms[1].initParticipants(1)[0].initPersonId(), U(1));
    // Training: o1 and e2 (international donor 10 M).
    auto tr = snap.initTrainings(1)[0];
    SetId(tr.initId(), U(701));
    SetDate(tr.initDate(), 2024, 6, 1);
    tr.setUnitCode("00001");
    SetId(tr.initParticipants(1)[0].initPersonId(), U(24));
    SetId(tr.initOrganisationIds(1)[0], U(102));
    {
      auto f = tr.initFunding(1)[0];
      f.initAmount().setVnd(10000000);
      f.setSource(s::FundingSource::INTERNATIONAL_DONOR);
    }
    // Inspections.
    auto ins = snap.initInspections(3);
    SetId(ins[0].initId(), U(801));
    SetId(ins[0].initEstablishmentId(), U(101));
    SetDate(ins[0].initDate(), 2024, 5, 2);
    ins[0].initFindings(2);
    ins[0].initSanction().setStatus(s::SanctionStatus::DECIDED);
    ins[0].getSanction().initFineImposed().setVnd(20000000);
    {
      auto f = ins[0].initFunding(1)[0];
      f.initAmount().setVnd(2000000);
      f.setSource(s::FundingSource::STATE_BUDGET);
    }
    SetId(ins[1].initId(), U(802));
    SetDate(ins[1].initDate(), 2024, 9, 1);
    ins[1].setUnitCode("00002");
    ins[1].setSubject(s::InspectionSubject::PARENT_OR_CARER);
    ins[1].initFindings(1);
    ins[1].initSanction().setStatus(s::SanctionStatus::PAID);
    ins[1].getSanction().initFineImposed().setVnd(1000000);
    ins[1].getSanction().setCriminalReferral(false);
    SetId(ins[2].initId(), U(803));
    SetId(ins[2].initEstablishmentId(), U(102));
    SetDate(ins[2].initDate(), 2023, 9, 1);
    ins[2].initFindings(1);
    ins[2].initSanction().setCriminalReferral(true);
    // Commitments.
    auto com = snap.initCommitments(3);
    SetId(com[0].initId(), U(901));
    SetId(com[0].initEstablishmentId(), U(101));
    SetDate(com[0].initSignedOn(), 2024, 1, 10);
    com[0].setStatus(s::CommitmentStatus::ACTIVE);
    SetId(com[1].initId(), U(902));
    SetId(com[1].initEstablishmentId(), U(102));
    SetDate(com[1].initSignedOn(), 2024, 2, 1);
    com[1].setStatus(s::CommitmentStatus::BREACHED);
    com[1].initHistory(1)[0].setStatus(s::CommitmentStatus::BREACHED);
    SetDate(com[1].getHistory()[0].initOn(), 2024, 8, 1);
    SetId(com[2].initId(), U(903));
    SetId(com[2].initEstablishmentId(), U(101));
    SetDate(com[2].initSignedOn(), 2023, 1, 1);
    SetDate(com[2].initValidTo(), 2024, 6, 1);
    com[2].setStatus(s::CommitmentStatus::ACTIVE);

    auto ds = BuildDataset(msg_.getRoot<s::Snapshot>().asReader(), units_);
    ASSERT_TRUE(ds.ok()) << ds.status();
    data_ = std::move(*ds);
  }

  ReportRequest Request(std::string unit = "") {
    ReportRequest r;
    r.unit_code = std::move(unit);
    r.period = Period::Year(2024);
    return r;
  }

  // The value of `id` for `unit` in the total cell (or a given sex/band cell).
  static const s::IndicatorValue::Reader* Find(const std::vector<s::IndicatorValue::Reader>& vals,
                                               std::string_view id, std::string_view unit,
                                               int sex = -1, int band = -1) {
    for (const auto& v : vals) {
      auto d = v.getDisaggregation();
      if (std::string_view(v.getIndicatorId().cStr()) != id ||
          std::string_view(v.getUnitCode().cStr()) != unit)
        continue;
      if (d.getByEthnicity() || d.getByEthnicMinority() || d.getByPoverty() || d.getByResidence())
        continue;
      if ((sex >= 0) != d.getBySex() || (band >= 0) != d.getByStatBand()) continue;
      if (sex >= 0 && static_cast<int>(d.getSex()) != sex) continue;
      if (band >= 0 && static_cast<int>(d.getStatBand()) != band) continue;
      return &v;
    }
    return nullptr;
  }

  struct Got {
    ReportMessage msg;
    std::vector<s::IndicatorValue::Reader> vals;
  };
  std::unique_ptr<Got> Run(const ReportRequest& r) {
    auto rep = Compute(data_, r);
    EXPECT_TRUE(rep.ok()) << rep.status();
    if (!rep.ok()) return nullptr;
    auto g = std::make_unique<Got>(Got{std::move(*rep), {}});
    for (auto v : g->msg.reader().getValues()) g->vals.push_back(v);
    return g;
  }

  void ExpectValue(const Got& g, std::string_view id, std::string_view unit, int64_t num,
                   int64_t den, int sex = -1, int band = -1) {
    const auto* v = Find(g.vals, id, unit, sex, band);
    ASSERT_NE(v, nullptr) << id << " " << unit;
    EXPECT_EQ(v->getNumerator(), num) << id << " " << unit;
    EXPECT_EQ(v->getDenominator(), den) << id << " " << unit;
    if (den > 0) {
      EXPECT_NEAR(v->getValue(), 100.0 * static_cast<double>(num) / static_cast<double>(den), 1e-9)
          << id;
    }
  }

  std::unique_ptr<capnp::MallocMessageBuilder> owned_ =
      std::make_unique<capnp::MallocMessageBuilder>();
  capnp::MallocMessageBuilder& msg_ = *owned_;
  core::AdminUnits units_;
  Dataset data_;
};

// Column files (lib/indicators/columns.h): what is read back computes the same report, and
// damage anywhere is reported naming the column, never computed on.
TEST_F(IndicatorsTest, ColumnFileRoundTripGivesTheSameReport) {
  ASSERT_TRUE(ValidateDataset(data_).ok());
  ASSERT_GT(data_.c_id.size(), 0u);
  ASSERT_GT(data_.r_id.size(), 0u);
  ASSERT_GT(data_.m_id.size(), 0u);
  test_util::TempDir tmp;
  const std::string path = tmp.Sub("columns-7.tcol");
  ASSERT_TRUE(WriteColumns(data_, 7, path).ok());
  uint64_t covers = 0;
  auto back = ReadColumns(path, units_, &covers);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(covers, 7u);
  EXPECT_EQ(back->stats.persons, data_.stats.persons);
  EXPECT_EQ(back->rule_sets, data_.rule_sets);
  EXPECT_EQ(back->stats.notes, data_.stats.notes);
  ReportRequest with_provenance = Request("00001");
  with_provenance.provenance = true;
  for (const ReportRequest& r : {Request(), with_provenance}) {
    auto a = Compute(data_, r);
    auto b = Compute(*back, r);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    auto ca = capnp::canonicalize(a->reader());
    auto cb = capnp::canonicalize(b->reader());
    EXPECT_TRUE(ca.asBytes() == cb.asBytes());
  }
  // In memory too, and the encoding is deterministic.
  EXPECT_EQ(EncodeColumns(*back, 7), EncodeColumns(data_, 7));
  EXPECT_TRUE(absl::IsNotFound(ReadColumns(tmp.Sub("none.tcol"), units_).status()));
}

// The report computes the child and role selectors in fused passes over the persons (one
// pass for all child selectors, one for all role selectors, totals summed from cells); with
// provenance it counts selector by selector (PersonScan). Both must give every value alike,
// on a register grown with random persons, roles, work, reach and screens on all unit keys.
TEST_F(IndicatorsTest, FusedScansMatchSelectorBySelectorScans) {
  Dataset d = data_;
  std::mt19937_64 rng(8);
  auto pick = [&](uint64_t n) { return static_cast<uint32_t>(rng() % n); };
  const uint32_t keys = static_cast<uint32_t>(d.key_code.size());
  const uint32_t first = static_cast<uint32_t>(d.p_id.size());
  for (uint32_t i = 0; i < 3000; ++i) {
    d.p_id.push_back(U(100000 + i));
    d.p_key.push_back(pick(keys));
    const bool known = pick(20) != 0;
    d.p_birth.push_back(known ? rules::PackYmd(1950 + static_cast<int>(pick(75)),
                                               1 + static_cast<int>(pick(12)),
                                               1 + static_cast<int>(pick(28)))
                              : 0);
    d.p_death.push_back(pick(30) == 0 ? rules::PackYmd(2024, 1 + static_cast<int>(pick(12)), 1)
                                      : 0);
    d.p_sex.push_back(static_cast<uint8_t>(pick(3)));
    d.p_ethnicity.push_back(static_cast<uint8_t>(pick(6)));
    d.p_poverty.push_back(static_cast<uint8_t>(pick(4)));
    d.p_residence.push_back(static_cast<uint8_t>(pick(3)));
    d.p_roles.push_back(pick(3) == 0 ? static_cast<uint8_t>(1u << pick(5)) |
                                           static_cast<uint8_t>(pick(4) == 0 ? 2 : 0)
                                     : 0);
    d.p_school.push_back(static_cast<uint8_t>(pick(5)));
  }
  const uint32_t persons = static_cast<uint32_t>(d.p_id.size());
  for (uint32_t i = 0; i < 800; ++i) {
    d.a_id.push_back(U(200000 + i));
    d.a_person.push_back(first + pick(persons - first));
    d.a_day.push_back(
        rules::PackYmd(2023 + static_cast<int>(pick(3)), 1 + static_cast<int>(pick(12)), 3));
    d.a_cls.push_back(static_cast<uint8_t>(pick(6) | (pick(2) ? kActSdgEconomic : 0)));
  }
  for (uint32_t i = 0; i < 1500; ++i) {
    d.re_person.push_back(first + pick(persons - first));
    d.re_from.push_back(rules::PackYmd(2024, 1 + static_cast<int>(pick(12)), 1));
    d.re_to.push_back(d.re_from.back() + pick(40));
    d.re_kind.push_back(static_cast<uint8_t>(pick(2)));
  }
  for (uint32_t i = 0; i < 500; ++i) {
    d.k_person.push_back(first + pick(persons - first));
    d.k_day.push_back(rules::PackYmd(2024, 1 + static_cast<int>(pick(12)), 2));
    d.k_level.push_back(static_cast<uint8_t>(pick(3)));
  }
  ASSERT_TRUE(ValidateDataset(d).ok()) << ValidateDataset(d);
  d.resolved = NewKeyResolutionCache();

  ReportRequest r = Request("01");
  r.map_date = Date(2024, 12, 31);
  r.breakdown_level = core::UnitLevel::kCommune;
  for (const auto& dims : std::vector<std::vector<s::DisaggregationDimension>>{
           {},
           {s::DisaggregationDimension::SEX, s::DisaggregationDimension::STAT_BAND},
           {s::DisaggregationDimension::SEX, s::DisaggregationDimension::ETHNIC_MINORITY,
            s::DisaggregationDimension::POVERTY}}) {
    r.dimensions = dims;
    r.provenance = false;
    auto fused = Compute(d, r);
    r.provenance = true;
    auto single = Compute(d, r);
    ASSERT_TRUE(fused.ok()) << fused.status();
    ASSERT_TRUE(single.ok()) << single.status();
    auto a = fused->reader().getValues();
    auto b = single->reader().getValues();
    ASSERT_EQ(a.size(), b.size());
    size_t nonzero = 0;
    for (unsigned i = 0; i < a.size(); ++i) {
      EXPECT_EQ(std::string(a[i].getIndicatorId().cStr()), b[i].getIndicatorId().cStr());
      EXPECT_EQ(std::string(a[i].getUnitCode().cStr()), b[i].getUnitCode().cStr());
      EXPECT_EQ(a[i].getNumerator(), b[i].getNumerator())
          << a[i].getIndicatorId().cStr() << " " << a[i].getUnitCode().cStr() << " " << i;
      EXPECT_EQ(a[i].getDenominator(), b[i].getDenominator())
          << a[i].getIndicatorId().cStr() << " " << a[i].getUnitCode().cStr() << " " << i;
      nonzero += a[i].getNumerator() != 0;
    }
    EXPECT_GT(nonzero, a.size() / 4);  // the random register makes most values non-zero
  }
  // Screens in BuildDataset's order (by person, then day) take the linear path to each
  // person's latest screen; the random order above took the map. Same report.
  Dataset sorted = d;
  std::vector<size_t> order(d.k_person.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::pair(d.k_person[x], d.k_day[x]) < std::pair(d.k_person[y], d.k_day[y]);
  });
  for (size_t k = 0; k < order.size(); ++k) {
    sorted.k_person[k] = d.k_person[order[k]];
    sorted.k_day[k] = d.k_day[order[k]];
    sorted.k_level[k] = d.k_level[order[k]];
  }
  sorted.resolved = NewKeyResolutionCache();
  r.provenance = false;
  r.indicator_ids = {"P3"};
  auto from_map = Compute(d, r);
  auto linear = Compute(sorted, r);
  ASSERT_TRUE(from_map.ok() && linear.ok());
  ASSERT_GT(from_map->reader().getValues().size(), 0u);
  EXPECT_TRUE(capnp::canonicalize(from_map->reader()).asBytes() ==
              capnp::canonicalize(linear->reader()).asBytes());
}

TEST_F(IndicatorsTest, ColumnFileDamageIsReportedNamingTheColumn) {
  const std::string good = EncodeColumns(data_, 3);
  // A flipped bit in every 8-byte word: refused (header, table or a column checksum), except
  // in the padding that aligns columns (at most one word per column).
  size_t accepted = 0;
  for (size_t at = 0; at < good.size(); at += 8) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    auto r = DecodeColumns(bad, units_);
    if (r.ok()) {
      ++accepted;  // only the zero padding after a column is not covered by a checksum
      continue;
    }
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("column file")) << at;
  }
  EXPECT_LE(accepted, 86u);
  // Truncation at every length.
  for (size_t len = 0; len < good.size(); len += 13) {
    EXPECT_FALSE(DecodeColumns(std::string_view(good).substr(0, len), units_).ok()) << len;
  }
  // Consistent checksums but an index outside its table: refused before Compute sees it.
  Dataset broken = data_;
  broken.a_person[0] = static_cast<uint32_t>(broken.p_id.size() + 5);
  auto r = DecodeColumns(EncodeColumns(broken, 3), units_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("a_person[0]"));
  Dataset short_col = data_;
  short_col.p_sex.pop_back();
  r = DecodeColumns(EncodeColumns(short_col, 3), units_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("p_sex"));
  // Another version.
  std::string v2 = good;
  v2[8] = 2;
  r = DecodeColumns(v2, units_);
  EXPECT_FALSE(r.ok());
}

// A mapped column file verifies the record-id columns (p_id, a_id) only when record ids are
// first read: damage there leaves totals computable and is reported, naming the column, by
// provenance, ExplainValue and WriteColumns; anywhere else it is reported at open.
TEST_F(IndicatorsTest, ColumnFileRecordIdDamageIsReportedOnFirstUse) {
  test_util::TempDir tmp;
  const std::string good = EncodeColumns(data_, 5);
  auto column_at = [&](std::string_view name) -> uint64_t {
    const uint32_t count = static_cast<uint32_t>(good[24]) | static_cast<uint32_t>(good[25]) << 8;
    for (uint32_t i = 0; i < count; ++i) {
      const char* e = good.data() + 64 + i * 48;
      if (std::string_view(e) == name) {
        uint64_t off = 0;
        memcpy(&off, e + 24, 8);
        return off;
      }
    }
    return 0;
  };
  auto write = [&](const std::string& bytes) {
    const std::string path = tmp.Sub("columns-5.tcol");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path;
  };
  ASSERT_GT(column_at("p_id"), 0u);
  std::string bad = good;
  bad[column_at("p_id") + 3] ^= 0x40;
  auto d = ReadColumns(write(bad), units_);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(Compute(*d, Request()).ok());  // totals do not read record ids
  ReportRequest r = Request();
  r.provenance = true;
  auto p = Compute(*d, r);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(absl::IsDataLoss(p.status()));
  EXPECT_THAT(std::string(p.status().message()), ::testing::HasSubstr("column p_id"));
  EXPECT_TRUE(absl::IsDataLoss(ExplainValue(*d, Request(), "P1").status()));
  EXPECT_TRUE(absl::IsDataLoss(WriteColumns(*d, 6, tmp.Sub("again.tcol"))));
  // A copy of the dataset shares the verdict; the undamaged file passes.
  Dataset copy = *d;
  EXPECT_FALSE(Compute(copy, r).ok());
  auto ok = ReadColumns(write(good), units_);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(Compute(*ok, r).ok());
  EXPECT_TRUE(ExplainValue(*ok, Request(), "P1").ok());
  // Damage in a column reports read is refused at open.
  bad = good;
  bad[column_at("p_birth") + 1] ^= 0x40;
  auto refused = ReadColumns(write(bad), units_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("column p_birth"));
}

TEST_F(IndicatorsTest, ClassificationAssumptionsHold) {
  // The hand-computed values rely on the rules module classifying the fixtures this way.
  ASSERT_EQ(data_.a_cls.size(), 4u);
  EXPECT_EQ(data_.a_cls[0] & 7, static_cast<int>(rules::Outcome::kChildLabour));
  EXPECT_TRUE(data_.a_cls[0] & kActSdgEconomic);
  EXPECT_EQ(data_.a_cls[1] & 7, static_cast<int>(rules::Outcome::kHazardous));
  EXPECT_EQ(data_.a_cls[2] & 7, static_cast<int>(rules::Outcome::kNotChildLabour));
  EXPECT_FALSE(data_.rule_sets.empty());
}

TEST_F(IndicatorsTest, PlanIndicatorsByHand) {
  auto g = Run(Request());
  ASSERT_TRUE(g);
  // Children 5-17 on 2024-12-31: c1 12, c2 14, c3 16, c4 5 (birthday that day), c6 17 = 5
  // (c5 is 4, c7 turned 18 that day). Child labour in 2024: c1 (under 13), c3 (hazardous).
  ExpectValue(*g, "P1", "", 2, 5);
  ExpectValue(*g, "P10", "", 1, 2);  // hazardous c3 / child labour c1, c3
  // P2: k1 (in time), k2 (plan late), k3 (no assessment, emergency overdue) reported in 2024.
  ExpectValue(*g, "P2", "", 1, 3);
  // P3: population c1, c3 (child labour), c2 (open case k3), c4 (medium screen) = 4;
  // in education: c1 enrolled, c4 enrolled, c2 re-enrolment referral in progress = 3.
  ExpectValue(*g, "P3", "", 3, 4);
  ExpectValue(*g, "P4", "", 1, 2);  // t1 reached, t2 not
  ExpectValue(*g, "P5", "", 1, 2);  // p1 (role) reached; p2 (household carer) not
  ExpectValue(*g, "P6", "", 1, 5);  // c1 (twice, counted once); c5 reached but aged 4
  ExpectValue(*g, "P7", "", 2, 2);  // e1 by communication, e2 by training; e3 individual excluded
  ExpectValue(*g, "P8", "", 1, 2);  // o1 trained, o2 not
  ExpectValue(*g, "P8.COMMUNE", "", 1, 1);
  ExpectValue(*g, "P8.PROVINCE", "", 0, 1);
  ExpectValue(*g, "P9", "", 1, 2);  // e2 trained
}

TEST_F(IndicatorsTest, SdgSeriesFollowsTheStatisticalRuleSet) {
  // Whatever ILO-SDG871 says for c3, SDG871 counts exactly the children whose activity has the
  // economic flag (checked against the dataset columns).
  int64_t expected = 0;
  for (size_t i = 0; i < data_.a_cls.size(); ++i) {
    if (data_.a_day[i] >= rules::PackYmd(2024, 1, 1) && (data_.a_cls[i] & kActSdgEconomic))
      ++expected;
  }
  auto g = Run(Request());
  ASSERT_TRUE(g);
  const auto* v = Find(g->vals, "SDG871", "");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->getNumerator(), expected);
}

TEST_F(IndicatorsTest, OperationalFiguresByHand) {
  auto g = Run(Request());
  ASSERT_TRUE(g);
  auto count = [&](std::string_view id) -> int64_t {
    const auto* v = Find(g->vals, id, "");
    EXPECT_NE(v, nullptr) << id;
    return v ? v->getNumerator() : -1;
  };
  EXPECT_EQ(count("OP.CASES_OPENED"), 4);   // k1..k4
  EXPECT_EQ(count("OP.CASES_CLOSED"), 1);   // k1
  EXPECT_EQ(count("OP.CASES_OVERDUE"), 1);  // k3
  EXPECT_EQ(count("OP.CASES_OVERDUE.emergencyDecision"), 1);
  EXPECT_EQ(count("OP.CASES_OVERDUE.planDraft"), 0);  // k2's was met late, not open
  EXPECT_EQ(count("OP.REFERRALS"), 2);
  EXPECT_EQ(count("OP.REFERRALS.inProgress"), 1);
  EXPECT_EQ(count("OP.REFERRALS.completed"), 1);
  EXPECT_EQ(count("OP.REFERRALS.requested"), 0);
  EXPECT_EQ(count("OP.REFERRALS.overdue"), 1);  // r1 due 2024-09-01, still in progress
  EXPECT_EQ(count("OP.REFERRALS.service.reEnrolment"), 1);
  EXPECT_EQ(count("OP.INSPECTIONS"), 2);  // i3 is in 2023
  EXPECT_EQ(count("OP.INSPECTIONS_WITH_VIOLATIONS"), 2);
  EXPECT_EQ(count("OP.VIOLATIONS"), 3);
  EXPECT_EQ(count("OP.SANCTIONS"), 2);
  EXPECT_EQ(count("OP.SANCTIONS_PARENTS"), 1);
  EXPECT_EQ(count("OP.CRIMINAL_REFERRALS"), 0);
  EXPECT_EQ(count("OP.FINES_VND"), 21000000);
  EXPECT_EQ(count("OP.COMMITMENTS_IN_FORCE"), 1);  // m1; m2 breached, m3 expired
  EXPECT_EQ(count("OP.COMMITMENTS_BREACHED"), 1);
  EXPECT_EQ(count("OP.REACH_HEADCOUNT"), 120);
  EXPECT_EQ(count("OP.SPENDING"), 20000000);  // 5 + 10 + 2 + case service 3 million
  EXPECT_EQ(count("OP.SPENDING.source.stateBudget"), 7000000);
  EXPECT_EQ(count("OP.SPENDING.source.internationalDonor"), 10000000);
  EXPECT_EQ(count("OP.SPENDING.kind.caseServices"), 3000000);
  EXPECT_EQ(count("OP.SPENDING.kind.training"), 10000000);
  // Follow-up coverage: k1 and k2 reached inProgress; only k1 was visited in 2024.
  ExpectValue(*g, "OP.FOLLOWUP_COVERAGE", "", 1, 2);
}

TEST_F(IndicatorsTest, InTimeMirrorsTheCaseBookRule) {
  // c_in_time_until reproduces cases::SupportedInTime at every instant.
  for (size_t k = 0; k < data_.c_id.size(); ++k) {
    cases::CaseFile f;
    for (size_t i = 0; i < data_.d_case.size(); ++i) {
      if (data_.d_case[i] != k) continue;
      cases::DeadlineEntry e;
      e.kind = static_cast<s::DeadlineKind>(data_.d_kind[i]);
      e.due_at = data_.d_due[i];
      e.closed_at = data_.d_closed[i];
      auto dl = msg_.getRoot<s::Snapshot>().getCases()[static_cast<unsigned>(k)].getDeadlines()[0];
      e.status = dl.getStatus();
      f.deadlines.push_back(e);
    }
    if (f.deadlines.empty()) continue;
    for (int64_t t :
         {At(2024, 1, 1), At(2024, 3, 18), At(2024, 5, 10), At(2024, 7, 1, 23), At(2024, 12, 31)}) {
      EXPECT_EQ(cases::SupportedInTime(f, t), t <= data_.c_in_time_until[k]) << k << " " << t;
    }
  }
}

TEST_F(IndicatorsTest, RollupSumsCountsAndDividesLast) {
  ReportRequest r = Request("01");
  r.map_date = Date(2024, 12, 31);
  r.breakdown_level = core::UnitLevel::kCommune;
  r.indicator_ids = {"P1"};
  auto g = Run(r);
  ASSERT_TRUE(g);
  // 00001: c1 (CL), c2 -> 1/2 = 50%; 00002: c3 (CL) -> 1/1 = 100%; 00003: c4, c6 -> 0/2.
  ExpectValue(*g, "P1", "00001", 1, 2);
  ExpectValue(*g, "P1", "00002", 1, 1);
  ExpectValue(*g, "P1", "00003", 0, 2);
  // Province: 2/5 = 40%, not the mean of 50, 100 and 0 (= 50%).
  ExpectValue(*g, "P1", "01", 2, 5);
  const auto* prov = Find(g->vals, "P1", "01");
  ASSERT_NE(prov, nullptr);
  EXPECT_NEAR(prov->getValue(), 40.0, 1e-9);
  EXPECT_GT(std::fabs(prov->getValue() - (50.0 + 100.0 + 0.0) / 3), 9.0);
  EXPECT_EQ(g->msg.reader().getMapVersion(), s::MapVersion::BEFORE2025);
}

TEST_F(IndicatorsTest, OldRecordsRollIntoTheNewMap) {
  ReportRequest r = Request("01");
  r.map_date = Date(2025, 12, 31);
  r.breakdown_level = core::UnitLevel::kCommune;
  r.indicator_ids = {"P1"};
  auto g = Run(r);
  ASSERT_TRUE(g);
  // New 00001 = old 00001 + 00002: c1, c2, c3 -> 2/3; 00005 = old 00003: 0/2.
  ExpectValue(*g, "P1", "00001", 2, 3);
  ExpectValue(*g, "P1", "00005", 0, 2);
  ExpectValue(*g, "P1", "01", 2, 5);
  EXPECT_EQ(Find(g->vals, "P1", "00002"), nullptr);
  EXPECT_EQ(g->msg.reader().getMapVersion(), s::MapVersion::FROM2025);
  // A unit that no longer exists on the map is refused with a clear error.
  ReportRequest old = Request("00002");
  old.map_date = Date(2025, 12, 31);
  auto bad = Compute(data_, old);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("unitCode: 00002 has no version"));
}

TEST_F(IndicatorsTest, AgesAtTheReferenceDate) {
  // Q3 2024 ends 2024-09-30: c4 is 4 then (not counted), c7 is 17 (counted).
  ReportRequest r = Request();
  r.period = *Period::Quarter(2024, 3);
  r.indicator_ids = {"P1"};
  auto g = Run(r);
  ASSERT_TRUE(g);
  // Children: c1 12, c2 14, c3 16, c6 17, c7 17 = 5; no child labour activity in Q3.
  ExpectValue(*g, "P1", "", 0, 5);
  r.period = *Period::Half(2024, 1);  // ends 2024-06-30: c1 and c3 worked in H1
  auto h = Run(r);
  ASSERT_TRUE(h);
  ExpectValue(*h, "P1", "", 2, 5);
}

TEST_F(IndicatorsTest, DisaggregationBySexBandAndMinority) {
  ReportRequest r = Request();
  r.indicator_ids = {"P1"};
  r.dimensions = {s::DisaggregationDimension::SEX, s::DisaggregationDimension::STAT_BAND,
                  s::DisaggregationDimension::ETHNIC_MINORITY};
  auto g = Run(r);
  ASSERT_TRUE(g);
  const int kMale = 1, kFemale = 2;
  ExpectValue(*g, "P1", "", 1, 2, kFemale);     // c1 CL; c4
  ExpectValue(*g, "P1", "", 1, 3, kMale);       // c3 CL; c2, c6
  ExpectValue(*g, "P1", "", 0, 1, -1, 1);       // 5-11: c4
  ExpectValue(*g, "P1", "", 1, 2, -1, 2);       // 12-14: c1 CL, c2
  ExpectValue(*g, "P1", "", 1, 2, -1, 3);       // 15-17: c3 CL, c6
  ExpectValue(*g, "P1", "", 1, 1, kFemale, 2);  // girls 12-14: c1
  bool minority = false, kinh = false;
  for (const auto& v : g->vals) {
    auto d = v.getDisaggregation();
    if (!d.getByEthnicMinority()) continue;
    if (d.getEthnicMinority()) {
      minority = true;  // c2 (Mường): 0/1
      EXPECT_EQ(v.getNumerator(), 0);
      EXPECT_EQ(v.getDenominator(), 1);
    } else {
      kinh = true;  // c1, c3: 2/2
      EXPECT_EQ(v.getNumerator(), 2);
      EXPECT_EQ(v.getDenominator(), 2);
    }
  }
  EXPECT_TRUE(minority && kinh);
}

TEST_F(IndicatorsTest, ProvenanceListsTheRecordsCounted) {
  ReportRequest r = Request();
  auto p = ExplainValue(data_, r, "P1");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->numerator, ::testing::UnorderedElementsAre(U(1), U(3)));
  EXPECT_THAT(p->denominator, ::testing::UnorderedElementsAre(U(1), U(2), U(3), U(4), U(6)));
  r.provenance = true;
  r.indicator_ids = {"P2"};
  auto g = Run(r);
  ASSERT_TRUE(g);
  const auto* v = Find(g->vals, "P2", "");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->getRecordIds().size(), 1u);
  EXPECT_EQ(v->getRecordIds()[0].getLo(), U(401).lo);
  // Upward reports carry no record ids.
  r.upward = true;
  EXPECT_FALSE(Compute(data_, r).ok());
}

TEST_F(IndicatorsTest, SmallCellsAreSuppressedOrRounded) {
  ReportRequest r = Request("01");
  r.map_date = Date(2024, 12, 31);
  r.breakdown_level = core::UnitLevel::kCommune;
  r.indicator_ids = {"P1", "OP.FINES_VND"};
  r.upward = true;  // the embedded "upward" rule: counts 1-4 withheld
  auto g = Run(r);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->msg.reader().getDeidentified());
  EXPECT_EQ(g->msg.reader().getSuppression().getMaxCount(), 4u);
  const auto* c1 = Find(g->vals, "P1", "00001");  // 1/2: withheld
  ASSERT_NE(c1, nullptr);
  EXPECT_TRUE(c1->getSuppressed());
  EXPECT_EQ(c1->getNumerator(), 0);
  EXPECT_TRUE(std::isnan(c1->getValue()));
  const auto* prov = Find(g->vals, "P1", "01");  // 2/5: numerator 2 is small -> withheld
  ASSERT_NE(prov, nullptr);
  EXPECT_TRUE(prov->getSuppressed());
  const auto* fines = Find(g->vals, "OP.FINES_VND", "01");  // amounts are not people counts
  ASSERT_NE(fines, nullptr);
  EXPECT_FALSE(fines->getSuppressed());
  EXPECT_EQ(fines->getNumerator(), 21000000);

  auto rounded = SuppressionRuleNamed("upward-rounded");
  ASSERT_TRUE(rounded.ok());
  r.suppression = *rounded;
  auto h = Run(r);
  ASSERT_TRUE(h);
  const auto* p = Find(h->vals, "P1", "01");  // 2 -> 0, 5 -> 5
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->getSuppressed());
  EXPECT_EQ(p->getNumerator(), 0);
  EXPECT_EQ(p->getDenominator(), 5);
}

TEST_F(IndicatorsTest, TargetsFromThePlan) {
  auto plan = LoadEmbeddedPlan("qd-782-2021");
  ASSERT_TRUE(plan.ok()) << plan.status();
  auto reader = plan->reader();
  ReportRequest r = Request("00001");
  r.map_date = Date(2024, 12, 31);
  r.plan = &reader;
  r.indicator_ids = {"P1", "P7", "P8.COMMUNE", "P8.PROVINCE"};
  auto g = Run(r);
  ASSERT_TRUE(g);
  const auto* p1 = Find(g->vals, "P1", "00001");  // 1/2 = 50% against <= 4.9% (2025)
  ASSERT_NE(p1, nullptr);
  EXPECT_DOUBLE_EQ(p1->getTarget(), 4.9);
  EXPECT_EQ(p1->getTargetStatus(), s::TargetStatus::NOT_MET);
  const auto* p7 = Find(g->vals, "P7", "00001");  // e1 informed: 1/1 = 100% >= 90%
  ASSERT_NE(p7, nullptr);
  EXPECT_EQ(p7->getTargetStatus(), s::TargetStatus::MET);
  // Commune-scoped target applies on a commune row, the provincial one does not.
  EXPECT_EQ(Find(g->vals, "P8.COMMUNE", "00001")->getTarget(), 70.0);
  EXPECT_EQ(Find(g->vals, "P8.PROVINCE", "00001")->getTargetStatus(), s::TargetStatus::NO_TARGET);
  // In 2027 the 2030 target (4.5%) applies.
  r.period = Period::Year(2027);
  auto later = Run(r);
  ASSERT_TRUE(later);
  EXPECT_DOUBLE_EQ(Find(later->vals, "P1", "00001")->getTarget(), 4.5);
}

TEST_F(IndicatorsTest, RefusesBadRequests) {
  ReportRequest r = Request();
  r.indicator_ids = {"P99"};
  EXPECT_THAT(Compute(data_, r).status().message(),
              ::testing::HasSubstr("unknown indicator \"P99\""));
  r = Request("00001");
  r.breakdown_level = core::UnitLevel::kProvince;
  EXPECT_FALSE(Compute(data_, r).ok());
}

}  // namespace
}  // namespace treem::indicators
