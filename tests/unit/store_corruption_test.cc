// Truncation and bit flips at every offset of a journal segment and of a snapshot: each must
// give either a torn-tail drop (only at the end) or kDataLoss naming file and offset, never a
// crash, wrong data or silent loss.
#include <map>

#include "fault_fs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/crc32c.h"
#include "store/engine.h"
#include "store/journal.h"
#include "store/snapshot_file.h"

namespace treem::store {
namespace {

using testing::Bytes;
using ::testing::HasSubstr;
using testing::MemFs;
using testing::PayloadFor;
using testing::ReadAll;

constexpr char kDir[] = "/s";
constexpr char kSeg[] = "/s/journal-000001.tlog";
constexpr uint64_t kRecords = 12;

StoreOptions Options(MemFs* fs) {
  StoreOptions o;
  o.fs = fs;
  o.sync = SyncPolicy::kFull;
  o.sync_interval_ms = 0;
  return o;
}

// Files of a store with kRecords records (and a snapshot covering `snapshot_seq` if > 0).
std::map<std::string, std::string> MakeStore(uint64_t snapshot_seq) {
  MemFs fs;
  auto e = *StoreEngine::Open(kDir, Options(&fs));
  for (uint64_t seq = 1; seq <= kRecords; ++seq)
    EXPECT_TRUE(e->Append(Bytes(PayloadFor(seq))).ok());
  if (snapshot_seq > 0) {
    EXPECT_TRUE(e->WriteSnapshot(Bytes(std::string(100, 's')), snapshot_seq).ok());
  }
  EXPECT_TRUE(e->Close().ok());
  std::map<std::string, std::string> files;
  const std::vector<std::string> names = *fs.ListDir(kDir);
  for (const std::string& name : names) files[name] = *fs.Contents(JoinPath(kDir, name));
  return files;
}

// Offsets of the frames in the first segment, computed from the payload sizes.
std::vector<uint64_t> FrameOffsets() {
  std::vector<uint64_t> offs;
  uint64_t off = kSegmentHeaderSize;
  for (uint64_t seq = 1; seq <= kRecords; ++seq) {
    offs.push_back(off);
    off += FrameSize(PayloadFor(seq).size());
  }
  offs.push_back(off);  // end
  return offs;
}

uint32_t Crc32cForTest(const std::string& s) { return Crc32c(s.data(), s.size()); }

struct Outcome {
  absl::Status status;
  uint64_t records = 0;  // readable records, all checked against PayloadFor
  std::optional<Damage> torn;
  bool payloads_ok = true;
};

Outcome OpenWith(const std::map<std::string, std::string>& files, bool read_only = false,
                 bool salvage = false) {
  MemFs fs;
  (void)fs.MakeDir(kDir);
  for (const auto& [name, data] : files) fs.SetContents(JoinPath(kDir, name), data);
  StoreOptions o = Options(&fs);
  o.read_only = read_only;
  o.salvage = salvage;
  absl::StatusOr<std::unique_ptr<StoreEngine>> e = StoreEngine::Open(kDir, o);
  Outcome out;
  out.status = e.status();
  if (!e.ok()) return out;
  out.torn = (*e)->recovery_report().torn_tail;
  const uint64_t first = (*e)->first_journal_seq();
  for (const auto& [seq, payload] : ReadAll(**e, first)) {
    if (seq == 0 || payload != PayloadFor(seq)) out.payloads_ok = false;
  }
  out.records = (*e)->last_seq();
  if (!read_only) {
    // The repaired store takes new records and keeps them.
    absl::StatusOr<uint64_t> next = (*e)->Append(Bytes(PayloadFor(out.records + 1)));
    if (!next.ok() || *next != out.records + 1) out.payloads_ok = false;
  }
  return out;
}

TEST(StoreCorruptionTest, IntactStoreOpens) {
  const Outcome o = OpenWith(MakeStore(0));
  ASSERT_TRUE(o.status.ok()) << o.status;
  EXPECT_EQ(o.records, kRecords);
  EXPECT_FALSE(o.torn.has_value());
  EXPECT_TRUE(o.payloads_ok);
}

TEST(StoreCorruptionTest, BitFlipAtEveryJournalOffset) {
  const auto files = MakeStore(0);
  const std::string seg = files.at("journal-000001.tlog");
  const std::vector<uint64_t> offs = FrameOffsets();
  ASSERT_EQ(offs.back(), seg.size());
  for (uint64_t at = 0; at < seg.size(); ++at) {
    auto bad = files;
    bad["journal-000001.tlog"][at] ^= static_cast<char>(1 << (at % 8));
    const Outcome o = OpenWith(bad);
    SCOPED_TRACE(absl::StrCat("flip at ", at));
    ASSERT_TRUE(o.payloads_ok);
    if (at < kSegmentHeaderSize) {  // segment header
      EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(o.status.message(), HasSubstr("journal-000001.tlog at offset 0: segment header"));
      continue;
    }
    // Which frame holds the byte: its header (crc, length, seq, synced seq), payload or padding.
    size_t k = 0;
    while (offs[k + 1] <= at) ++k;
    if (k + 1 == kRecords) {  // the final frame: a torn tail, dropped and reported
      ASSERT_TRUE(o.status.ok()) << o.status;
      EXPECT_EQ(o.records, kRecords - 1);
      ASSERT_TRUE(o.torn.has_value());
      EXPECT_EQ(o.torn->file, "journal-000001.tlog");
      EXPECT_EQ(o.torn->offset, offs[k]);
    } else {  // damage followed by valid records written after it was synced
      EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(o.status.message(),
                  HasSubstr(absl::StrCat("journal-000001.tlog at offset ", offs[k], ": ")));
      EXPECT_THAT(o.status.message(), HasSubstr("not a torn tail"));
    }
  }
}

TEST(StoreCorruptionTest, TruncationAtEveryJournalLength) {
  const auto files = MakeStore(0);
  const std::string seg = files.at("journal-000001.tlog");
  const std::vector<uint64_t> offs = FrameOffsets();
  for (uint64_t len = 0; len < seg.size(); ++len) {
    auto bad = files;
    bad["journal-000001.tlog"].resize(len);
    const Outcome o = OpenWith(bad);
    SCOPED_TRACE(absl::StrCat("length ", len));
    ASSERT_TRUE(o.payloads_ok);
    if (len < kSegmentHeaderSize) {
      // Indistinguishable from a segment whose creation was interrupted: removed, reported.
      ASSERT_TRUE(o.status.ok()) << o.status;
      EXPECT_EQ(o.records, 0u);
      continue;
    }
    ASSERT_TRUE(o.status.ok()) << o.status;
    uint64_t whole = 0;  // frames entirely before len
    while (whole < kRecords && offs[whole + 1] <= len) ++whole;
    EXPECT_EQ(o.records, whole);
    EXPECT_EQ(o.torn.has_value(), len != offs[whole]);
    if (o.torn.has_value()) {
      EXPECT_EQ(o.torn->offset, offs[whole]);
    }
  }
}

TEST(StoreCorruptionTest, GarbageAppendedAfterTheLastFrameIsATornTail) {
  auto files = MakeStore(0);
  files["journal-000001.tlog"] += std::string(100, '\0');
  Outcome o = OpenWith(files);
  ASSERT_TRUE(o.status.ok()) << o.status;
  EXPECT_EQ(o.records, kRecords);
  ASSERT_TRUE(o.torn.has_value());
  EXPECT_EQ(o.torn->offset, FrameOffsets().back());
}

TEST(StoreCorruptionTest, SalvageReadsUpToTheDamage) {
  auto files = MakeStore(0);
  const std::vector<uint64_t> offs = FrameOffsets();
  files["journal-000001.tlog"][offs[5] + 30] ^= 0x40;  // payload of record 6
  EXPECT_EQ(OpenWith(files).status.code(), absl::StatusCode::kDataLoss);

  MemFs fs;
  (void)fs.MakeDir(kDir);
  for (const auto& [name, data] : files) fs.SetContents(JoinPath(kDir, name), data);
  StoreOptions o = Options(&fs);
  o.read_only = true;
  o.salvage = true;
  auto e = StoreEngine::Open(kDir, o);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->last_seq(), 5u);
  ASSERT_EQ((*e)->recovery_report().damage.size(), 1u);
  EXPECT_EQ((*e)->recovery_report().damage[0].file, "journal-000001.tlog");
  EXPECT_EQ((*e)->recovery_report().damage[0].offset, offs[5]);
  const auto recs = ReadAll(**e, 1);
  ASSERT_EQ(recs.size(), 5u);
  for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(recs[i].second, PayloadFor(i + 1));
  // Salvage never writes: the damaged bytes are still there for forensics.
  EXPECT_EQ(*fs.Contents(kSeg), files["journal-000001.tlog"]);
}

TEST(StoreCorruptionTest, MissingMiddleSegmentIsDataLoss) {
  MemFs fs;
  StoreOptions o = Options(&fs);
  o.segment_size_limit = 4096;
  {
    auto e = *StoreEngine::Open(kDir, o);
    for (uint64_t seq = 1; seq <= 200; ++seq) ASSERT_TRUE(e->Append(Bytes(PayloadFor(seq))).ok());
    ASSERT_TRUE(e->Close().ok());
  }
  ASSERT_TRUE(fs.Remove("/s/journal-000002.tlog").ok());
  const auto e = StoreEngine::Open(kDir, o);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(e.status().message(), HasSubstr("journal-000003.tlog at offset 16: first seq"));
  EXPECT_THAT(e.status().message(), HasSubstr("a segment is missing"));
}

TEST(StoreCorruptionTest, EveryDamageToTheSnapshotIsDataLoss) {
  const auto files = MakeStore(7);
  const std::string name = SnapshotFileName(7);
  const std::string snap = files.at(name);
  ASSERT_EQ(snap.size(), kSnapshotHeaderSize + 100);
  {
    const Outcome o = OpenWith(files);
    ASSERT_TRUE(o.status.ok()) << o.status;
    EXPECT_EQ(o.records, kRecords);
  }
  for (uint64_t at = 0; at < snap.size(); ++at) {
    auto bad = files;
    bad[name][at] ^= static_cast<char>(1 << (at % 8));
    const Outcome o = OpenWith(bad);
    SCOPED_TRACE(absl::StrCat("flip at ", at));
    EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss);
    // magic -> 0; other header fields -> the header crc at 12; payload -> 64.
    const uint64_t off = at < 8 ? 0 : at < kSnapshotHeaderSize ? 12 : kSnapshotHeaderSize;
    EXPECT_THAT(o.status.message(), HasSubstr(absl::StrCat(name, " at offset ", off, ": ")));
  }
  for (uint64_t len = 0; len < snap.size(); ++len) {
    auto bad = files;
    bad[name].resize(len);
    const Outcome o = OpenWith(bad);
    EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss) << len;
    EXPECT_THAT(o.status.message(), HasSubstr(name)) << len;
  }
  auto longer = files;
  longer[name] += "x";
  EXPECT_EQ(OpenWith(longer).status.code(), absl::StatusCode::kDataLoss);
}

