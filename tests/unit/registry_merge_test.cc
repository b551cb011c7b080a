// Province merge through the registry (lib/registry; docs/exchange.md section 3): commune
// snapshots and journal segments merged into a province register, conflicts journaled and
// kept for review across reopen and compaction, resolution by a province officer, idempotent
// re-merges, refusals.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/people.capnp.h"
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

constexpr int64_t kT0 = int64_t{1718000000} * 1000000;  // 2024-06-10

core::Uuid Id(uint64_t n) {
  return core::Uuid{0x4000000000004000ULL + n, 0x8000000000000000ULL | n};
}
core::Uuid IdOf(schema::Uuid::Reader r) { return core::Uuid{r.getHi(), r.getLo()}; }

const Actor kWorkerA{"worker-a", Role::COMMUNE_WORKER, "15865"};
const Actor kWorkerB{"worker-b", Role::COMMUNE_WORKER, "15001"};
const Actor kProvince{"prov-1", Role::PROVINCE_OFFICER, "38"};
const Actor kOtherProvince{"prov-2", Role::PROVINCE_OFFICER, "01"};
const Actor kProvinceWorker{"worker-p", Role::COMMUNE_WORKER, "15865"};
const Actor kSystem{"sys", Role::SYSTEM, ""};

RegistryOptions Options(std::vector<std::string> scope) {
  RegistryOptions o;
  o.scope = std::move(scope);
  o.sync = store::SyncPolicy::kOff;
  static int64_t now = kT0;
  o.clock = [] { return now += 1000000; };
  return o;
}

absl::Status Person(Registry& r, const Actor& by, core::Uuid id, const std::string& unit,
                    const std::string& name, int grade) {
  Cmd c(by);
  auto p = c.payload().initUpsertPerson();
  SetUuid(p.initId(), id);
  p.setFullName(name);
  p.setCommuneCode(unit);
  auto bd = p.initBirthDate().initDate();
  bd.setYear(2012);
  bd.setMonth(5);
  bd.setDay(1);
  p.initSchool().setGrade(static_cast<uint8_t>(grade));
  return r.Apply(c.reader()).status();
}

std::string State(const Registry& r) {
  capnp::MallocMessageBuilder mb;
  auto s = mb.initRoot<schema::Snapshot>();
  EXPECT_TRUE(r.Snapshot(s).ok());
  // The header's instant and the audit are compared too: replay must rebuild everything.
  auto c = serde::Canonical<schema::Snapshot>(s.asReader());
  return c.ok() ? *c : std::string();
}

int GradeOf(Registry& r, core::Uuid id) {
  auto bytes = r.Get(kSystem, RecordKind::PERSON, id, serde::Format::kCapnp);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return -1;
  capnp::MallocMessageBuilder mb;
  EXPECT_TRUE(serde::DecodeInto<schema::Person>(*bytes, serde::Format::kCapnp, mb).ok());
  return mb.getRoot<schema::Person>().getSchool().getGrade();
}

class RegistryMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = Make(tmp_.Sub("a"), {"15865"});
    b_ = Make(tmp_.Sub("b"), {"15001"});
    province_dir_ = tmp_.Sub("p");
    p_ = Make(province_dir_, {"38"});
    ASSERT_TRUE(test_util::LoadTwoCommunes(*p_).ok());
  }

  static std::unique_ptr<Registry> Make(const std::string& dir, std::vector<std::string> scope) {
    auto r = Registry::Create(dir, Options(std::move(scope)));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : nullptr;
  }
  void ReopenProvince() {
    p_.reset();
    auto r = Registry::Open(province_dir_, Options({"38"}));
    ASSERT_TRUE(r.ok()) << r.status();
    p_ = *std::move(r);
  }

  // Merges the current snapshot of `from` into the province.
  absl::Status MergeSnapshotOf(Registry& from, schema::MergeRecord::Builder out,
                               const Actor& actor = kProvince) {
    capnp::MallocMessageBuilder mb;
    auto s = mb.initRoot<schema::Snapshot>();
    EXPECT_TRUE(from.Snapshot(s).ok());
    return p_->MergeSnapshot(actor, s.asReader(), out);
  }
  absl::Status MergeJournalOf(Registry& from, const Actor& exporter,
                              schema::MergeRecord::Builder out, uint64_t from_seq = 1) {
    capnp::MallocMessageBuilder mb;
    auto seg = mb.initRoot<schema::JournalSegment>();
    absl::Status s = from.ExportJournal(exporter, from_seq, seg);
    if (!s.ok()) return s;
    return p_->MergeJournal(kProvince, seg.asReader(), out);
  }
  std::vector<std::pair<core::Uuid, schema::ConflictStatus>> Conflicts(bool open_only) {
    capnp::MallocMessageBuilder mb;
    auto l = mb.initRoot<schema::ConflictList>();
    absl::Status s = p_->Conflicts(kProvince, open_only, l);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::pair<core::Uuid, schema::ConflictStatus>> out;
    for (auto c : l.getConflicts()) out.emplace_back(IdOf(c.getId()), c.getStatus());
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<Registry> a_, b_, p_;
  std::string province_dir_;
};

