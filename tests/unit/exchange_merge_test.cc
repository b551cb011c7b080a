#include <string>
#include <vector>

#include "capnp/message.h"
#include "core/ids.h"
#include "exchange/merge.h"
#include "gtest/gtest.h"
#include "serde/codec.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/people.capnp.h"

namespace treem::exchange {
namespace {

namespace s = ::treem::schema;

const core::Uuid kStoreA = core::NameUuid("store-a");
const core::Uuid kStoreB = core::NameUuid("store-b");
const core::Uuid kChild1 = core::NameUuid("child-1");
const core::Uuid kChild2 = core::NameUuid("child-2");
const core::Uuid kChild3 = core::NameUuid("child-3");
const core::Uuid kHouse = core::NameUuid("household-1");

void Set(s::Uuid::Builder b, const core::Uuid& id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}
core::Uuid Id(s::Uuid::Reader u) { return core::Uuid{u.getHi(), u.getLo()}; }

struct PersonSpec {
  core::Uuid id;
  const char* name;
  uint8_t grade;
};

// A commune snapshot of `store` at `seq` with the given persons and one household.
class SnapshotMsg {
 public:
  SnapshotMsg(const core::Uuid& store, uint64_t seq, const std::vector<PersonSpec>& persons,
              bool with_household = true) {
    auto snap = message_.initRoot<s::Snapshot>();
    auto header = snap.initHeader();
    Set(header.initStoreId(), store);
    header.setLastSeq(seq);
    header.setFormatVersion(s::FORMAT_VERSION);
    header.setMinReaderVersion(1);
    auto list = snap.initPersons(static_cast<unsigned>(persons.size()));
    for (unsigned i = 0; i < persons.size(); ++i) {
      Set(list[i].initId(), persons[i].id);
      list[i].setFullName(persons[i].name);
      list[i].initSchool().setGrade(persons[i].grade);
    }
    if (with_household) {
      auto h = snap.initHouseholds(1)[0];
      Set(h.initId(), kHouse);
      h.setCommuneCode("15928");
    }
  }
  s::Snapshot::Builder root() { return message_.getRoot<s::Snapshot>(); }
  s::Snapshot::Reader reader() { return message_.getRoot<s::Snapshot>().asReader(); }

 private:
  capnp::MallocMessageBuilder message_;
};

MergeOptions Options() {
  MergeOptions o;
  o.actor_user_id = "province-officer-1";
  o.actor_unit_code = "38";
  o.at_micros = 1000;
  return o;
}

TEST(ExchangeMergeTest, FirstImportAppliesEveryRecordAndReimportIsIdempotent) {
  MergeState state;
  SnapshotMsg snap(kStoreA, 10, {{kChild1, "Nguyễn Văn An", 5}, {kChild2, "Lê Thị Hoa", 6}});
  auto plan = MergeSnapshot(state, snap.reader(), Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  auto cmds = plan->commands().getCommands();
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_TRUE(cmds[0].getPayload().isUpsertHousehold());
  ASSERT_TRUE(cmds[1].getPayload().isUpsertPerson());
  EXPECT_EQ(Id(cmds[1].getPayload().getUpsertPerson().getId()), kChild1);
  EXPECT_EQ(std::string(cmds[1].getPayload().getUpsertPerson().getFullName().cStr()),
            "Nguyễn Văn An");
  EXPECT_EQ(cmds[1].getSource(), s::DataSource::MERGE);
  EXPECT_EQ(cmds[1].getActor().getRole(), s::Role::PROVINCE_OFFICER);
  EXPECT_EQ(std::string(cmds[1].getNote().cStr()),
            "merge: store " + core::ToString(kStoreA) + " seq 10");
  EXPECT_TRUE(plan->conflicts.empty());
  EXPECT_EQ(plan->stats.applied, 3u);

  // The same plan twice has the same command ids (a repeat for the store).
  auto again = MergeSnapshot(state, snap.reader(), Options());
  ASSERT_TRUE(again.ok());
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(Id(again->commands().getCommands()[i].getCommandId()), Id(cmds[i].getCommandId()));
  }

  ApplyPlan(state, *plan);
  EXPECT_EQ(state.records.size(), 3u);
  auto reimport = MergeSnapshot(state, snap.reader(), Options());
  ASSERT_TRUE(reimport.ok());
  EXPECT_EQ(reimport->commands().getCommands().size(), 0u);
  EXPECT_EQ(reimport->stats.unchanged, 3u);
  EXPECT_TRUE(reimport->conflicts.empty());
}

TEST(ExchangeMergeTest, LaterVersionFromTheSameStoreReplacesAndOlderIsStale) {
  MergeState state;
  SnapshotMsg v10(kStoreA, 10, {{kChild1, "An", 5}});
  ApplyPlan(state, *MergeSnapshot(state, v10.reader(), Options()));

  SnapshotMsg v20(kStoreA, 20, {{kChild1, "An", 6}});
  auto plan = MergeSnapshot(state, v20.reader(), Options());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->commands().getCommands().size(), 1u);
  EXPECT_EQ(plan->commands().getCommands()[0].getPayload().getUpsertPerson().getSchool().getGrade(),
            6);
  EXPECT_EQ(plan->stats.unchanged, 1u);  // the household
  ApplyPlan(state, *plan);
  EXPECT_EQ(state.records.at(RecordKey{s::RecordKind::PERSON, kChild1}).seq, 20u);

