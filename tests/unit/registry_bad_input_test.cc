// Bad input for every command type (issue 5 evidence): impossible dates, unknown codes and enum
// values, references to missing records, units outside the store's scope, and payloads only
// the registry may write. Every refusal names the field, never personal data, and changes
// nothing (state bytes and journal seq). A coverage check fails when a command type has no
// case here, so a new payload cannot land without its bad-input tests.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "capnp/message.h"
#include "capnp/schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/prevention.capnp.h"
#include "unit/registry_fixtures.h"
#include "unit/temp_dir.h"

namespace treem::registry {
namespace {

using schema::RecordKind;
using schema::Role;
using ::testing::HasSubstr;
using ::treem::test_util::Cmd;
using ::treem::test_util::SetUuid;
using ::treem::test_util::TempDir;
using P = schema::Command::Payload::Builder;

constexpr int64_t kT0 = int64_t{1718000000} * 1000000;  // 2024-06-10

core::Uuid Id(uint64_t n) {
  return core::Uuid{0x6000000000004000ULL + n, 0x8000000000000000ULL | n};
}
void SetDate(schema::Date::Builder b, int y, int m, int d) {
  b.setYear(static_cast<int16_t>(y));
  b.setMonth(static_cast<uint8_t>(m));
  b.setDay(static_cast<uint8_t>(d));
}

const Actor kWorker{"worker-1", Role::COMMUNE_WORKER, "15865"};
const Actor kSystem{"sys", Role::SYSTEM, ""};
const char kName[] = "Hoàng Thị Gấm";  // must never appear in an error

// Ids of the records the fixture holds.
const core::Uuid kChild = Id(1), kHouse = Id(2), kEmployer = Id(3), kWork = Id(4),
                 kCommitment = Id(5), kCase = Id(6), kNew = Id(50), kMissing = Id(99);

struct BadCase {
  std::string payload;  // Command.payload member exercised
  std::string what;
  std::function<void(P)> fill;
  absl::StatusCode code;
  std::string field;  // expected in the message
  int64_t at = 0;     // Command.at (0 = now)
};

void Person(schema::Person::Builder p, core::Uuid id, const char* unit) {
  SetUuid(p.initId(), id);
  p.setFullName(kName);
  p.setSex(schema::Sex::FEMALE);
  SetDate(p.initBirthDate().initDate(), 2012, 5, 1);
  p.setCommuneCode(unit);
}
void Activity(schema::WorkActivity::Builder w, core::Uuid id, core::Uuid child) {
  SetUuid(w.initId(), id);
  SetUuid(w.initChildId(), child);
  SetDate(w.initObservedOn(), 2024, 3, 10);
  w.setJobCode("OTHER");
  w.setHoursPerDay(4);
  w.setHoursPerWeek(20);
  w.setPayment(schema::PaymentKind::PAID);
}
void Comm(schema::CommunicationActivity::Builder c, core::Uuid id, const char* unit) {
  SetUuid(c.initId(), id);
  SetDate(c.initDate(), 2024, 3, 1);
  c.setUnitCode(unit);
}
void Training(schema::TrainingSession::Builder t, core::Uuid id, const char* unit) {
  SetUuid(t.initId(), id);
  SetDate(t.initDate(), 2024, 3, 1);
  t.setUnitCode(unit);
}
void Inspection(schema::Inspection::Builder i, core::Uuid id, core::Uuid employer) {
  SetUuid(i.initId(), id);
  SetUuid(i.initEstablishmentId(), employer);
  SetDate(i.initDate(), 2024, 3, 1);
  i.setUnitCode("15865");
}
void Commitment(schema::Commitment::Builder c, core::Uuid id, core::Uuid employer) {
  SetUuid(c.initId(), id);
  SetUuid(c.initEstablishmentId(), employer);
  SetDate(c.initSignedOn(), 2024, 1, 1);
  c.setUnitCode("15865");
}

std::vector<BadCase> Cases() {
  using C = absl::StatusCode;
  const C kInvalid = C::kInvalidArgument, kNotFound = C::kNotFound,
          kPrecondition = C::kFailedPrecondition;
  return {
      // upsertHousehold
      {"upsertHousehold", "impossible date",
       [](P p) {
         auto h = p.initUpsertHousehold();
         SetUuid(h.initId(), kNew);
         h.setCommuneCode("15865");
         auto m = h.initMembers(1)[0];
         SetUuid(m.initPersonId(), kChild);
         SetDate(m.initLinkedFrom(), 2023, 2, 30);
       },
       kInvalid, "upsertHousehold.members[0].linkedFrom"},
      {"upsertHousehold", "missing member",
       [](P p) {
         auto h = p.initUpsertHousehold();
         SetUuid(h.initId(), kNew);
         h.setCommuneCode("15865");
         SetUuid(h.initMembers(1)[0].initPersonId(), kMissing);
       },
       kNotFound, "upsertHousehold.members[0].personId"},
      {"upsertHousehold", "malformed unit code",
       [](P p) {
         auto h = p.initUpsertHousehold();
         SetUuid(h.initId(), kNew);
         h.setCommuneCode("15x65");
       },
       kInvalid, "upsertHousehold.communeCode"},
      {"upsertHousehold", "unit outside the scope",
       [](P p) {
         auto h = p.initUpsertHousehold();
         SetUuid(h.initId(), kNew);
         h.setCommuneCode("15928");
       },
       kInvalid, "upsertHousehold.communeCode: unit '15928' is outside"},
      // upsertPerson
      {"upsertPerson", "impossible date",
       [](P p) {
         auto ps = p.initUpsertPerson();
         Person(ps, kNew, "15865");
         SetDate(ps.getBirthDate().getDate(), 2023, 2, 29);
       },
       kInvalid, "upsertPerson.birthDate.date"},
      {"upsertPerson", "unknown enum value",
       [](P p) {
         auto ps = p.initUpsertPerson();
         Person(ps, kNew, "15865");
         ps.setSex(static_cast<schema::Sex>(42));
       },
       kInvalid, "upsertPerson.sex"},
      {"upsertPerson", "missing household",
       [](P p) {
         auto ps = p.initUpsertPerson();
         Person(ps, kNew, "15865");
         SetUuid(ps.initHouseholdId(), kMissing);
       },
       kNotFound, "upsertPerson.householdId"},
      {"upsertPerson", "unit outside the scope",
       [](P p) { Person(p.initUpsertPerson(), kNew, "15928"); }, kInvalid,
       "upsertPerson.communeCode"},
      // upsertEstablishment
      {"upsertEstablishment", "malformed unit code",
       [](P p) {
         auto e = p.initUpsertEstablishment();
         SetUuid(e.initId(), kNew);
         e.setCommuneCode("1586");
       },
       kInvalid, "upsertEstablishment.communeCode"},
      {"upsertEstablishment", "unknown enum value",
       [](P p) {
         auto e = p.initUpsertEstablishment();
         SetUuid(e.initId(), kNew);
         e.setCommuneCode("15865");
         e.setKind(static_cast<schema::EstablishmentKind>(77));
       },
       kInvalid, "upsertEstablishment.kind"},
      {"upsertEstablishment", "unit outside the scope",
       [](P p) {
         auto e = p.initUpsertEstablishment();
         SetUuid(e.initId(), kNew);
         e.setCommuneCode("15928");
       },
       kInvalid, "upsertEstablishment.communeCode"},
      // recordWorkActivity
      {"recordWorkActivity", "impossible date",
       [](P p) {
         auto w = p.initRecordWorkActivity();
         Activity(w, kNew, kChild);
         SetDate(w.getObservedOn(), 2024, 13, 1);
       },
       kInvalid, "recordWorkActivity.observedOn"},
      {"recordWorkActivity", "missing child",
       [](P p) { Activity(p.initRecordWorkActivity(), kNew, kMissing); }, kNotFound,
       "recordWorkActivity.childId"},
      {"recordWorkActivity", "missing establishment",
       [](P p) {
         auto w = p.initRecordWorkActivity();
         Activity(w, kNew, kChild);
         SetUuid(w.initEstablishmentId(), kMissing);
       },
       kNotFound, "recordWorkActivity.establishmentId"},
      {"recordWorkActivity", "unknown enum value",
       [](P p) {
         auto w = p.initRecordWorkActivity();
         Activity(w, kNew, kChild);
         w.setPayment(static_cast<schema::PaymentKind>(99));
       },
       kInvalid, "recordWorkActivity.payment"},
      // recordRiskAssessment
      {"recordRiskAssessment", "impossible date",
       [](P p) {
         auto r = p.initRecordRiskAssessment();
         SetUuid(r.initId(), kNew);
         SetUuid(r.initChildId(), kChild);
         SetDate(r.initDate(), 2024, 4, 31);
       },
       kInvalid, "recordRiskAssessment.date"},
      {"recordRiskAssessment", "missing child",
       [](P p) {
         auto r = p.initRecordRiskAssessment();
         SetUuid(r.initId(), kNew);
         SetUuid(r.initChildId(), kMissing);
         SetDate(r.initDate(), 2024, 4, 1);
       },
       kNotFound, "recordRiskAssessment.childId"},
      {"recordRiskAssessment", "before birth",
       [](P p) {
         auto r = p.initRecordRiskAssessment();
         SetUuid(r.initId(), kNew);
         SetUuid(r.initChildId(), kChild);
         SetDate(r.initDate(), 2010, 4, 1);
       },
       kInvalid, "recordRiskAssessment.date: before the child's birth date"},
      // caseCommand
      {"caseCommand", "missing child",
       [](P p) {
         auto cc = p.initCaseCommand();
         SetUuid(cc.initCaseId(), kNew);
         auto o = cc.initBody().initOpenCase();
         SetUuid(o.initCaseId(), kNew);
         SetUuid(o.initChildId(), kMissing);
         o.setUnitCode("15865");
       },
       kNotFound, "caseCommand.openCase.childId"},
      {"caseCommand", "unit outside the scope",
       [](P p) {
         auto cc = p.initCaseCommand();
         SetUuid(cc.initCaseId(), kNew);
         auto o = cc.initBody().initOpenCase();
         SetUuid(o.initCaseId(), kNew);
         SetUuid(o.initChildId(), kChild);
         o.setUnitCode("15928");
       },
       kInvalid, "caseCommand.openCase.unitCode"},
      {"caseCommand", "missing case",
       [](P p) {
         auto cc = p.initCaseCommand();
         SetUuid(cc.initCaseId(), kMissing);
         cc.initBody().initForward().setToUnitCode("15928");
       },
       kNotFound, "caseCommand.caseId"},
      {"caseCommand", "malformed unit code",
       [](P p) {
         auto cc = p.initCaseCommand();
         SetUuid(cc.initCaseId(), kCase);
         cc.initBody().initForward().setToUnitCode("abc");
       },
       kInvalid, "caseCommand.forward.toUnitCode"},
      // upsertServiceProvider
      {"upsertServiceProvider", "unit outside the scope",
       [](P p) {
         auto sp = p.initUpsertServiceProvider();
         SetUuid(sp.initId(), kNew);
         sp.setName("Trung tâm");
         sp.setUnitCode("15928");
       },
       kInvalid, "upsertServiceProvider.unitCode"},
      {"upsertServiceProvider", "missing id",
       [](P p) { p.initUpsertServiceProvider().setUnitCode("15865"); }, kInvalid,
       "upsertServiceProvider.id: required"},
      // recordCommunication
      {"recordCommunication", "impossible date",
       [](P p) {
         auto c = p.initRecordCommunication();
         Comm(c, kNew, "15865");
         SetDate(c.getDate(), 2024, 0, 1);
       },
       kInvalid, "recordCommunication.date"},
      {"recordCommunication", "missing participant",
       [](P p) {
         auto c = p.initRecordCommunication();
         Comm(c, kNew, "15865");
         SetUuid(c.initParticipants(1)[0].initPersonId(), kMissing);
       },
       kNotFound, "recordCommunication.participants[0].personId"},
      {"recordCommunication", "unit outside the scope",
       [](P p) { Comm(p.initRecordCommunication(), kNew, "15928"); }, kInvalid,
       "recordCommunication.unitCode"},
      {"recordCommunication", "end before start",
       [](P p) {
         auto c = p.initRecordCommunication();
         Comm(c, kNew, "15865");
         SetDate(c.initEndDate(), 2024, 2, 1);
       },
       kInvalid, "recordCommunication.endDate: before"},
      // recordTraining
      {"recordTraining", "impossible date",
       [](P p) {
         auto t = p.initRecordTraining();
         Training(t, kNew, "15865");
         SetDate(t.getDate(), 2025, 2, 29);
       },
       kInvalid, "recordTraining.date"},
      {"recordTraining", "missing organisation",
       [](P p) {
         auto t = p.initRecordTraining();
         Training(t, kNew, "15865");
         SetUuid(t.initOrganisationIds(1)[0], kMissing);
       },
       kNotFound, "recordTraining.organisationIds[0]"},
      {"recordTraining", "unit outside the scope",
       [](P p) { Training(p.initRecordTraining(), kNew, "15928"); }, kInvalid,
       "recordTraining.unitCode"},
      // recordInspection
      {"recordInspection", "missing establishment",
       [](P p) { Inspection(p.initRecordInspection(), kNew, kMissing); }, kNotFound,
       "recordInspection.establishmentId"},
      {"recordInspection", "in the future",
       [](P p) {
         auto i = p.initRecordInspection();
         Inspection(i, kNew, kEmployer);
         SetDate(i.getDate(), 2030, 1, 1);
       },
       kInvalid, "recordInspection.date: in the future"},
      {"recordInspection", "missing child in a finding",
       [](P p) {
         auto i = p.initRecordInspection();
         Inspection(i, kNew, kEmployer);
         SetUuid(i.initFindings(1)[0].initChildId(), kMissing);
       },
       kNotFound, "recordInspection.findings[0].childId"},
      {"recordInspection", "unit outside the scope",
       [](P p) {
         auto i = p.initRecordInspection();
         Inspection(i, kNew, kEmployer);
         i.setUnitCode("15928");
       },
       kInvalid, "recordInspection.unitCode"},
      // upsertCommitment
      {"upsertCommitment", "missing establishment",
       [](P p) { Commitment(p.initUpsertCommitment(), kNew, kMissing); }, kNotFound,
       "upsertCommitment.establishmentId"},
      {"upsertCommitment", "valid before signed",
       [](P p) {
         auto c = p.initUpsertCommitment();
         Commitment(c, kNew, kEmployer);
         SetDate(c.initValidTo(), 2023, 1, 1);
       },
       kInvalid, "upsertCommitment.validTo"},
      {"upsertCommitment", "impossible date",
       [](P p) {
         auto c = p.initUpsertCommitment();
         Commitment(c, kNew, kEmployer);
         SetDate(c.getSignedOn(), 2024, 6, 31);
       },
       kInvalid, "upsertCommitment.signedOn"},
      {"upsertCommitment", "missing previous commitment",
       [](P p) {
         auto c = p.initUpsertCommitment();
         Commitment(c, kNew, kEmployer);
         SetUuid(c.initPreviousId(), kMissing);
       },
       kNotFound, "upsertCommitment.previousId"},
      // updateCommitmentStatus
      {"updateCommitmentStatus", "missing commitment",
       [](P p) {
         auto u = p.initUpdateCommitmentStatus();
         SetUuid(u.initCommitmentId(), kMissing);
         u.initChange().setStatus(schema::CommitmentStatus::BREACHED);
       },
       kNotFound, "updateCommitmentStatus.commitmentId"},
      {"updateCommitmentStatus", "unknown status",
       [](P p) {
         auto u = p.initUpdateCommitmentStatus();
         SetUuid(u.initCommitmentId(), kCommitment);
         SetDate(u.initChange().initOn(), 2024, 2, 1);
       },
       kInvalid, "updateCommitmentStatus.change.status"},
      {"updateCommitmentStatus", "change before signing",
       [](P p) {
         auto u = p.initUpdateCommitmentStatus();
         SetUuid(u.initCommitmentId(), kCommitment);
         u.initChange().setStatus(schema::CommitmentStatus::BREACHED);
         SetDate(u.getChange().initOn(), 2023, 2, 1);
       },
       kInvalid, "updateCommitmentStatus.change.on"},
      // loadPlan
      {"loadPlan", "unknown indicator",
       [](P p) {
         auto pl = p.initLoadPlan();
         SetUuid(pl.initId(), kNew);
         pl.initTargets(1)[0].setIndicatorId("NOPE");
       },
       kNotFound, "loadPlan.targets[0].indicatorId"},
      {"loadPlan", "percent above 100",
       [](P p) {
         auto pl = p.initLoadPlan();
         SetUuid(pl.initId(), kNew);
         auto t = pl.initTargets(1)[0];
         t.setIndicatorId("P1");
         t.setValue(140);
       },
       kInvalid, "loadPlan.targets[0].value"},
      {"loadPlan", "unit outside the scope",
       [](P p) {
         auto pl = p.initLoadPlan();
         SetUuid(pl.initId(), kNew);
         pl.setIssuingUnitCode("01");
       },
       kInvalid, "loadPlan.issuingUnitCode"},
      // defineIndicator, loadUnits (reference data; the worker may not write them either)
      {"defineIndicator", "missing id", [](P p) { p.initDefineIndicator().setNameVi("x"); },
       kInvalid, "defineIndicator.id: required"},
      {"loadUnits", "missing code", [](P p) { p.initLoadUnits().initUnits(1)[0].setName("Xã A"); },
       kInvalid, "loadUnits.units[0].code: required"},
      // recordConsent
      {"recordConsent", "missing person",
       [](P p) {
         auto rc = p.initRecordConsent();
         SetUuid(rc.initPersonId(), kMissing);
         SetUuid(rc.initConsent().initId(), kNew);
       },
       kNotFound, "recordConsent.personId"},
      {"recordConsent", "withdrawn before given",
       [](P p) {
         auto rc = p.initRecordConsent();
         SetUuid(rc.initPersonId(), kChild);
         SetUuid(rc.initConsent().initId(), kNew);
         SetDate(rc.getConsent().initGivenOn(), 2024, 3, 1);
         SetDate(rc.getConsent().initWithdrawnOn(), 2024, 2, 1);
       },
       kInvalid, "recordConsent.consent.withdrawnOn"},
      {"recordConsent", "impossible date",
       [](P p) {
         auto rc = p.initRecordConsent();
         SetUuid(rc.initPersonId(), kChild);
         SetUuid(rc.initConsent().initId(), kNew);
         SetDate(rc.getConsent().initGivenOn(), 2024, 9, 31);
       },
       kInvalid, "recordConsent.consent.givenOn"},
      // linkHouseholdMember
      {"linkHouseholdMember", "missing household",
       [](P p) {
         auto l = p.initLinkHouseholdMember();
         SetUuid(l.initHouseholdId(), kMissing);
         SetUuid(l.initMember().initPersonId(), kChild);
       },
       kNotFound, "linkHouseholdMember.householdId"},
      {"linkHouseholdMember", "missing person",
       [](P p) {
         auto l = p.initLinkHouseholdMember();
         SetUuid(l.initHouseholdId(), kHouse);
         SetUuid(l.initMember().initPersonId(), kMissing);
       },
       kNotFound, "linkHouseholdMember.member.personId"},
      {"linkHouseholdMember", "ended before it began",
       [](P p) {
         auto l = p.initLinkHouseholdMember();
         SetUuid(l.initHouseholdId(), kHouse);
         SetUuid(l.initMember().initPersonId(), kChild);
         SetDate(l.getMember().initLinkedFrom(), 2024, 3, 1);
         SetDate(l.getMember().initLinkedTo(), 2024, 1, 1);
       },
       kInvalid, "linkHouseholdMember.member.linkedTo"},
      // deleteRecord
      {"deleteRecord", "missing record",
       [](P p) {
         auto d = p.initDeleteRecord();
         d.setKind(RecordKind::PERSON);
         SetUuid(d.initId(), kMissing);
         d.setReason("entered in error");
       },
       kNotFound, "deleteRecord.id"},
      {"deleteRecord", "no reason",
       [](P p) {
         auto d = p.initDeleteRecord();
         d.setKind(RecordKind::WORK_ACTIVITY);
         SetUuid(d.initId(), kWork);
       },
       kInvalid, "deleteRecord.reason: required"},
      {"deleteRecord", "a kind that cannot be deleted",
       [](P p) {
         auto d = p.initDeleteRecord();
         d.setKind(RecordKind::CASE);
         SetUuid(d.initId(), kCase);
         d.setReason("x");
       },
       kInvalid, "deleteRecord.kind"},
      {"deleteRecord", "still referenced",
       [](P p) {
         auto d = p.initDeleteRecord();
         d.setKind(RecordKind::PERSON);
         SetUuid(d.initId(), kChild);
         d.setReason("x");
       },
       kPrecondition, "deleteRecord: the person is still referenced"},
      {"deleteRecord", "unknown kind",
       [](P p) {
         auto d = p.initDeleteRecord();
         d.setKind(static_cast<RecordKind>(200));
         SetUuid(d.initId(), kChild);
         d.setReason("x");
       },
       kInvalid, "deleteRecord.kind"},
      // the envelope: dated ahead of the clock
      {"upsertPerson", "command dated in the future",
       [](P p) { Person(p.initUpsertPerson(), kNew, "15865"); }, kInvalid, "at: in the future",
       kT0 + int64_t{365} * 24 * 3600 * 1000000},
      // payloads only the registry writes
      {"recordAccess", "written by the registry", [](P p) { p.initRecordAccess().setPurpose("x"); },
       kInvalid, "recordAccess"},
      {"initStore", "written by the registry", [](P p) { p.initInitStore(); }, kInvalid,
       "initStore"},
      {"recordMerge", "written by the merge", [](P p) { p.initRecordMerge(); }, kInvalid,
       "recordMerge"},
      // resolveConflict
      {"resolveConflict", "unknown conflict",
       [](P p) {
         auto r = p.initResolveConflict();
         SetUuid(r.initConflictId(), kMissing);
         r.setDecision(schema::ConflictDecision::KEEP_CURRENT);
         r.setReason("x");
       },
       kNotFound, "resolveConflict.conflictId"},
      {"resolveConflict", "missing id", [](P p) { p.initResolveConflict().setReason("x"); },
       kInvalid, "resolveConflict.conflictId: required"},
  };
}

class RegistryBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegistryOptions o;
    o.scope = {"15865"};
    o.sync = store::SyncPolicy::kOff;
    static int64_t now = kT0;
    o.clock = [] { return now += 1000000; };
    auto r = Registry::Create(tmp_.Sub("reg"), o);
    ASSERT_TRUE(r.ok()) << r.status();
    reg_ = *std::move(r);
    Apply([](P p) {
      auto h = p.initUpsertHousehold();
      SetUuid(h.initId(), kHouse);
      h.setCommuneCode("15865");
    });
    Apply([](P p) { Person(p.initUpsertPerson(), kChild, "15865"); });
    Apply([](P p) {
      auto e = p.initUpsertEstablishment();
      SetUuid(e.initId(), kEmployer);
      e.setCommuneCode("15865");
    });
    Apply([](P p) { Activity(p.initRecordWorkActivity(), kWork, kChild); });
    Apply([](P p) { Commitment(p.initUpsertCommitment(), kCommitment, kEmployer); });
    Apply([](P p) {
      auto cc = p.initCaseCommand();
      SetUuid(cc.initCaseId(), kCase);
      auto o = cc.initBody().initOpenCase();
      SetUuid(o.initCaseId(), kCase);
      SetUuid(o.initChildId(), kChild);
      o.setUnitCode("15865");
      o.setKind(schema::CaseKind::CHILD_LABOUR);
      o.setLevel(schema::ProtectionLevel::SUPPORT);
      auto n = o.initNotification();
      n.setSource(schema::NotificationSource::HOTLINE111);
      n.initReceivedAt().setMicros(kT0);
    });
  }
  void Apply(const std::function<void(P)>& fill) {
    Cmd c(kWorker);
    fill(c.payload());
    auto s = reg_->Apply(c.reader());
    ASSERT_TRUE(s.ok()) << s.status();
  }
  std::string State() {
    capnp::MallocMessageBuilder mb;
    auto s = mb.initRoot<schema::Snapshot>();
    EXPECT_TRUE(reg_->Snapshot(s).ok());
    auto c = serde::Canonical<schema::Snapshot>(s.asReader());
    return c.ok() ? *c : std::string();
  }

