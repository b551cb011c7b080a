// Store engine benchmarks: journal append under each sync policy, snapshot write and open.
// Target (issue 5): >= 100,000 appends/second with SyncPolicy::kNormal.
//   build/tests/bench/treem_bench --benchmark_filter='Journal|Snapshot'
// Files go to $TMPDIR (default /tmp): point it at the disk you care about.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "store/crc32c.h"
#include "store/engine.h"

namespace treem::store {
namespace {

std::string MakeTempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/treem-bench-XXXXXX");
  return mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Arg 0: policy (0 full, 1 normal, 2 off); arg 1: payload bytes (a typical registry command
// is a few hundred bytes of Cap'n Proto).
void BM_JournalAppend(benchmark::State& state) {
  const auto policy = static_cast<SyncPolicy>(state.range(0));
  const std::string payload(static_cast<size_t>(state.range(1)), 'x');
  const std::string dir = MakeTempDir();
  StoreOptions o;
  o.sync = policy;
  auto store = StoreEngine::Open(dir, o);
  if (!store.ok()) {
    state.SkipWithError(std::string(store.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<uint64_t> seq = (*store)->Append(Bytes(payload));
    if (!seq.ok()) {
      state.SkipWithError(std::string(seq.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(*seq);
  }
  (void)(*store)->Close();  // inside the measurement of nothing: after the loop
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_JournalAppend)
    ->ArgNames({"policy", "bytes"})
    ->Args({0, 256})
    ->Args({1, 256})
    ->Args({2, 256})
    ->Args({1, 4096})
    ->UseRealTime();

// Four threads appending concurrently under kFull: group commit shares the fdatasync.
void BM_JournalAppendFullConcurrent(benchmark::State& state) {
  static std::string dir;
  static std::unique_ptr<StoreEngine> store;
  if (state.thread_index() == 0) {
    dir = MakeTempDir();
    StoreOptions o;
    o.sync = SyncPolicy::kFull;
    store = *StoreEngine::Open(dir, o);
  }
  const std::string payload(256, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(store->Append(Bytes(payload)));
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}
BENCHMARK(BM_JournalAppendFullConcurrent)->Threads(4)->UseRealTime();

void BM_Crc32c(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'y');
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(data.data(), data.size()));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(256)->Arg(1 << 20);

constexpr size_t kSnapshotBytes = size_t{64} << 20;

// Checkpoint of a 64 MiB payload: write, fsync, rename, fsync dir, compaction.
void BM_SnapshotWrite64MiB(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  auto store = *StoreEngine::Open(dir, {});
  std::string payload(kSnapshotBytes, 'z');
  uint64_t covers = 0;
  for (auto _ : state) {
    const uint64_t seq = *store->Append(Bytes(std::string("cmd")));
    covers = seq;
    if (absl::Status s = store->WriteSnapshot(Bytes(payload), covers); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kSnapshotBytes));
  store.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_SnapshotWrite64MiB)->Unit(benchmark::kMillisecond)->UseRealTime();

// Opening a store whose snapshot is 64 MiB: mmap plus (arg 1) the payload CRC check.
void BM_SnapshotOpen64MiB(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  {
    auto store = *StoreEngine::Open(dir, {});
    (void)store->Append(Bytes(std::string("cmd")));
    if (!store->WriteSnapshot(Bytes(std::string(kSnapshotBytes, 'z')), 1).ok()) {
      state.SkipWithError("snapshot write failed");
      return;
    }
  }
  StoreOptions o;
  o.read_only = true;
  o.verify_snapshot_crc = state.range(0) != 0;
  for (auto _ : state) {
    auto store = StoreEngine::Open(dir, o);
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize((*store)->LatestSnapshot()->payload().data());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_SnapshotOpen64MiB)
    ->ArgName("verify_crc")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace treem::store
