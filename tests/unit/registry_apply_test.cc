// Registry: commands in, durable state out (lib/registry; docs/registry.md). Apply and reopen,
// refusals that change nothing, idempotency, atomic batches, snapshots + journal replay,
// derived classification, cases through the registry.
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicators/columns.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "unit/registry_fixtures.h"
#include "unit/temp_dir.h"

namespace treem::registry {
namespace {

using schema::RecordKind;
using schema::Role;
using ::testing::HasSubstr;

using ::treem::test_util::TempDir;

constexpr int64_t kT0 = int64_t{1718000000} * 1000000;  // 2024-06-10
core::Uuid Id(uint64_t n) {
  return core::Uuid{0x4000000000004000ULL + n, 0x8000000000000000ULL | n};
}

using test_util::SetUuid;
void SetDate(schema::Date::Builder b, int y, int m, int d) {
  b.setYear(static_cast<int16_t>(y));
  b.setMonth(static_cast<uint8_t>(m));
  b.setDay(static_cast<uint8_t>(d));
}

const Actor kWorker{"worker-1", Role::COMMUNE_WORKER, "15865"};
const Actor kChair{"chair-1", Role::COMMUNE_CHAIR, "15865"};
const Actor kOtherWorker{"worker-9", Role::COMMUNE_WORKER, "15928"};
const Actor kAnalyst{"analyst-1", Role::ANALYST, "15865"};
const Actor kAuditor{"auditor-1", Role::AUDITOR, "15865"};
const Actor kSystem{"sys", Role::SYSTEM, ""};

RegistryOptions Options() {
  RegistryOptions o;
  o.scope = {"15865"};
  o.sync = store::SyncPolicy::kOff;
  static int64_t now = kT0;
  o.clock = [] { return now += 1000000; };
  return o;
}

// A command under construction with its envelope filled (the communal worker by default).
class Cmd : public test_util::Cmd {
 public:
  explicit Cmd(const Actor& a = kWorker) : test_util::Cmd(a) {}
};

void FillPerson(schema::Person::Builder p, core::Uuid id, std::string unit, int by, int bm,
                int bd) {
  SetUuid(p.initId(), id);
  p.setFullName("Nguyễn Văn A");
  p.setSex(schema::Sex::MALE);
  SetDate(p.initBirthDate().initDate(), by, bm, bd);
  p.setCommuneCode(unit);
}

void FillActivity(schema::WorkActivity::Builder w, core::Uuid id, core::Uuid child) {
  SetUuid(w.initId(), id);
  SetUuid(w.initChildId(), child);
  SetDate(w.initObservedOn(), 2024, 3, 10);
  w.setJobCode("OTHER");
  w.setHoursPerDay(6);
  w.setHoursPerWeek(30);
  w.setPayment(schema::PaymentKind::PAID);
}

std::unique_ptr<Registry> MustCreate(const std::string& dir, const RegistryOptions& o = Options()) {
  auto r = Registry::Create(dir, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : nullptr;
}
std::unique_ptr<Registry> MustOpen(const std::string& dir, const RegistryOptions& o = Options()) {
  auto r = Registry::Open(dir, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : nullptr;
}

uint64_t MustApply(Registry& r, Cmd& c) {
  auto s = r.Apply(c.reader());
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? s->seq : 0;
}

uint64_t AddPerson(Registry& r, core::Uuid id, std::string unit = "15865", int year = 2012) {
  Cmd c;
  FillPerson(c.payload().initUpsertPerson(), id, unit, year, 5, 1);
  return MustApply(r, c);
}

// The canonical bytes of the whole state.
std::string StateBytes(const Registry& r) {
  capnp::MallocMessageBuilder mb;
  auto s = mb.initRoot<schema::Snapshot>();
  EXPECT_TRUE(r.Snapshot(s).ok());
  auto c = serde::Canonical<schema::Snapshot>(s.asReader());
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : std::string();
}

TEST(RegistryApplyTest, CreateApplyReopenRoundTrip) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  std::string before;
  {
    auto r = MustCreate(dir);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->scope(), std::vector<std::string>{"15865"});
    AddPerson(*r, Id(1));
    Cmd w;
    FillActivity(w.payload().initRecordWorkActivity(), Id(2), Id(1));
    MustApply(*r, w);
    EXPECT_EQ(r->Count(RecordKind::PERSON), 1u);
    EXPECT_EQ(r->Count(RecordKind::WORK_ACTIVITY), 1u);
    before = StateBytes(*r);
  }
  auto r = MustOpen(dir);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(StateBytes(*r), before);
  auto json = r->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("Nguyễn Văn A"));
  EXPECT_THAT(*json, HasSubstr("\"communeCode\":\"15865\""));
  // Create refuses a folder that already holds a store.
  EXPECT_EQ(Registry::Create(dir, Options()).status().code(), absl::StatusCode::kUnavailable)
      << "the open registry holds the lock";
  r.reset();
  EXPECT_EQ(Registry::Create(dir, Options()).status().code(), absl::StatusCode::kAlreadyExists);
  // Opening with another scope is refused.
  RegistryOptions other = Options();
  other.scope = {"15928"};
  EXPECT_EQ(Registry::Open(dir, other).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RegistryApplyTest, RefusedCommandsChangeNothingAndNameTheField) {
  TempDir tmp;
  auto r = MustCreate(tmp.Sub("reg"));
  ASSERT_NE(r, nullptr);
  AddPerson(*r, Id(1));
  const std::string state = StateBytes(*r);
  const uint64_t seq = r->last_seq();

  struct Case {
    std::string what;
    std::function<void(Cmd&)> fill;
    absl::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"unknown child",
       [](Cmd& c) { FillActivity(c.payload().initRecordWorkActivity(), Id(2), Id(77)); },
       absl::StatusCode::kNotFound, "recordWorkActivity.childId: no such person record"},
      {"impossible date",
       [](Cmd& c) {
         auto p = c.payload().initUpsertPerson();
         FillPerson(p, Id(3), "15865", 2012, 1, 1);
         SetDate(p.getBirthDate().getDate(), 2023, 2, 29);
       },
       absl::StatusCode::kInvalidArgument, "upsertPerson.birthDate.date"},
      {"unknown enum value",
       [](Cmd& c) {
         auto p = c.payload().initUpsertPerson();
         FillPerson(p, Id(3), "15865", 2012, 1, 1);
         p.setSex(static_cast<schema::Sex>(42));
       },
       absl::StatusCode::kInvalidArgument, "upsertPerson.sex: unknown value 42"},
      {"birth after the activity",
       [](Cmd& c) {
         auto w = c.payload().initRecordWorkActivity();
         FillActivity(w, Id(2), Id(1));
         SetDate(w.getObservedOn(), 2011, 1, 1);
       },
       absl::StatusCode::kInvalidArgument, "recordWorkActivity"},
      {"unit outside the scope",
       [](Cmd& c) { FillPerson(c.payload().initUpsertPerson(), Id(3), "15928", 2012, 1, 1); },
       absl::StatusCode::kInvalidArgument, "upsertPerson.communeCode: unit '15928' is outside"},
      {"missing id", [](Cmd& c) { c.payload().initUpsertEstablishment().setCommuneCode("15865"); },
       absl::StatusCode::kInvalidArgument, "upsertEstablishment.id: required"},
      {"no payload", [](Cmd&) {}, absl::StatusCode::kInvalidArgument, "payload: no change"},
      {"no source",
       [](Cmd& c) {
         FillPerson(c.payload().initUpsertPerson(), Id(3), "15865", 2012, 1, 1);
         c.get().setSource(schema::DataSource::UNKNOWN);
       },
       absl::StatusCode::kInvalidArgument, "source: required"},
      {"negative hours",
       [](Cmd& c) {
         auto w = c.payload().initRecordWorkActivity();
         FillActivity(w, Id(2), Id(1));
         w.setHoursPerWeek(-3);
       },
       absl::StatusCode::kInvalidArgument, "hoursPerWeek"},
      {"registry-only payload", [](Cmd& c) { c.payload().initRecordAccess().setPurpose("x"); },
       absl::StatusCode::kInvalidArgument, "recordAccess is written by the registry only"},
  };
  for (auto& tc : cases) {
    Cmd c;
    tc.fill(c);
    auto s = r->Apply(c.reader());
    EXPECT_EQ(s.status().code(), tc.code) << tc.what << ": " << s.status();
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(tc.message)) << tc.what;
    EXPECT_THAT(std::string(s.status().message()), ::testing::Not(HasSubstr("Nguyễn"))) << tc.what;
    EXPECT_EQ(r->last_seq(), seq) << tc.what;
    EXPECT_EQ(StateBytes(*r), state) << tc.what;
  }
}

