#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "fault_fs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/engine.h"
#include "store/journal.h"

namespace treem::store {
namespace {

using testing::Bytes;
using ::testing::HasSubstr;
using testing::MemFs;
using testing::PayloadFor;
using testing::ReadAll;
using testing::TempDir;

constexpr char kDir[] = "/store";

StoreOptions MemOptions(MemFs* fs, SyncPolicy policy = SyncPolicy::kFull) {
  StoreOptions o;
  o.fs = fs;
  o.sync = policy;
  o.sync_interval_ms = 0;
  return o;
}

std::unique_ptr<StoreEngine> MustOpen(const std::string& dir, const StoreOptions& o) {
  absl::StatusOr<std::unique_ptr<StoreEngine>> e = StoreEngine::Open(dir, o);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

void AppendRange(StoreEngine& e, uint64_t from, uint64_t to) {
  for (uint64_t seq = from; seq <= to; ++seq) {
    absl::StatusOr<uint64_t> got = e.Append(Bytes(PayloadFor(seq)));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, seq);
  }
}

void ExpectRecords(const StoreEngine& e, uint64_t from, uint64_t to) {
  const auto recs = ReadAll(e, from);
  ASSERT_EQ(recs.size(), to + 1 - from);
  for (uint64_t seq = from; seq <= to; ++seq) {
    ASSERT_EQ(recs[seq - from].first, seq);
    ASSERT_EQ(recs[seq - from].second, PayloadFor(seq)) << seq;
  }
}

std::vector<std::string> Segments(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (ParseSegmentFileName(n).has_value()) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(StoreEngineTest, AppendReadReopenOnDisk) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string dir = tmp.path() + "/s";
  {
    auto e = MustOpen(dir, {});
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->last_seq(), 0u);
    AppendRange(*e, 1, 1000);
    ExpectRecords(*e, 1, 1000);
    ExpectRecords(*e, 777, 1000);
    ASSERT_TRUE(e->Close().ok());
  }
  auto e = MustOpen(dir, {});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->last_seq(), 1000u);
  EXPECT_EQ(e->durable_seq(), 1000u);
  EXPECT_FALSE(e->recovery_report().torn_tail.has_value());
  EXPECT_TRUE(e->recovery_report().removed_files.empty());
  ExpectRecords(*e, 1, 1000);
  AppendRange(*e, 1001, 1010);
  ExpectRecords(*e, 995, 1010);
  EXPECT_EQ(Segments(dir), std::vector<std::string>{"journal-000001.tlog"});
  EXPECT_TRUE(std::filesystem::exists(dir + "/LOCK"));
}

TEST(StoreEngineTest, ReadRangeStopsAndPropagatesCallbackErrors) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs));
  AppendRange(*e, 1, 20);
  std::vector<uint64_t> seen;
  ASSERT_TRUE(e->ReadRange(5, 9, [&](uint64_t seq, std::span<const uint8_t>) {
                 seen.push_back(seq);
                 return absl::OkStatus();
               }).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{5, 6, 7, 8, 9}));
  seen.clear();
  const absl::Status s = e->ReadFrom(3, [&](uint64_t seq, std::span<const uint8_t>) {
    seen.push_back(seq);
    return seq == 4 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(
      e->ReadFrom(0, [](uint64_t, std::span<const uint8_t>) { return absl::OkStatus(); }).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ReadAll(*e, 21).empty());
}

TEST(StoreEngineTest, PayloadsAreEightByteAligned) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs));
  AppendRange(*e, 1, 50);
  ASSERT_TRUE(e->ReadFrom(1, [](uint64_t, std::span<const uint8_t> p) {
                 return reinterpret_cast<uintptr_t>(p.data()) % 8 == 0
                            ? absl::OkStatus()
                            : absl::InternalError("misaligned");
               }).ok());
}

