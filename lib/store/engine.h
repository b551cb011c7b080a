// StoreEngine: the durable, schema-agnostic storage engine under the registry. It keeps an
// append-only journal of opaque byte records (sequence numbers 1, 2, 3, ...) in rotated
// segment files, and at most one current snapshot (opaque bytes covering every record up to a
// seq), written atomically and read by mmap. docs/storage.md states the guarantees precisely.
//
//   auto store = StoreEngine::Open("/var/lib/treem/commune-15865", {});
//   uint64_t seq = *(*store)->Append(bytes);               // acknowledged (see SyncPolicy)
//   (*store)->ReadFrom(1, [](uint64_t seq, std::span<const uint8_t> payload) { ...; });
//   (*store)->WriteSnapshot(state_bytes, seq);             // checkpoint + compaction
//   std::optional<SnapshotView> snap = (*store)->LatestSnapshot();
//
// Thread safety: all methods may be called concurrently from any thread. Appends are
// serialised; readers (ReadFrom, LatestSnapshot) never wait for a sync and see a consistent
// prefix of the journal. Across processes, one writer per directory (StoreLock); a second
// writer gets kUnavailable naming the holder's pid.
#ifndef TREEM_LIB_STORE_ENGINE_H_
#define TREEM_LIB_STORE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/damage.h"
#include "store/fs.h"
#include "store/lock.h"
#include "store/snapshot_file.h"

namespace treem::store {

// When appended records are made durable (fdatasync), after SQLite's `synchronous` pragma.
// In every policy an acknowledged record has been handed to the kernel (pwritev returned),
// so it survives a crash of the process; the policy decides what survives a power loss or an
// operating-system crash.
enum class SyncPolicy {
  // Append returns only after the record is durable. Concurrent appenders share one
  // fdatasync (group commit).
  kFull,
  // Group commit: records are synced in batches by a background thread, at the latest
  // sync_interval_ms after the first record not covered by a started sync; and the Append
  // that makes sync_every_records records unsynced syncs before it returns. Also synced by
  // Sync(), WriteSnapshot(), Close() and segment rotation. A power loss may lose the records
  // of the last (at most) sync_interval_ms / sync_every_records, always a suffix.
  kNormal,
  // No sync on append; only Sync(), WriteSnapshot(), Close() and segment rotation sync. After
  // a power loss the tail of the journal may be lost or damaged (possibly reported as
  // kDataLoss, needing a salvage open).
  kOff,
};

struct StoreOptions {
  SyncPolicy sync = SyncPolicy::kNormal;
  uint32_t sync_interval_ms = 50;      // kNormal: time bound (0 = no background thread)
  uint32_t sync_every_records = 4096;  // kNormal: count bound (0 = none)
  uint64_t segment_size_limit = uint64_t{64} << 20;  // rotate when the next frame would pass it
  uint32_t max_record_size = 64u << 20;              // bytes of one payload
  bool create_if_missing = true;
  // Open without the lock and without modifying anything (no truncation, no cleanup).
  bool read_only = false;
  // With read_only: on damage, open anyway with the records before it and list the damage in
  // recovery_report().damage, instead of failing with kDataLoss.
  bool salvage = false;
  bool verify_snapshot_crc = true;  // check the snapshot payload CRC on open
  Fs* fs = nullptr;                 // null: DefaultFs(); must outlive the engine
};

// What recovery found and did while opening.
struct RecoveryReport {
  // An incomplete or corrupt final record with nothing valid after it: the residue of a crash
  // during an append. Writable stores truncate it away (torn_bytes dropped); read-only stores
  // ignore it.
  std::optional<Damage> torn_tail;
  uint64_t torn_bytes = 0;
  // Files removed: temporaries of interrupted snapshot writes, a segment whose creation was
  // interrupted, segments and snapshots superseded by a newer snapshot.
  std::vector<std::string> removed_files;
  // Salvage opens only: the damage at which reading stopped.
  std::vector<Damage> damage;
};

class StoreEngine {
 public:
  using RecordFn = absl::FunctionRef<absl::Status(uint64_t seq, std::span<const uint8_t> payload)>;

