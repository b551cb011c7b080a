// Province merge of commune data (DOMAIN.md section 1): a province registry imports commune
// snapshots or journal segments. Pure functions: the caller (the registry) keeps a MergeState,
// asks for a MergePlan, submits plan.commands() to its store and, once committed, applies the
// plan to its state (ApplyPlan).
//
// Semantics (docs/exchange.md):
//  - Records are addressed by (RecordKind, id). For each the state remembers the version the
//    province holds: the store it came from (origin), its seq there, and the digest of its
//    canonical bytes (serde::Canonical).
//  - An incoming record equal (same canonical bytes) to the held one changes nothing, so
//    importing the same snapshot or segment twice is idempotent. Journal entries at or below
//    the highest seq already imported from their store are skipped (and commandIds are
//    deterministic, so a plan submitted twice is a repeat for the store too).
//  - A different version from the same origin with a higher seq replaces the held one (the
//    store's own later change); a lower seq is stale and skipped.
//  - A different version from another origin is a conflict: the record was changed in two
//    places and neither version is known to derive from the other. It is reported (both
//    origins, seqs and canonical bytes) and never applied. Operations (case steps, household
//    links, consents, commitment status changes, deletions) on a record last changed by
//    another store are conflicts too. A conflict already reported (same versions) is not
//    reported again.
//  - Reference data (administrative units, indicator definitions) is not merged, nor the
//    origin's bookkeeping (recordAccess, initStore, recordMerge, resolveConflict). A batch
//    entry's commands share its seq and are applied in order.
//  - Produced commands carry mergedFrom (origin store and seq).
//  - Snapshots carry no per-record seq: their records are versions at header.lastSeq. Cases and
//    referrals have no upsert command, so from a snapshot they are only compared; new or
//    changed ones are listed in `unapplied` (merge them from journal segments).
#ifndef TREEM_LIB_EXCHANGE_MERGE_H_
#define TREEM_LIB_EXCHANGE_MERGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "capnp/message.h"
#include "core/ids.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/exchange.capnp.h"

namespace treem::exchange {

struct RecordKey {
  schema::RecordKind kind = schema::RecordKind::UNKNOWN;
  core::Uuid id;

  friend bool operator==(const RecordKey&, const RecordKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const RecordKey& k) {
    return H::combine(std::move(h), static_cast<uint16_t>(k.kind), k.id);
  }
};

struct RecordVersion {
  core::Uuid origin;      // store that made this version
  uint64_t seq = 0;       // its seq in that store (snapshot: header.lastSeq)
  core::Uuid digest;      // NameUuid of the canonical bytes; nil = unknown (set by an operation)
  std::string canonical;  // canonical bytes when kept (MergeOptions::keep_canonical), else ""
  bool deleted = false;   // removed by a deleteRecord
};

struct MergeState {
  absl::flat_hash_map<RecordKey, RecordVersion> records;
  // Per origin store: the highest journal seq imported.
  absl::flat_hash_map<core::Uuid, uint64_t> imported_seq;
  // Conflicts already reported (ConflictId), so re-imports do not report them again.
  absl::flat_hash_set<core::Uuid> reported_conflicts;
};

struct Conflict {
  RecordKey key;
  schema::MergeConflictReason reason = schema::MergeConflictReason::UNKNOWN;
  RecordVersion current;  // the province's version (canonical may be empty)
  core::Uuid incoming_origin;
  uint64_t incoming_seq = 0;
  std::string incoming_canonical;  // the incoming record, or the incoming command (operations)
  core::Uuid id;                   // ConflictId: stable for the same pair of versions
};

struct MergeOptions {
  // Envelope of the produced commands (the province officer running the merge); the source is
  // always `merge` and the note names the origin store and seq.
  std::string actor_user_id;
  schema::Role actor_role = schema::Role::PROVINCE_OFFICER;
  std::string actor_unit_code;
  int64_t at_micros = 0;
  // Keep canonical bytes in the state updates (needed to show both versions of a conflict
  // found later); off saves memory, conflicts then carry the current version's digest only.
  bool keep_canonical = true;
};

struct MergeStats {
  size_t applied = 0;           // commands produced
  size_t unchanged = 0;         // equal to the held version
  size_t stale = 0;             // older than the held version from the same origin
  size_t already_imported = 0;  // journal entries at or below the imported seq
  size_t conflicts = 0;         // new conflicts
  size_t known_conflicts = 0;   // conflicts reported before
  size_t reference_data = 0;    // units / indicator definitions skipped
};

struct MergePlan {
  // Root: schema::CommandBatch, the commands to submit in order.
  std::unique_ptr<capnp::MallocMessageBuilder> message;
  std::vector<Conflict> conflicts;
  // Records new or changed in a snapshot that no command can carry (cases, referrals).
  std::vector<RecordKey> unapplied;
  // State after the commands are committed (ApplyPlan).
  std::vector<std::pair<RecordKey, RecordVersion>> record_updates;
  std::vector<std::pair<core::Uuid, uint64_t>> imported_seq_updates;
  MergeStats stats;

  schema::CommandBatch::Reader commands() const;
  void ToConflictList(schema::MergeConflictList::Builder out, int64_t detected_at_micros) const;
};

// Plans the import of a commune snapshot (origin = header.storeId, seq = header.lastSeq).
absl::StatusOr<MergePlan> MergeSnapshot(const MergeState& province, schema::Snapshot::Reader in,
                                        const MergeOptions& options);

// Plans the import of journal entries (any stores, applied in the given order).
absl::StatusOr<MergePlan> MergeJournal(const MergeState& province,
                                       std::span<const schema::JournalEntry::Reader> entries,
                                       const MergeOptions& options);
absl::StatusOr<MergePlan> MergeJournal(const MergeState& province,
                                       capnp::List<schema::JournalEntry>::Reader entries,
                                       const MergeOptions& options);

// Updates the state once plan.commands() are committed (and records the plan's conflicts as
// reported).
void ApplyPlan(MergeState& state, const MergePlan& plan);

// Records a change made by the province itself (or any store) in the state, e.g. when the
// registry replays its own journal: upsert payloads give a version with digest, operations an
// unknown digest, deleteRecord a deleted version. Payloads without a record are ignored.
absl::Status NoteCommand(MergeState& state, const core::Uuid& origin,
                         schema::Command::Reader command, bool keep_canonical = true);

// The RecordKind and id a command changes, if any.
std::optional<RecordKey> TargetOf(schema::Command::Reader command);

// The digest the merge gives a version: a name-based uuid of its canonical bytes.
core::Uuid VersionDigest(std::string_view canonical);
// For a command creating or replacing a record: the digest of that record as given.
std::optional<core::Uuid> PayloadDigest(schema::Command::Reader command);

// Sets out's payload to the command that creates or replaces a record of `kind` whose canonical
// bytes are `canonical` (upsertPerson, recordWorkActivity, ...). kInvalidArgument for kinds no
// command carries (cases, referrals, reference data) and for bytes that are not a struct.
absl::Status SetUpsertPayload(schema::RecordKind kind, std::string_view canonical,
                              schema::Command::Builder out);

}  // namespace treem::exchange

#endif  // TREEM_LIB_EXCHANGE_MERGE_H_