TEST_F(RegistryMergeTest, SnapshotMergeAppliesAndReMergingChangesNothing) {
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 5).ok());
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(2), "15865", "Lê Thị B", 6).ok());
  ASSERT_TRUE(Person(*b_, kWorkerB, Id(3), "15001", "Trần Văn C", 7).ok());

  capnp::MallocMessageBuilder m1;
  auto r1 = m1.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r1).ok());
  EXPECT_EQ(r1.getApplied(), 2u);
  EXPECT_GT(r1.getSeq(), 0u);
  EXPECT_EQ(r1.getConflicts().size(), 0u);
  capnp::MallocMessageBuilder m2;
  auto r2 = m2.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*b_, r2).ok());
  EXPECT_EQ(r2.getApplied(), 1u);
  EXPECT_EQ(p_->Count(RecordKind::PERSON), 3u);
  EXPECT_EQ(GradeOf(*p_, Id(1)), 5);

  // Re-merge: nothing to commit, nothing journaled.
  const uint64_t before = p_->last_seq();
  capnp::MallocMessageBuilder m3;
  auto r3 = m3.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r3).ok());
  EXPECT_EQ(r3.getApplied(), 0u);
  EXPECT_EQ(r3.getUnchanged(), 2u);
  EXPECT_EQ(r3.getSeq(), 0u);
  EXPECT_EQ(p_->last_seq(), before);

  // The commune's later change replaces the province's copy.
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 6).ok());
  capnp::MallocMessageBuilder m4;
  auto r4 = m4.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r4).ok());
  EXPECT_EQ(r4.getApplied(), 1u);
  EXPECT_EQ(r4.getConflicts().size(), 0u);
  EXPECT_EQ(GradeOf(*p_, Id(1)), 6);

  // History: the merged change names the province officer, source merge.
  capnp::MallocMessageBuilder hm;
  auto h = hm.initRoot<schema::RecordHistory>();
  ASSERT_TRUE(p_->History(kSystem, RecordKind::PERSON, Id(1), h).ok());
  bool merged = false;
  for (auto e : h.getEntries()) {
    if (e.getSource() == schema::DataSource::MERGE &&
        std::string(e.getChange().cStr()) == "upsertPerson")
      merged = true;
  }
  EXPECT_TRUE(merged);
}

TEST_F(RegistryMergeTest, SameRecordChangedInTwoPlacesIsAConflictKeptForReview) {
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 5).ok());
  capnp::MallocMessageBuilder m1;
  ASSERT_TRUE(MergeSnapshotOf(*a_, m1.initRoot<schema::MergeRecord>()).ok());
  // The province corrects the grade; the commune changes it differently.
  ASSERT_TRUE(Person(*p_, kProvince, Id(1), "15865", "Nguyễn Văn A", 7).ok());
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 6).ok());

  capnp::MallocMessageBuilder m2;
  auto r2 = m2.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r2).ok());
  EXPECT_EQ(r2.getApplied(), 0u);
  ASSERT_EQ(r2.getConflicts().size(), 1u);
  auto c = r2.getConflicts()[0];
  EXPECT_EQ(c.getKind(), RecordKind::PERSON);
  EXPECT_EQ(IdOf(c.getRecordId()), Id(1));
  EXPECT_EQ(c.getReason(), schema::ConflictReason::DIVERGENT_VERSIONS);
  EXPECT_EQ(IdOf(c.getCurrent().getStoreId()), p_->store_id());
  EXPECT_EQ(IdOf(c.getIncoming().getStoreId()), a_->store_id());
  EXPECT_GT(c.getCurrentCanonical().size(), 0u);
  EXPECT_GT(c.getIncomingCanonical().size(), 0u);
  EXPECT_EQ(c.getDetectedSeq(), r2.getSeq());
  EXPECT_EQ(GradeOf(*p_, Id(1)), 7);  // never overwritten

  // Found again: known, not recorded twice, nothing committed.
  capnp::MallocMessageBuilder m3;
  auto r3 = m3.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r3).ok());
  EXPECT_EQ(r3.getConflicts().size(), 0u);
  EXPECT_EQ(r3.getKnownConflicts(), 1u);
  EXPECT_EQ(r3.getSeq(), 0u);
  ASSERT_EQ(Conflicts(true).size(), 1u);

  // The conflict survives reopen (journal replay) and compaction (snapshot).
  const std::string state = State(*p_);
  ReopenProvince();
  EXPECT_EQ(State(*p_), state);
  ASSERT_TRUE(p_->Checkpoint().ok());
  ReopenProvince();
  EXPECT_EQ(State(*p_), state);
  ASSERT_EQ(Conflicts(true).size(), 1u);
  capnp::MallocMessageBuilder m4;
  auto r4 = m4.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r4).ok());
  EXPECT_EQ(r4.getKnownConflicts(), 1u);
  EXPECT_EQ(r4.getSeq(), 0u);
}