  // Opens (creating when allowed) the store in `dir` and recovers it. Errors: kUnavailable
  // when another writer holds the lock; kDataLoss naming file and offset when the journal or
  // snapshot is damaged other than by a torn tail; kNotFound when dir is missing and may not
  // be created; kFailedPrecondition for files written by a newer format version.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<StoreEngine>> Open(
      const std::string& dir, const StoreOptions& options);

  StoreEngine(const StoreEngine&) = delete;
  StoreEngine& operator=(const StoreEngine&) = delete;
  ~StoreEngine();  // Close(), ignoring its status

  // Appends one record and returns its seq, with the durability of options().sync.
  // After an I/O error that leaves the journal in an unknown state (failed sync, failed
  // rollback of a failed write) every later write fails: reopen the store to recover.
  [[nodiscard]] absl::StatusOr<uint64_t> Append(std::span<const uint8_t> payload);

  // Returns once every record appended before the call is durable.
  [[nodiscard]] absl::Status Sync();

  // Calls fn for each record with from <= seq <= last_seq() (as of the call), in order.
  // A non-OK status from fn stops the iteration and is returned. kOutOfRange if `from` is
  // older than the first record still in the journal (compacted into the snapshot).
  [[nodiscard]] absl::Status ReadFrom(uint64_t from, RecordFn fn) const;
  // The same for from <= seq <= to (to is clamped to last_seq()).
  [[nodiscard]] absl::Status ReadRange(uint64_t from, uint64_t to, RecordFn fn) const;

  // Checkpoint: syncs the journal, writes a snapshot covering records <= covers_seq
  // atomically, then removes journal segments wholly <= covers_seq and older snapshots.
  // covers_seq must be <= last_seq() and >= the current snapshot's. If an error is returned
  // after the snapshot's commit point, the new snapshot is in place and clean-up is retried
  // by the next checkpoint or open.
  [[nodiscard]] absl::Status WriteSnapshot(std::span<const uint8_t> payload, uint64_t covers_seq);

  // The current snapshot (mmap-backed, validated), if any.
  std::optional<SnapshotView> LatestSnapshot() const;

  // Stops the background syncer, syncs (writable stores), closes files and releases the lock.
  // Idempotent; later calls other than reads of the counters fail with kFailedPrecondition.
  [[nodiscard]] absl::Status Close();

  uint64_t last_seq() const;           // last appended record (0 if none ever)
  uint64_t durable_seq() const;        // every record <= this is known to be synced
  uint64_t first_journal_seq() const;  // oldest seq still readable from the journal
  const RecoveryReport& recovery_report() const { return report_; }
  const std::string& dir() const { return dir_; }
  const StoreOptions& options() const { return options_; }

 private:
  struct Segment;

  StoreEngine(const std::string& dir, const StoreOptions& options);

  absl::Status Recover();
  absl::Status RecoverJournal(const std::vector<std::pair<uint64_t, std::string>>& names,
                              uint64_t snapshot_seq);
  // Fails with kDataLoss, or (salvage) records the damage and sets *stopped.
  absl::Status OnDamage(Damage d, bool* stopped);
  absl::StatusOr<std::shared_ptr<Segment>> CreateSegment(uint64_t first_seq);
  absl::Status RotateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SyncUpTo(uint64_t seq) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Compact(uint64_t covers_seq);
  absl::Status WritableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Poison(const absl::Status& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SyncerLoop();

  const std::string dir_;
  const StoreOptions options_;
  Fs& fs_;
  RecoveryReport report_;
  std::unique_ptr<StoreLock> lock_;

  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Segment>> segments_ ABSL_GUARDED_BY(mu_);  // ascending
  uint64_t next_ordinal_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t durable_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t sync_started_seq_ ABSL_GUARDED_BY(mu_) = 0;  // target of the latest started sync
  absl::Time first_uncovered_ ABSL_GUARDED_BY(mu_);     // append time of sync_started_seq_ + 1
  bool sync_in_progress_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  std::optional<SnapshotView> snapshot_ ABSL_GUARDED_BY(mu_);

  absl::Mutex checkpoint_mu_;  // one WriteSnapshot at a time
  std::thread syncer_;
};

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_ENGINE_H_
