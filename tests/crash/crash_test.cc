// Process-crash test (STYLE-ANCHORS B9 (c)): a child appends records and reports each seq on
// a pipe after Append returned; the parent SIGKILLs it at a random moment, reopens the store
// and checks that every acknowledged record is present and intact. Each round continues the
// same store, so recovery after recovery is exercised, with rotations and checkpoints, under
// every sync policy (a process crash must not lose acknowledged records under any of them).
//
// TREEM_CRASH_ROUNDS overrides the number of rounds (default 200); TREEM_CRASH_SEED the seed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>

#include "crash/crash_util.h"
#include "gtest/gtest.h"
#include "store/engine.h"
#include "unit/fault_fs.h"

namespace treem::store {
namespace {

using testing::Bytes;
using testing::PayloadFor;
using testing::ReadAll;
using testing::TempDir;

std::string SnapshotPayload(uint64_t covers) { return absl::StrCat("snapshot covering ", covers); }

StoreOptions Options(SyncPolicy policy) {
  StoreOptions o;
  o.sync = policy;
  o.sync_interval_ms = 5;
  o.sync_every_records = 64;
  o.segment_size_limit = 16 * 1024;
  return o;
}

[[noreturn]] void Child(const std::string& dir, SyncPolicy policy, int out_fd) {
  absl::StatusOr<std::unique_ptr<StoreEngine>> e = StoreEngine::Open(dir, Options(policy));
  if (!e.ok()) _exit(3);
  for (;;) {
    const uint64_t seq = (*e)->last_seq() + 1;
    absl::StatusOr<uint64_t> got = (*e)->Append(Bytes(PayloadFor(seq)));
    if (!got.ok() || *got != seq) _exit(4);
    if (write(out_fd, &seq, sizeof(seq)) != sizeof(seq)) _exit(5);  // acknowledged
    if (seq % 97 == 0 && seq > 5) {
      const uint64_t covers = seq - 5;
      if (!(*e)->WriteSnapshot(Bytes(SnapshotPayload(covers)), covers).ok()) _exit(6);
    }
  }
}

TEST(StoreCrashTest, SigkillNeverLosesAnAcknowledgedRecord) {
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string dir = tmp.path() + "/store";
  const uint64_t rounds = test_util::CrashRounds();
  const uint64_t seed = test_util::CrashSeed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(absl::StrCat("TREEM_CRASH_SEED=", seed));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);

  uint64_t acked = 0;  // highest seq ever acknowledged
  int torn = 0;
  uint64_t done = 0;
  for (; done < rounds && std::chrono::steady_clock::now() < deadline; ++done) {
    const SyncPolicy policy = static_cast<SyncPolicy>(done % 3);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      Child(dir, policy, fds[1]);
    }
    close(fds[1]);
    usleep(static_cast<useconds_t>(rng() % 40000));  // 0-40 ms of appending
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child failed by itself, exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1)
        << " in round " << done;
    uint64_t seq = 0;
    while (read(fds[0], &seq, sizeof(seq)) == sizeof(seq)) acked = std::max(acked, seq);
    close(fds[0]);

    absl::StatusOr<std::unique_ptr<StoreEngine>> e = StoreEngine::Open(dir, Options(policy));
    ASSERT_TRUE(e.ok()) << "round " << done << ": " << e.status();
    if ((*e)->recovery_report().torn_tail.has_value()) ++torn;
    const uint64_t last = (*e)->last_seq();
    ASSERT_GE(last, acked) << "round " << done << ": an acknowledged record was lost";
    const uint64_t first = (*e)->first_journal_seq();
    uint64_t expected = first;
    for (const auto& [s, payload] : ReadAll(**e, first)) {
      ASSERT_EQ(s, expected) << "round " << done;
      ASSERT_EQ(payload, PayloadFor(s)) << "round " << done << " seq " << s;
      ++expected;
    }
    ASSERT_EQ(expected - 1, last) << "round " << done;
    if (std::optional<SnapshotView> snap = (*e)->LatestSnapshot(); snap.has_value()) {
      ASSERT_EQ(std::string(reinterpret_cast<const char*>(snap->payload().data()),
                            snap->payload().size()),
                SnapshotPayload(snap->covers_seq()));
      ASSERT_LE(first, snap->covers_seq() + 1);
    } else {
      ASSERT_EQ(first, 1u);
    }
    ASSERT_TRUE((*e)->Close().ok());
  }
  std::printf("crash rounds: %llu, records acknowledged: %llu, torn tails dropped: %d\n",
              static_cast<unsigned long long>(done), static_cast<unsigned long long>(acked), torn);
  EXPECT_GE(done, std::min<uint64_t>(rounds, 50));  // the time guard must not hollow it out
  EXPECT_GT(acked, 0u);
}

}  // namespace
}  // namespace treem::store