TEST_F(RegistryMergeTest, ResolvingAConflictTakesOrKeepsAVersionAndIsJournaled) {
  for (uint64_t n : {1, 2}) {
    ASSERT_TRUE(Person(*a_, kWorkerA, Id(n), "15865", "Nguyễn Văn A", 5).ok());
  }
  capnp::MallocMessageBuilder m1;
  ASSERT_TRUE(MergeSnapshotOf(*a_, m1.initRoot<schema::MergeRecord>()).ok());
  for (uint64_t n : {1, 2}) {
    ASSERT_TRUE(Person(*p_, kProvince, Id(n), "15865", "Nguyễn Văn A", 9).ok());
    ASSERT_TRUE(Person(*a_, kWorkerA, Id(n), "15865", "Nguyễn Văn A", 6).ok());
  }
  capnp::MallocMessageBuilder m2;
  auto r2 = m2.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r2).ok());
  ASSERT_EQ(r2.getConflicts().size(), 2u);
  core::Uuid take, keep;
  for (auto c : r2.getConflicts()) {
    (IdOf(c.getRecordId()) == Id(1) ? take : keep) = IdOf(c.getId());
  }

  // Refusals: wrong role, missing reason, unknown id; nothing changes.
  auto denied = p_->ResolveConflict(kProvinceWorker, take, schema::ConflictDecision::TAKE_INCOMING,
                                    "commune is right");
  EXPECT_TRUE(absl::IsPermissionDenied(denied.status())) << denied.status();
  auto other = p_->ResolveConflict(kOtherProvince, take, schema::ConflictDecision::TAKE_INCOMING,
                                   "commune is right");
  EXPECT_TRUE(absl::IsPermissionDenied(other.status())) << other.status();
  auto no_reason =
      p_->ResolveConflict(kProvince, take, schema::ConflictDecision::TAKE_INCOMING, "");
  EXPECT_THAT(std::string(no_reason.status().message()), HasSubstr("resolveConflict.reason"));
  auto no_decision = p_->ResolveConflict(kProvince, take, schema::ConflictDecision::UNKNOWN, "x");
  EXPECT_THAT(std::string(no_decision.status().message()), HasSubstr("resolveConflict.decision"));
  auto unknown =
      p_->ResolveConflict(kProvince, Id(99), schema::ConflictDecision::KEEP_CURRENT, "x");
  EXPECT_TRUE(absl::IsNotFound(unknown.status())) << unknown.status();
  EXPECT_EQ(Conflicts(true).size(), 2u);

  auto took = p_->ResolveConflict(kProvince, take, schema::ConflictDecision::TAKE_INCOMING,
                                  "the commune checked the school register");
  ASSERT_TRUE(took.ok()) << took.status();
  ASSERT_TRUE(
      p_->ResolveConflict(kProvince, keep, schema::ConflictDecision::KEEP_CURRENT, "verified")
          .ok());
  EXPECT_EQ(GradeOf(*p_, Id(1)), 6);  // the commune's version
  EXPECT_EQ(GradeOf(*p_, Id(2)), 9);  // the province's
  auto again = p_->ResolveConflict(kProvince, keep, schema::ConflictDecision::TAKE_INCOMING, "x");
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_TRUE(Conflicts(true).empty());
  auto all = Conflicts(false);
  ASSERT_EQ(all.size(), 2u);
  for (const auto& [id, status] : all) {
    EXPECT_EQ(status, id == take ? schema::ConflictStatus::TOOK_INCOMING
                                 : schema::ConflictStatus::KEPT_CURRENT);
  }

  // Replay rebuilds the same state; re-merging finds nothing new (the taken version is the
  // commune's, the kept conflict is known).
  const std::string state = State(*p_);
  ReopenProvince();
  EXPECT_EQ(State(*p_), state);
  capnp::MallocMessageBuilder m3;
  auto r3 = m3.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r3).ok());
  EXPECT_EQ(r3.getSeq(), 0u);
  EXPECT_EQ(r3.getConflicts().size(), 0u);

  // The commune's next change of the taken record applies again (same origin, later seq).
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 7).ok());
  capnp::MallocMessageBuilder m4;
  auto r4 = m4.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeSnapshotOf(*a_, r4).ok());
  EXPECT_EQ(r4.getApplied(), 1u);
  EXPECT_EQ(GradeOf(*p_, Id(1)), 7);
}