TEST(StoreEngineTest, FullPolicySyncsEveryAppend) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs, SyncPolicy::kFull));
  const int before = fs.syncs();
  AppendRange(*e, 1, 10);
  EXPECT_EQ(fs.syncs() - before, 10);
  EXPECT_EQ(e->durable_seq(), 10u);
}

TEST(StoreEngineTest, OffPolicyNeverSyncsOnAppendButOnSyncAndClose) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs, SyncPolicy::kOff));
  const int before = fs.syncs();
  AppendRange(*e, 1, 100);
  EXPECT_EQ(fs.syncs(), before);
  EXPECT_EQ(e->durable_seq(), 0u);
  ASSERT_TRUE(e->Sync().ok());
  EXPECT_EQ(e->durable_seq(), 100u);
  AppendRange(*e, 101, 105);
  const int at_close = fs.syncs();
  ASSERT_TRUE(e->Close().ok());
  EXPECT_GT(fs.syncs(), at_close);
  // Nothing acknowledged is lost by a power cut after Close.
  fs.SimulatePowerLoss(MemFs::PowerLoss::kDropUnsynced, 1);
  auto again = MustOpen(kDir, MemOptions(&fs));
  ExpectRecords(*again, 1, 105);
}

TEST(StoreEngineTest, NormalPolicyCountBound) {
  MemFs fs;
  StoreOptions o = MemOptions(&fs, SyncPolicy::kNormal);
  o.sync_every_records = 8;
  auto e = MustOpen(kDir, o);
  for (uint64_t seq = 1; seq <= 100; ++seq) {
    ASSERT_TRUE(e->Append(Bytes(PayloadFor(seq))).ok());
    // At most sync_every_records - 1 acknowledged records are not yet synced.
    EXPECT_LT(seq - e->durable_seq(), 8u) << seq;
  }
  EXPECT_EQ(e->durable_seq(), 96u);
}

TEST(StoreEngineTest, NormalPolicyTimeBound) {
  MemFs fs;
  StoreOptions o = MemOptions(&fs, SyncPolicy::kNormal);
  o.sync_every_records = 0;
  o.sync_interval_ms = 20;
  auto e = MustOpen(kDir, o);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(e->Append(Bytes(PayloadFor(1))).ok());
  while (e->durable_seq() < 1 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(e->durable_seq(), 1u);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(15));  // it waited for the batch window
  ASSERT_TRUE(e->Close().ok());
}

TEST(StoreEngineTest, RotatesSegmentsAtTheSizeLimit) {
  TempDir tmp;
  StoreOptions o;
  o.segment_size_limit = 4096;
  {
    auto e = MustOpen(tmp.path(), o);
    AppendRange(*e, 1, 300);
    ASSERT_TRUE(e->Close().ok());
  }
  const std::vector<std::string> segs = Segments(tmp.path());
  ASSERT_GT(segs.size(), 5u);
  for (const std::string& s : segs) {
    EXPECT_LE(std::filesystem::file_size(tmp.path() + "/" + s), 4096u) << s;
  }
  auto e = MustOpen(tmp.path(), o);
  ExpectRecords(*e, 1, 300);
  EXPECT_EQ(e->first_journal_seq(), 1u);
}