TEST(RegistryApplyTest, ReapplyingACommandIdIsAcknowledgedNotRepeated) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  auto r = MustCreate(dir);
  ASSERT_NE(r, nullptr);
  Cmd c;
  SetUuid(c.get().initCommandId(), Id(500));
  FillPerson(c.payload().initUpsertPerson(), Id(1), "15865", 2012, 1, 1);
  auto first = r->Apply(c.reader());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->duplicate);
  const std::string state = StateBytes(*r);
  // A retried submission, even with other content, is acknowledged with the first seq.
  c.get().getPayload().getUpsertPerson().setFullName("changed");
  auto again = r->Apply(c.reader());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(StateBytes(*r), state);
  // Still so after a checkpoint (the journal holding it is compacted away) and a reopen.
  ASSERT_TRUE(r->Checkpoint().ok());
  r.reset();
  r = MustOpen(dir);
  ASSERT_NE(r, nullptr);
  auto third = r->Apply(c.reader());
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->duplicate);
  EXPECT_EQ(third->seq, first->seq);
}

TEST(RegistryApplyTest, AtomicBatchIsAllOrNothing) {
  TempDir tmp;
  auto r = MustCreate(tmp.Sub("reg"));
  ASSERT_NE(r, nullptr);
  const std::string state = StateBytes(*r);
  const uint64_t seq = r->last_seq();
  Cmd a, b, bad;
  FillPerson(a.payload().initUpsertPerson(), Id(1), "15865", 2012, 1, 1);
  FillActivity(b.payload().initRecordWorkActivity(), Id(2), Id(1));  // needs a's child
  FillActivity(bad.payload().initRecordWorkActivity(), Id(3), Id(99));
  std::vector<schema::Command::Reader> cmds{a.reader(), b.reader(), bad.reader()};
  auto s = r->ApplyBatch(cmds);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("command 2"));
  EXPECT_EQ(r->last_seq(), seq);
  EXPECT_EQ(StateBytes(*r), state);
  EXPECT_EQ(r->Count(RecordKind::PERSON), 0u);

  cmds.pop_back();
  auto ok = r->ApplyBatch(cmds);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, seq + 1) << "one journal entry for the batch";
  EXPECT_EQ(r->Count(RecordKind::PERSON), 1u);
  EXPECT_EQ(r->Count(RecordKind::WORK_ACTIVITY), 1u);

  // Not atomic: the commands before the refused one stay.
  Cmd c, d;
  FillPerson(c.payload().initUpsertPerson(), Id(4), "15865", 2012, 1, 1);
  FillActivity(d.payload().initRecordWorkActivity(), Id(5), Id(98));
  std::vector<schema::Command::Reader> loose{c.reader(), d.reader()};
  EXPECT_FALSE(r->ApplyBatch(loose, /*atomic=*/false).ok());
  EXPECT_EQ(r->Count(RecordKind::PERSON), 2u);
}