  SnapshotMsg v5(kStoreA, 5, {{kChild1, "An", 4}});
  auto stale = MergeSnapshot(state, v5.reader(), Options());
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->commands().getCommands().size(), 0u);
  EXPECT_EQ(stale->stats.stale, 1u);
  EXPECT_TRUE(stale->conflicts.empty());
}

TEST(ExchangeMergeTest, SameRecordChangedInTwoStoresIsAConflictNeverOverwritten) {
  MergeState state;
  SnapshotMsg a(kStoreA, 10, {{kChild1, "An", 5}, {kChild2, "Hoa", 3}});
  ApplyPlan(state, *MergeSnapshot(state, a.reader(), Options()));

  // Store B changed child 1 (grade 7), has child 2 unchanged, and a new child 3.
  SnapshotMsg b(kStoreB, 4, {{kChild1, "An", 7}, {kChild2, "Hoa", 3}, {kChild3, "Mai", 1}},
                /*with_household=*/false);
  auto plan = MergeSnapshot(state, b.reader(), Options());
  ASSERT_TRUE(plan.ok());
  // Non-conflicting: the new record is applied, the equal one is unchanged.
  auto cmds = plan->commands().getCommands();
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(Id(cmds[0].getPayload().getUpsertPerson().getId()), kChild3);
  EXPECT_EQ(plan->stats.unchanged, 1u);

  ASSERT_EQ(plan->conflicts.size(), 1u);
  const Conflict& c = plan->conflicts[0];
  EXPECT_EQ(c.key.kind, s::RecordKind::PERSON);
  EXPECT_EQ(c.key.id, kChild1);
  EXPECT_EQ(c.reason, s::MergeConflictReason::DIVERGENT_VERSIONS);
  EXPECT_EQ(c.current.origin, kStoreA);
  EXPECT_EQ(c.current.seq, 10u);
  EXPECT_EQ(c.incoming_origin, kStoreB);
  EXPECT_EQ(c.incoming_seq, 4u);
  EXPECT_EQ(c.current.canonical, *serde::Canonical<s::Person>(a.reader().getPersons()[0]));
  EXPECT_EQ(c.incoming_canonical, *serde::Canonical<s::Person>(b.reader().getPersons()[0]));

  // As a message for review.
  capnp::MallocMessageBuilder m;
  plan->ToConflictList(m.initRoot<s::MergeConflictList>(), 77);
  auto list = m.getRoot<s::MergeConflictList>().asReader().getConflicts();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(Id(list[0].getIncomingOrigin()), kStoreB);
  EXPECT_EQ(list[0].getIncomingCanonical().size(), c.incoming_canonical.size());
  EXPECT_EQ(list[0].getDetectedAt().getMicros(), 77);

  // The province keeps store A's version; re-importing B reports nothing new.
  ApplyPlan(state, *plan);
  EXPECT_EQ(state.records.at(RecordKey{s::RecordKind::PERSON, kChild1}).origin, kStoreA);
  auto again = MergeSnapshot(state, b.reader(), Options());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->conflicts.empty());
  EXPECT_EQ(again->stats.known_conflicts, 1u);
  EXPECT_EQ(again->commands().getCommands().size(), 0u);
}

// Journal entries of `store`, seqs from `first_seq`.
class Journal {
 public:
  s::Command::Builder Add(const core::Uuid& store, uint64_t seq) {
    auto e = orphans_.emplace_back(message_.getOrphanage().newOrphan<s::JournalEntry>()).get();
    e.setFormatVersion(s::FORMAT_VERSION);
    e.setMinReaderVersion(1);
    Set(e.initStoreId(), store);
    auto c = e.initCommand();
    c.setSeq(seq);
    return c;
  }
  std::vector<s::JournalEntry::Reader> entries() {
    std::vector<s::JournalEntry::Reader> out;
    for (auto& o : orphans_) out.push_back(o.getReader());
    return out;
  }

 private:
  capnp::MallocMessageBuilder message_;
  std::vector<capnp::Orphan<s::JournalEntry>> orphans_;
};