TEST(StoreEngineTest, SnapshotCompactsAndReopens) {
  TempDir tmp;
  StoreOptions o;
  o.segment_size_limit = 4096;
  const std::string snap1 = "state after 150";
  {
    auto e = MustOpen(tmp.path(), o);
    AppendRange(*e, 1, 300);
    const size_t before = Segments(tmp.path()).size();
    ASSERT_TRUE(e->WriteSnapshot(Bytes(snap1), 150).ok());
    EXPECT_LT(Segments(tmp.path()).size(), before);
    EXPECT_GT(e->first_journal_seq(), 1u);
    EXPECT_LE(e->first_journal_seq(), 151u);
    ExpectRecords(*e, 151, 300);
    const absl::Status old =
        e->ReadFrom(1, [](uint64_t, std::span<const uint8_t>) { return absl::OkStatus(); });
    EXPECT_EQ(old.code(), absl::StatusCode::kOutOfRange);
    EXPECT_THAT(old.message(), HasSubstr("snapshot covering seq 150"));
    std::optional<SnapshotView> v = e->LatestSnapshot();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->covers_seq(), 150u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(v->payload().data()), v->payload().size()),
              snap1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v->payload().data()) % 8, 0u);
  }
  {
    auto e = MustOpen(tmp.path(), o);
    EXPECT_EQ(e->last_seq(), 300u);
    std::optional<SnapshotView> v = e->LatestSnapshot();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->covers_seq(), 150u);
    ExpectRecords(*e, e->first_journal_seq(), 300);
    // A snapshot of everything leaves one empty segment.
    const std::string snap2(5000, 'z');
    ASSERT_TRUE(e->WriteSnapshot(Bytes(snap2), 300).ok());
    EXPECT_EQ(Segments(tmp.path()).size(), 1u);
    EXPECT_EQ(e->first_journal_seq(), 301u);
    EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/" + SnapshotFileName(150)));
    EXPECT_TRUE(ReadAll(*e, 301).empty());
    // The old view stays readable after its file is removed.
  }
  auto e = MustOpen(tmp.path(), o);
  EXPECT_EQ(e->last_seq(), 300u);
  EXPECT_EQ(e->LatestSnapshot()->covers_seq(), 300u);
  EXPECT_EQ(e->LatestSnapshot()->payload().size(), 5000u);
  AppendRange(*e, 301, 310);
  ExpectRecords(*e, 301, 310);
}

TEST(StoreEngineTest, SnapshotViewOutlivesReplacement) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs));
  AppendRange(*e, 1, 10);
  ASSERT_TRUE(e->WriteSnapshot(Bytes(std::string("first")), 5).ok());
  const SnapshotView first = *e->LatestSnapshot();
  ASSERT_TRUE(e->WriteSnapshot(Bytes(std::string("second!")), 10).ok());
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(first.payload().data()), first.payload().size()),
      "first");
  EXPECT_EQ(e->LatestSnapshot()->covers_seq(), 10u);
}