TEST(RegistryApplyTest, SnapshotPlusJournalReplayGivesTheSameState) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  std::string live;
  {
    auto r = MustCreate(dir);
    ASSERT_NE(r, nullptr);
    AddPerson(*r, Id(1));
    Cmd w;
    FillActivity(w.payload().initRecordWorkActivity(), Id(2), Id(1));
    MustApply(*r, w);
    ASSERT_TRUE(r->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
    auto covered = r->Checkpoint();
    ASSERT_TRUE(covered.ok()) << covered.status();
    EXPECT_EQ(*covered, r->last_seq());
    AddPerson(*r, Id(3));
    Cmd consent;
    auto rc = consent.payload().initRecordConsent();
    SetUuid(rc.initPersonId(), Id(3));
    SetUuid(rc.initConsent().initId(), Id(30));
    rc.getConsent().setPurpose(schema::ConsentPurpose::DATA_PROCESSING);
    MustApply(*r, consent);
    live = StateBytes(*r);
  }
  auto r = MustOpen(dir);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(StateBytes(*r), live);
  EXPECT_EQ(r->Count(RecordKind::PERSON), 2u);
  // A checkpoint of the reopened registry, reopened again, is still the same state.
  ASSERT_TRUE(r->Checkpoint().ok());
  r.reset();
  r = MustOpen(dir);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(StateBytes(*r), live);
}