TEST(StoreCorruptionTest, SalvageWithADamagedSnapshotReadsTheJournal) {
  auto files = MakeStore(7);
  files[SnapshotFileName(7)][80] ^= 1;
  const Outcome o = OpenWith(files, /*read_only=*/true, /*salvage=*/true);
  ASSERT_TRUE(o.status.ok()) << o.status;
  EXPECT_TRUE(o.payloads_ok);
}

TEST(StoreCorruptionTest, SnapshotWithoutTheJournalItNeedsIsDataLoss) {
  // A snapshot covering 7 with a journal that starts at 9: records 8 are missing.
  MemFs fs;
  StoreOptions o = Options(&fs);
  o.segment_size_limit = 4096;
  {
    auto e = *StoreEngine::Open(kDir, o);
    for (uint64_t seq = 1; seq <= 200; ++seq) ASSERT_TRUE(e->Append(Bytes(PayloadFor(seq))).ok());
    ASSERT_TRUE(e->WriteSnapshot(Bytes(std::string("s")), 100).ok());
    ASSERT_TRUE(e->Close().ok());
  }
  ASSERT_TRUE(fs.Rename(JoinPath(kDir, SnapshotFileName(100)), JoinPath(kDir, "keep")).ok());
  // Rewrite the snapshot as covering only seq 1: the journal no longer reaches back.
  ASSERT_TRUE(WriteSnapshotFile(fs, kDir, 1, Bytes(std::string("s"))).ok());
  const auto e = StoreEngine::Open(kDir, o);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(e.status().message(), HasSubstr("but the snapshot covers only up to seq 1"));
}

TEST(StoreCorruptionTest, FilesOfANewerFormatAreRefusedNotDamaged) {
  auto files = MakeStore(0);
  std::string& seg = files["journal-000001.tlog"];
  seg[8] = 2;  // version 2, with a matching header crc
  std::string header = seg.substr(0, kSegmentHeaderSize);
  header[12] = header[13] = header[14] = header[15] = 0;
  const uint32_t crc = Crc32cForTest(header);
  for (int i = 0; i < 4; ++i) seg[12 + i] = static_cast<char>(crc >> (8 * i));
  const Outcome o = OpenWith(files);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(o.status.message(), HasSubstr("format version 2 is not supported"));
}

}  // namespace
}  // namespace treem::store