TEST_F(RegistryMergeTest, JournalSegmentsMergeOnceIncludingBatchesAndOperations) {
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 5).ok());
  {  // an atomic batch: two persons in one entry
    Cmd c1(kWorkerA), c2(kWorkerA);
    for (auto [c, n] : {std::pair{&c1, 2}, std::pair{&c2, 3}}) {
      auto p = c->payload().initUpsertPerson();
      SetUuid(p.initId(), Id(static_cast<uint64_t>(n)));
      p.setCommuneCode("15865");
    }
    std::vector<schema::Command::Reader> v{c1.reader(), c2.reader()};
    ASSERT_TRUE(a_->ApplyBatch(v, true).ok());
  }
  {  // an operation: a consent on person 1
    Cmd c(kWorkerA);
    auto rc = c.payload().initRecordConsent();
    SetUuid(rc.initPersonId(), Id(1));
    SetUuid(rc.initConsent().initId(), Id(50));
    ASSERT_TRUE(a_->Apply(c.reader()).ok());
  }
  // A read is journaled at the commune; merging skips it.
  ASSERT_TRUE(a_->Get(kWorkerA, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());

  capnp::MallocMessageBuilder m1;
  auto r1 = m1.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, r1).ok());
  EXPECT_EQ(r1.getApplied(), 4u);  // 3 upserts + the consent
  EXPECT_GT(r1.getSkipped(), 0u);  // initStore, recordAccess
  ASSERT_EQ(r1.getOrigins().size(), 1u);
  EXPECT_EQ(IdOf(r1.getOrigins()[0].getStoreId()), a_->store_id());
  EXPECT_EQ(p_->Count(RecordKind::PERSON), 3u);
  {
    auto bytes = p_->Get(kSystem, RecordKind::PERSON, Id(1), serde::Format::kCapnp);
    ASSERT_TRUE(bytes.ok());
    capnp::MallocMessageBuilder mb;
    ASSERT_TRUE(serde::DecodeInto<schema::Person>(*bytes, serde::Format::kCapnp, mb).ok());
    EXPECT_EQ(mb.getRoot<schema::Person>().getConsents().size(), 1u);
  }

  // The same segment again: every entry already imported; nothing committed.
  capnp::MallocMessageBuilder m2;
  auto r2 = m2.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, r2).ok());
  EXPECT_EQ(r2.getApplied(), 0u);
  EXPECT_GT(r2.getAlreadyImported(), 0u);
  // (the export itself is journaled at the commune, so one new bookkeeping entry is seen)
  EXPECT_EQ(p_->Count(RecordKind::PERSON), 3u);

  // The imported seq survives compaction of the province journal.
  ASSERT_TRUE(p_->Checkpoint().ok());
  ReopenProvince();
  capnp::MallocMessageBuilder m3;
  auto r3 = m3.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, r3).ok());
  EXPECT_EQ(r3.getApplied(), 0u);

  // A compacted commune journal cannot be exported from seq 1.
  ASSERT_TRUE(a_->Checkpoint().ok());
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(4), "15865", "Phạm D", 3).ok());
  capnp::MallocMessageBuilder m4;
  auto seg = m4.initRoot<schema::JournalSegment>();
  absl::Status s = a_->ExportJournal(kWorkerA, 1, seg);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("snapshot"));
  // From the seq after the checkpoint it works and the new person arrives.
  capnp::MallocMessageBuilder m5;
  auto r5 = m5.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, r5, a_->last_seq() - 1).ok());
  EXPECT_EQ(p_->Count(RecordKind::PERSON), 4u);
}