TEST(RegistryApplyTest, WorkActivitiesAreClassifiedWithTheirRuleSet) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  auto r = MustCreate(dir);
  ASSERT_NE(r, nullptr);
  AddPerson(*r, Id(1), "15865", 2012);  // 11 on 2024-03-10
  Cmd w;
  FillActivity(w.payload().initRecordWorkActivity(), Id(2), Id(1));
  MustApply(*r, w);
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<schema::ActivityClassification>();
  ASSERT_TRUE(r->Classification(kWorker, Id(2), c).ok());
  auto legal = c.asReader().getResult().getLegal();
  EXPECT_GE(static_cast<int>(legal.getOutcome()),
            static_cast<int>(schema::ClassificationOutcome::CHILD_LABOUR));
  EXPECT_GT(legal.getRuleSet().getId().size(), 0u);
  EXPECT_GT(legal.getRuleSet().getVersion().size(), 0u);
  EXPECT_EQ(c.getResult().getAge().getAge(), 11);

  // Correcting the birth date reclassifies the child's activities.
  AddPerson(*r, Id(1), "15865", 2010);
  capnp::MallocMessageBuilder mb2;
  auto c2 = mb2.initRoot<schema::ActivityClassification>();
  ASSERT_TRUE(r->Classification(kWorker, Id(2), c2).ok());
  EXPECT_EQ(c2.getResult().getAge().getAge(), 13);
  EXPECT_GT(c2.getSeq(), c.getSeq());
  // A birth date making the person an adult on the activity date leaves it unclassified, and
  // recording a new activity of an adult is refused.
  AddPerson(*r, Id(3), "15865", 2001);
  Cmd adult;
  FillActivity(adult.payload().initRecordWorkActivity(), Id(4), Id(3));
  EXPECT_EQ(r->Apply(adult.reader()).status().code(), absl::StatusCode::kInvalidArgument);
  Cmd w2;
  FillActivity(w2.payload().initRecordWorkActivity(), Id(5), Id(1));
  MustApply(*r, w2);
  AddPerson(*r, Id(1), "15865", 2001);
  capnp::MallocMessageBuilder mb3;
  EXPECT_EQ(
      r->Classification(kWorker, Id(5), mb3.initRoot<schema::ActivityClassification>()).code(),
      absl::StatusCode::kNotFound);
  AddPerson(*r, Id(1), "15865", 2010);
  const std::string state = StateBytes(*r);
  r.reset();
  r = MustOpen(dir);  // replay reuses the stored derived facts
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(StateBytes(*r), state);

  capnp::MallocMessageBuilder vb;
  auto v = vb.initRoot<schema::ChildVerdict>();
  ASSERT_TRUE(
      r->ChildVerdict(kWorker, Id(1), core::Date(2024, 1, 1), core::Date(2024, 12, 31), v).ok());
  EXPECT_EQ(v.getActivitiesConsidered(), 2u);  // activities 2 and 5 of child 1
}