TEST(ExchangeMergeTest, JournalSegmentsAreAppliedOnceAndForeignOperationsConflict) {
  MergeState state;
  Journal j;
  auto p = j.Add(kStoreA, 1).initPayload().initUpsertPerson();
  Set(p.initId(), kChild1);
  p.setFullName("An");
  auto link = j.Add(kStoreA, 2).initPayload().initLinkHouseholdMember();
  Set(link.initHouseholdId(), kHouse);
  Set(link.initMember().initPersonId(), kChild1);
  auto entries = j.entries();
  auto plan = MergeJournal(state, entries, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  auto cmds = plan->commands().getCommands();
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_TRUE(cmds[0].getPayload().isUpsertPerson());
  EXPECT_TRUE(cmds[1].getPayload().isLinkHouseholdMember());
  EXPECT_EQ(Id(cmds[1].getPayload().getLinkHouseholdMember().getMember().getPersonId()), kChild1);
  EXPECT_NE(Id(cmds[0].getCommandId()), Id(cmds[1].getCommandId()));
  ApplyPlan(state, *plan);
  EXPECT_EQ(state.imported_seq.at(kStoreA), 2u);

  auto reimport = MergeJournal(state, entries, Options());
  ASSERT_TRUE(reimport.ok());
  EXPECT_EQ(reimport->commands().getCommands().size(), 0u);
  EXPECT_EQ(reimport->stats.already_imported, 2u);

  // Store B: a consent on A's person (conflict), a deletion of A's household (conflict) and
  // a new person of its own (applied).
  Journal jb;
  auto consent = jb.Add(kStoreB, 1).initPayload().initRecordConsent();
  Set(consent.initPersonId(), kChild1);
  auto del = jb.Add(kStoreB, 2).initPayload().initDeleteRecord();
  del.setKind(s::RecordKind::HOUSEHOLD);
  Set(del.initId(), kHouse);
  auto own = jb.Add(kStoreB, 3).initPayload().initUpsertPerson();
  Set(own.initId(), kChild3);
  auto bplan = MergeJournal(state, jb.entries(), Options());
  ASSERT_TRUE(bplan.ok());
  ASSERT_EQ(bplan->commands().getCommands().size(), 1u);
  EXPECT_EQ(Id(bplan->commands().getCommands()[0].getPayload().getUpsertPerson().getId()), kChild3);
  ASSERT_EQ(bplan->conflicts.size(), 2u);
  EXPECT_EQ(bplan->conflicts[0].reason, s::MergeConflictReason::FOREIGN_OPERATION);
  EXPECT_EQ(bplan->conflicts[0].key.kind, s::RecordKind::PERSON);
  EXPECT_EQ(bplan->conflicts[1].reason, s::MergeConflictReason::FOREIGN_DELETE);
  EXPECT_EQ(bplan->conflicts[1].key.id, kHouse);
  EXPECT_FALSE(bplan->conflicts[1].incoming_canonical.empty());
}

TEST(ExchangeMergeTest, RefusesUnknownPayloadsAndNewerFormats) {
  MergeState state;
  Journal j;
  j.Add(kStoreA, 1);  // payload none
  auto plan = MergeJournal(state, j.entries(), Options());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().message(),
            "journal entry 0: command payload is empty or unknown to this release");

  SnapshotMsg snap(kStoreA, 1, {});
  snap.root().getHeader().setMinReaderVersion(s::FORMAT_VERSION + 1);
  EXPECT_EQ(MergeSnapshot(state, snap.reader(), Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  SnapshotMsg anonymous(core::Uuid{}, 1, {});
  EXPECT_EQ(MergeSnapshot(state, anonymous.reader(), Options()).status().message(),
            "snapshot: header.storeId is not set");
}

TEST(ExchangeMergeTest, SnapshotCasesAreComparedButListedAsUnapplied) {
  MergeState state;
  SnapshotMsg snap(kStoreA, 3, {});
  auto c = snap.root().initCases(1)[0];
  Set(c.initId(), kChild2);
  auto plan = MergeSnapshot(state, snap.reader(), Options());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->unapplied.size(), 1u);
  EXPECT_EQ(plan->unapplied[0].kind, s::RecordKind::CASE);
  EXPECT_EQ(plan->commands().getCommands().size(), 1u);  // the household only
}

TEST(ExchangeMergeTest, NoteCommandRecordsTheProvincesOwnChanges) {
  MergeState state;
  const core::Uuid province = core::NameUuid("province-store");
  capnp::MallocMessageBuilder m;
  auto cmd = m.initRoot<s::Command>();
  cmd.setSeq(4);
  auto p = cmd.initPayload().initUpsertPerson();
  Set(p.initId(), kChild1);
  p.setFullName("An (province)");
  ASSERT_TRUE(NoteCommand(state, province, cmd.asReader()).ok());
  EXPECT_EQ(TargetOf(cmd.asReader())->id, kChild1);

  SnapshotMsg a(kStoreA, 10, {{kChild1, "An", 5}}, false);
  auto plan = MergeSnapshot(state, a.reader(), Options());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->conflicts.size(), 1u);
  EXPECT_EQ(plan->conflicts[0].current.origin, province);
  EXPECT_EQ(plan->conflicts[0].current.canonical, *serde::Canonical<s::Person>(p.asReader()));
}

}  // namespace
}  // namespace treem::exchange