TEST_F(RegistryMergeTest, ForeignOperationOnAProvinceEditedRecordIsAConflict) {
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 5).ok());
  capnp::MallocMessageBuilder m1;
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, m1.initRoot<schema::MergeRecord>()).ok());
  ASSERT_TRUE(Person(*p_, kProvince, Id(1), "15865", "Nguyễn Văn A", 8).ok());
  Cmd c(kWorkerA);
  auto rc = c.payload().initRecordConsent();
  SetUuid(rc.initPersonId(), Id(1));
  SetUuid(rc.initConsent().initId(), Id(50));
  ASSERT_TRUE(a_->Apply(c.reader()).ok());
  capnp::MallocMessageBuilder m2;
  auto r2 = m2.initRoot<schema::MergeRecord>();
  ASSERT_TRUE(MergeJournalOf(*a_, kWorkerA, r2).ok());
  ASSERT_EQ(r2.getConflicts().size(), 1u);
  EXPECT_EQ(r2.getConflicts()[0].getReason(), schema::ConflictReason::FOREIGN_OPERATION);
  // Taking the incoming operation applies the consent on top of the province's version.
  auto took = p_->ResolveConflict(kProvince, IdOf(r2.getConflicts()[0].getId()),
                                  schema::ConflictDecision::TAKE_INCOMING, "consent is valid");
  ASSERT_TRUE(took.ok()) << took.status();
  EXPECT_EQ(GradeOf(*p_, Id(1)), 8);
  auto bytes = p_->Get(kSystem, RecordKind::PERSON, Id(1), serde::Format::kCapnp);
  ASSERT_TRUE(bytes.ok());
  capnp::MallocMessageBuilder mb;
  ASSERT_TRUE(serde::DecodeInto<schema::Person>(*bytes, serde::Format::kCapnp, mb).ok());
  EXPECT_EQ(mb.getRoot<schema::Person>().getConsents().size(), 1u);
  const std::string state = State(*p_);
  ReopenProvince();
  EXPECT_EQ(State(*p_), state);
}

TEST_F(RegistryMergeTest, MergesAreRefusedForOtherRolesOwnDataAndDeidentifiedSnapshots) {
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(1), "15865", "Nguyễn Văn A", 5).ok());
  capnp::MallocMessageBuilder m;
  auto out = m.initRoot<schema::MergeRecord>();
  absl::Status s = MergeSnapshotOf(*a_, out, kProvinceWorker);
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  s = MergeSnapshotOf(*a_, out, kOtherProvince);
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  // Its own snapshot.
  s = MergeSnapshotOf(*p_, out);
  EXPECT_THAT(std::string(s.message()), HasSubstr("this store's own"));
  // A de-identified snapshot.
  capnp::MallocMessageBuilder mb;
  auto snap = mb.initRoot<schema::Snapshot>();
  ASSERT_TRUE(a_->Snapshot(snap).ok());
  snap.getHeader().setDeidentified(true);
  s = p_->MergeSnapshot(kProvince, snap.asReader(), out);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  // A commune record outside the province's scope fails the whole merge; nothing changes.
  ASSERT_TRUE(Person(*a_, kWorkerA, Id(2), "15865", "X", 1).ok());
  capnp::MallocMessageBuilder mx;
  auto bad = mx.initRoot<schema::Snapshot>();
  ASSERT_TRUE(a_->Snapshot(bad).ok());
  bad.getPersons()[1].setCommuneCode("00004");
  const uint64_t before = p_->last_seq();
  s = p_->MergeSnapshot(kProvince, bad.asReader(), out);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("upsertPerson.communeCode"));
  EXPECT_EQ(p_->Count(RecordKind::PERSON), 0u);
  // Only the refusals above were journaled (as recordAccess), no merge.
  EXPECT_GE(p_->last_seq(), before);
  // A journal refusal: commune worker exporting another commune's journal.
  capnp::MallocMessageBuilder ms;
  EXPECT_TRUE(absl::IsPermissionDenied(
      a_->ExportJournal(kWorkerB, 1, ms.initRoot<schema::JournalSegment>())));
  // Callers cannot forge merge bookkeeping.
  Cmd forged(kProvince);
  forged.payload().initRecordMerge();
  EXPECT_THAT(std::string(p_->Apply(forged.reader()).status().message()), HasSubstr("recordMerge"));
  Cmd forged2(kProvince);
  auto p = forged2.payload().initUpsertPerson();
  SetUuid(p.initId(), Id(7));
  p.setCommuneCode("15865");
  SetUuid(forged2.get().initMergedFrom().initStoreId(), Id(100));
  EXPECT_THAT(std::string(p_->Apply(forged2.reader()).status().message()), HasSubstr("mergedFrom"));
}

}  // namespace
}  // namespace treem::registry