TEST(RegistryApplyTest, CasesSurviveCheckpointsAndAnswerDeadlines) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  auto r = MustCreate(dir);
  ASSERT_NE(r, nullptr);
  AddPerson(*r, Id(1));
  const int64_t received = kT0 - int64_t{48} * 3600 * 1000000;
  auto step = [&](int64_t at, std::function<void(schema::CaseCommand::Body::Builder)> fill) {
    Cmd c;
    c.get().initAt().setMicros(at);
    auto cc = c.payload().initCaseCommand();
    SetUuid(cc.initCaseId(), Id(10));
    cc.setReason("test");
    fill(cc.initBody());
    return r->Apply(c.reader());
  };
  auto open = step(received, [&](auto b) {
    auto o = b.initOpenCase();
    SetUuid(o.initCaseId(), Id(10));
    SetUuid(o.initChildId(), Id(1));
    o.setUnitCode("15865");
    o.setKind(schema::CaseKind::CHILD_LABOUR);
    o.setLevel(schema::ProtectionLevel::SUPPORT);
    auto n = o.initNotification();
    n.setSource(schema::NotificationSource::HOTLINE111);
    n.initReceivedAt().setMicros(received);
  });
  ASSERT_TRUE(open.ok()) << open.status();
  auto initial = step(received + 3600 * int64_t{1000000}, [&](auto b) {
    auto a = b.initInitialAssessment().initAssessment();
    a.setEmergencyNeeded(true);
    a.setSeriousHarm(true);
    a.setLevel(schema::ProtectionLevel::INTERVENTION);
  });
  ASSERT_TRUE(initial.ok()) << initial.status();
  ASSERT_TRUE(r->Checkpoint().ok());
  r.reset();
  r = MustOpen(dir);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->Count(RecordKind::CASE), 1u);

  auto due = [&](const Actor& a) {
    capnp::MallocMessageBuilder qm, om;
    auto q = qm.initRoot<schema::DeadlineQuery>();
    q.initAt().setMicros(kT0);
    q.setIncludeOverdue(true);
    q.setIncludeDueSoon(true);
    q.setIncludeLater(true);
    auto out = om.initRoot<schema::DeadlineReport>();
    absl::Status s = r->Due(a, q.asReader(), out);
    EXPECT_TRUE(s.ok()) << s;
    return out.getOverdueCount() + out.getDueSoonCount() + out.getLaterCount();
  };
  EXPECT_GE(due(kWorker), 1u) << "the 12-hour emergency decision is overdue";
  EXPECT_EQ(due(kOtherWorker), 0u) << "another commune sees none of these cases";

  // The case book keeps working after the reopen: an illegal step is refused, a legal one kept.
  auto illegal = step(kT0, [&](auto b) { b.initApprovePlan().setDecisionRef("x"); });
  EXPECT_EQ(illegal.status().code(), absl::StatusCode::kFailedPrecondition) << illegal.status();
  auto emergency = step(kT0, [&](auto b) { b.initStartEmergency().setMeasures("stopped"); });
  ASSERT_TRUE(emergency.ok()) << emergency.status();
  auto json = r->Get(kWorker, RecordKind::CASE, Id(10), serde::Format::kJson);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"state\":\"emergency\""));
}