TEST(StoreEngineTest, SnapshotArgumentsAreChecked) {
  MemFs fs;
  auto e = MustOpen(kDir, MemOptions(&fs));
  AppendRange(*e, 1, 10);
  const absl::Status beyond = e->WriteSnapshot(Bytes(std::string("x")), 11);
  EXPECT_EQ(beyond.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(beyond.message(), HasSubstr("covers_seq: 11 is beyond the last appended seq 10"));
  ASSERT_TRUE(e->WriteSnapshot(Bytes(std::string("x")), 8).ok());
  EXPECT_EQ(e->WriteSnapshot(Bytes(std::string("x")), 7).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(e->WriteSnapshot(Bytes(std::string("y")), 8).ok());
}

TEST(StoreEngineTest, ArgumentAndStateErrors) {
  MemFs fs;
  StoreOptions o = MemOptions(&fs);
  o.max_record_size = 100;
  auto e = MustOpen(kDir, o);
  const absl::StatusOr<uint64_t> big = e->Append(Bytes(std::string(101, 'x')));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(big.status().message(), HasSubstr("101 bytes exceeds max_record_size 100"));
  EXPECT_TRUE(e->Append(Bytes(std::string(100, 'x'))).ok());
  EXPECT_TRUE(e->Append({}).ok());  // empty payloads are records too
  ASSERT_TRUE(e->Close().ok());
  EXPECT_TRUE(e->Close().ok());
  EXPECT_EQ(e->Append(Bytes(std::string("x"))).status().code(),
            absl::StatusCode::kFailedPrecondition);

  StoreOptions bad = o;
  bad.salvage = true;
  EXPECT_EQ(StoreEngine::Open(kDir, bad).status().code(), absl::StatusCode::kInvalidArgument);
  StoreOptions missing = o;
  missing.create_if_missing = false;
  const auto m = StoreEngine::Open("/nowhere", missing);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("opening store '/nowhere'"));
}

TEST(StoreEngineTest, ReadOnlyOpenTakesNoLockAndRefusesWrites) {
  MemFs fs;
  auto writer = MustOpen(kDir, MemOptions(&fs));
  AppendRange(*writer, 1, 5);
  StoreOptions ro = MemOptions(&fs);
  ro.read_only = true;
  auto reader = MustOpen(kDir, ro);
  ExpectRecords(*reader, 1, 5);
  EXPECT_EQ(reader->Append(Bytes(std::string("x"))).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->WriteSnapshot(Bytes(std::string("x")), 1).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(StoreEngineTest, SecondWriterInSameProcessIsRefused) {
  TempDir tmp;
  auto first = MustOpen(tmp.path(), {});
  const auto second = StoreEngine::Open(tmp.path(), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("locked by another writer"));
  ASSERT_TRUE(first->Close().ok());
  EXPECT_TRUE(StoreEngine::Open(tmp.path(), {}).ok());
}

TEST(StoreEngineTest, SecondWriterInAnotherProcessIsRefusedWithPid) {
  TempDir tmp;
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto e = StoreEngine::Open(tmp.path(), {});
    const char ok = e.ok() ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    char c;
    (void)!read(release[0], &c, 1);
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  const auto second = StoreEngine::Open(tmp.path(), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("(pid ", child, ")")));
  EXPECT_THAT(second.status().message(), HasSubstr("only one process may open a store"));
  (void)!write(release[1], "x", 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(StoreEngine::Open(tmp.path(), {}).ok());  // the lock died with the process
  for (int fd : {ready[0], ready[1], release[0], release[1]}) close(fd);
}

TEST(StoreEngineTest, ReadersSeeConsistentPrefixWhileWriterAppends) {
  TempDir tmp;
  StoreOptions o;
  o.segment_size_limit = 64 * 1024;  // rotations happen under the readers
  auto e = MustOpen(tmp.path(), o);
  constexpr uint64_t kTotal = 20000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t seq = 1; seq <= kTotal; ++seq) {
      if (!e->Append(Bytes(PayloadFor(seq))).ok()) break;
      if (seq == kTotal / 2) (void)e->WriteSnapshot(Bytes(std::string("half")), 100);
    }
    done = true;
  });
  int passes = 0;
  uint64_t last_count = 0;
  while (!done || passes < 3) {
    const uint64_t from = e->first_journal_seq();
    uint64_t expected = from;
    bool ok = true;
    const absl::Status s = e->ReadFrom(from, [&](uint64_t seq, std::span<const uint8_t> p) {
      if (seq != expected++ ||
          std::string(reinterpret_cast<const char*>(p.data()), p.size()) != PayloadFor(seq)) {
        ok = false;
      }
      return absl::OkStatus();
    });
    if (s.code() == absl::StatusCode::kOutOfRange) continue;  // compacted meanwhile
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_TRUE(ok);
    EXPECT_GE(expected - 1, last_count);
    last_count = expected - 1;
    ++passes;
  }
  writer.join();
  EXPECT_EQ(e->last_seq(), kTotal);
}

TEST(StoreEngineTest, ConcurrentFullSyncAppendersGetDistinctSeqs) {
  TempDir tmp;
  StoreOptions o;
  o.sync = SyncPolicy::kFull;
  auto e = MustOpen(tmp.path(), o);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        absl::StatusOr<uint64_t> s = e->Append(Bytes(std::string(10, 'a')));
        ASSERT_TRUE(s.ok());
        std::lock_guard<std::mutex> l(mu);
        seqs.insert(*s);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seqs.size(), 400u);
  EXPECT_EQ(*seqs.rbegin(), 400u);
  EXPECT_EQ(e->durable_seq(), 400u);
}

}  // namespace
}  // namespace treem::store