  TempDir tmp_;
  std::unique_ptr<Registry> reg_;
};

TEST_F(RegistryBadInputTest, EveryCommandTypeRefusesBadInputNamingTheFieldAndChangesNothing) {
  const std::string state = State();
  const uint64_t seq = reg_->last_seq();
  for (const BadCase& tc : Cases()) {
    SCOPED_TRACE(tc.payload + ": " + tc.what);
    Cmd c(tc.payload == "defineIndicator" || tc.payload == "loadUnits" ? kSystem : kWorker);
    tc.fill(c.payload());
    if (tc.at != 0) c.get().initAt().setMicros(tc.at);
    auto s = reg_->Apply(c.reader());
    EXPECT_EQ(s.status().code(), tc.code) << s.status();
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(tc.field));
    EXPECT_THAT(std::string(s.status().message()), ::testing::Not(HasSubstr(kName)));
    EXPECT_EQ(reg_->last_seq(), seq);
    EXPECT_EQ(State(), state);
  }
}

TEST_F(RegistryBadInputTest, EveryCommandTypeHasBadInputCases) {
  std::set<std::string> covered;
  for (const BadCase& tc : Cases()) covered.insert(tc.payload);
  for (auto field : capnp::Schema::from<schema::Command::Payload>().getUnionFields()) {
    const std::string name = field.getProto().getName().cStr();
    if (name == "none") continue;
    EXPECT_TRUE(covered.contains(name)) << "no bad-input case for payload " << name;
  }
}

}  // namespace
}  // namespace treem::registry