TEST(RegistryApplyTest, PlanTargetsAreChecked) {
  TempDir tmp;
  auto r = MustCreate(tmp.Sub("reg"));
  ASSERT_NE(r, nullptr);
  Cmd def(kSystem);
  auto d = def.payload().initDefineIndicator();
  d.setId("P3");
  d.setUnit(schema::IndicatorUnit::PERCENT);
  MustApply(*r, def);
  auto plan = [&](double value) {
    Cmd c(kChair);
    auto p = c.payload().initLoadPlan();
    SetUuid(p.initId(), Id(40));
    p.setIssuingUnitCode("15865");
    auto t = p.initTargets(1)[0];
    t.setIndicatorId("P3");
    t.setValue(value);
    return r->Apply(c.reader());
  };
  auto over = plan(120);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(over.status().message()),
              HasSubstr("loadPlan.targets[0].value: 120 is above 100"));
  EXPECT_TRUE(plan(100).ok());
  // A commune worker may not define indicators (national data).
  Cmd w(kWorker);
  w.payload().initDefineIndicator().setId("P9");
  EXPECT_EQ(r->Apply(w.reader()).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(RegistryApplyTest, ReadOnlyRegistriesRefuseWritesAndPersonalReads) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  {
    auto r = MustCreate(dir);
    ASSERT_NE(r, nullptr);
    AddPerson(*r, Id(1));
  }
  RegistryOptions o = Options();
  o.read_only = true;
  auto r = MustOpen(dir, o);
  ASSERT_NE(r, nullptr);
  Cmd c;
  FillPerson(c.payload().initUpsertPerson(), Id(2), "15865", 2012, 1, 1);
  EXPECT_EQ(r->Apply(c.reader()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r->Count(RecordKind::PERSON), 1u);
}

TEST(RegistryApplyTest, ExportAndImportCarryTheWholeState) {
  TempDir tmp;
  auto a = MustCreate(tmp.Sub("a"));
  ASSERT_NE(a, nullptr);
  AddPerson(*a, Id(1));
  Cmd w;
  FillActivity(w.payload().initRecordWorkActivity(), Id(2), Id(1));
  MustApply(*a, w);
  auto bytes = a->ExportSnapshot(kChair, serde::Format::kCapnp);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(a->ExportSnapshot(kAnalyst, serde::Format::kCapnp).status().code(),
            absl::StatusCode::kPermissionDenied);

  auto b = MustCreate(tmp.Sub("b"));
  ASSERT_NE(b, nullptr);
  capnp::MallocMessageBuilder mb;
  ASSERT_TRUE(serde::DecodeInto<schema::Snapshot>(*bytes, serde::Format::kCapnp, mb).ok());
  absl::Status s = b->ImportSnapshot(kChair, mb.getRoot<schema::Snapshot>().asReader());
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(b->Count(RecordKind::PERSON), 1u);
  EXPECT_EQ(b->Count(RecordKind::WORK_ACTIVITY), 1u);
  auto pa = a->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson);
  auto pb = b->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson);
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_EQ(*pa, *pb);
  // Only into an empty registry.
  EXPECT_EQ(b->ImportSnapshot(kChair, mb.getRoot<schema::Snapshot>().asReader()).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace treem::registry

namespace treem::registry {
namespace {

// A re-imported survey list (upserts without consents or members) keeps the consents and
// household memberships recorded since: an upsert adds or updates them, never erases them.
TEST(RegistryApplyTest, UpsertsKeepHeldConsentsAndMemberships) {
  TempDir tmp;
  auto reg = MustCreate(tmp.Sub("reg"));
  const core::Uuid child = Id(1), house = Id(2), consent = Id(3), consent2 = Id(4);
  AddPerson(*reg, child);
  {
    Cmd h;
    auto hh = h.payload().initUpsertHousehold();
    SetUuid(hh.initId(), house);
    hh.setCommuneCode("15865");
    MustApply(*reg, h);
  }
  {
    Cmd link;
    auto l = link.payload().initLinkHouseholdMember();
    SetUuid(l.initHouseholdId(), house);
    SetUuid(l.initMember().initPersonId(), child);
    SetDate(l.getMember().initLinkedFrom(), 2020, 1, 1);
    MustApply(*reg, link);
  }
  {
    Cmd c;
    auto rc = c.payload().initRecordConsent();
    SetUuid(rc.initPersonId(), child);
    SetUuid(rc.initConsent().initId(), consent);
    SetDate(rc.getConsent().initGivenOn(), 2024, 1, 5);
    MustApply(*reg, c);
  }
  // The survey list again: same person (a new name spelling) and household, no consents or
  // members; plus one consent given in the upsert itself.
  {
    Cmd again;
    auto p = again.payload().initUpsertPerson();
    FillPerson(p, child, "15865", 2012, 5, 1);
    p.setFullName("Nguyễn Văn Á");
    SetUuid(p.initConsents(1)[0].initId(), consent2);
    MustApply(*reg, again);
    Cmd h;
    auto hh = h.payload().initUpsertHousehold();
    SetUuid(hh.initId(), house);
    hh.setCommuneCode("15865");
    hh.setAddress("thôn 3");
    MustApply(*reg, h);
  }
  capnp::MallocMessageBuilder pm, hm;
  auto pb = reg->Get(kSystem, RecordKind::PERSON, child, serde::Format::kCapnp);
  ASSERT_TRUE(pb.ok()) << pb.status();
  ASSERT_TRUE(serde::DecodeInto<schema::Person>(*pb, serde::Format::kCapnp, pm).ok());
  auto person = pm.getRoot<schema::Person>();
  EXPECT_EQ(std::string(person.getFullName().cStr()), "Nguyễn Văn Á");
  ASSERT_EQ(person.getConsents().size(), 2u);
  EXPECT_EQ(person.getConsents()[0].getId().getLo(), consent2.lo);  // the given ones first
  EXPECT_EQ(person.getConsents()[1].getId().getLo(), consent.lo);   // then the held ones
  auto hb = reg->Get(kSystem, RecordKind::HOUSEHOLD, house, serde::Format::kCapnp);
  ASSERT_TRUE(hb.ok()) << hb.status();
  ASSERT_TRUE(serde::DecodeInto<schema::Household>(*hb, serde::Format::kCapnp, hm).ok());
  auto household = hm.getRoot<schema::Household>();
  EXPECT_EQ(std::string(household.getAddress().cStr()), "thôn 3");
  ASSERT_EQ(household.getMembers().size(), 1u);
  EXPECT_EQ(household.getMembers()[0].getPersonId().getLo(), child.lo);
  // Replay gives the same state.
  const std::string state = StateBytes(*reg);
  reg.reset();
  reg = MustOpen(tmp.Sub("reg"));
  EXPECT_EQ(StateBytes(*reg), state);
}

// A snapshot import is all or nothing: a bad record anywhere commits nothing, whether the
// import fits one journal entry or is validated first and then committed in chunks.
TEST(RegistryApplyTest, SnapshotImportIsAllOrNothing) {
  TempDir tmp;
  auto a = MustCreate(tmp.Sub("a"));
  for (uint64_t n = 1; n <= 30; ++n) AddPerson(*a, Id(n));
  capnp::MallocMessageBuilder mb;
  auto snap = mb.initRoot<schema::Snapshot>();
  ASSERT_TRUE(a->Snapshot(snap).ok());
  // The 20th person is dated in the future: the import must refuse it and keep nothing.
  auto bad = snap.getPersons()[19].getBirthDate().getDate();
  bad.setYear(2099);
  for (size_t entry_bytes : {size_t{48} << 20, size_t{64}}) {
    RegistryOptions o = Options();
    o.import_entry_bytes = entry_bytes;  // 64: validated first, then chunks
    const std::string dir = tmp.Sub(absl::StrCat("b", entry_bytes));
    auto b = MustCreate(dir, o);
    const uint64_t before = b->last_seq();
    absl::Status s = b->ImportSnapshot(kChair, snap.asReader());
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(std::string(s.message()), HasSubstr("upsertPerson.birthDate.date"));
    EXPECT_EQ(b->Count(RecordKind::PERSON), 0u);
    EXPECT_EQ(b->last_seq(), before);
    // Fixed, it imports (in chunks too) and matches the source.
    bad.setYear(2012);
    ASSERT_TRUE(b->ImportSnapshot(kChair, snap.asReader()).ok());
    EXPECT_EQ(b->Count(RecordKind::PERSON), 30u);
    bad.setYear(2099);
    b.reset();
    auto reopened = MustOpen(dir, o);
    EXPECT_EQ(reopened->Count(RecordKind::PERSON), 30u);
  }
}

// Indicator data of a register: cached until data changes (reads do not count), written as a
// column file beside each snapshot and read back after reopen when nothing changed since.
TEST(RegistryApplyTest, IndicatorDataIsCachedAndPersistedWithTheSnapshot) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  auto reg = MustCreate(dir);
  AddPerson(*reg, Id(1));
  AddPerson(*reg, Id(2));
  const core::AdminUnits units;
  auto first = reg->IndicatorData(units);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->person_count(), 2u);
  ASSERT_TRUE(reg->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());  // a read
  auto again = reg->IndicatorData(units);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), first->get());  // same cached columns
  AddPerson(*reg, Id(3));
  auto changed = reg->IndicatorData(units);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ((*changed)->person_count(), 3u);

  auto seq = reg->Checkpoint();
  ASSERT_TRUE(seq.ok()) << seq.status();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("columns-", 0) == 0) files.push_back(e.path().string());
  }
  ASSERT_EQ(files.size(), 1u);
  // Mark the file, so that reading it (and not rebuilding) shows.
  uint64_t covers = 0;
  auto on_disk = indicators::ReadColumns(files[0], units, &covers);
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_EQ(covers, *seq);
  EXPECT_EQ(on_disk->person_count(), 3u);
  on_disk->stats.notes.push_back("from the column file");
  ASSERT_TRUE(indicators::WriteColumns(*on_disk, covers, files[0]).ok());
  reg.reset();
  reg = MustOpen(dir);
  auto reopened = reg->IndicatorData(units);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->person_count(), 3u);
  EXPECT_THAT((*reopened)->stats.notes, ::testing::Contains("from the column file"));
  // A change after the snapshot: the file is stale and the columns are rebuilt.
  AddPerson(*reg, Id(4));
  auto rebuilt = reg->IndicatorData(units);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ((*rebuilt)->person_count(), 4u);
  EXPECT_THAT((*rebuilt)->stats.notes, ::testing::Not(::testing::Contains("from the column file")));
  // A damaged column file is a cache miss, not an error.
  ASSERT_TRUE(reg->Checkpoint().ok());
  reg.reset();
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("columns-", 0) == 0) {
      std::filesystem::resize_file(e.path(), 100);
    }
  }
  reg = MustOpen(dir);
  auto recovered = reg->IndicatorData(units);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ((*recovered)->person_count(), 4u);
}

}  // namespace
}  // namespace treem::registry
