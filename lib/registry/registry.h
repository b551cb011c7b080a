// The durable embedded registry (issue 5; DOMAIN.md sections 2 and 7; docs/registry.md).
//
// A Registry turns schema Commands into durable state: every change is validated (schema
// shape, known enum values, calendar dates, referenced records, unit codes in the store's
// scope, the acting user's role and units), written to the journal as one JournalEntry
// through store::StoreEngine, then applied to the in-memory state. Reads carry the acting
// user too; reads of personal data and every refusal for lack of permission are journaled as
// `recordAccess` commands, so the journal is the complete audit trail.
//
//   RegistryOptions o;
//   o.scope = {"15865"};
//   auto reg = Registry::Create("/var/lib/treem/15865", o);      // or Open(dir, o)
//   absl::StatusOr<uint64_t> seq = (*reg)->Apply(command_reader);  // refused: nothing changed
//   auto json = (*reg)->Get(actor, schema::RecordKind::PERSON, id, serde::Format::kJson);
//   (*reg)->Checkpoint();                                          // snapshot + compaction
//
// Thread safety: every method may be called from any thread; calls are serialised by one
// internal mutex.
#ifndef TREEM_LIB_REGISTRY_REGISTRY_H_
#define TREEM_LIB_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cases/referral.h"
#include "core/admin_units.h"
#include "core/date.h"
#include "core/ids.h"
#include "indicators/dataset.h"
#include "serde/codec.h"
#include "store/engine.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/rules.capnp.h"

namespace treem::registry {

// The acting user of a read or a write (schema Actor).
using Actor = cases::ActorInfo;

struct RegistryOptions {
  store::SyncPolicy sync = store::SyncPolicy::kNormal;
  // Admin unit codes the store holds (commune "15865", province "38"). Create records them in
  // the store; Open checks them against the stored scope when non-empty (empty = as stored).
  // An empty scope at Create means any unit (a national store).
  std::vector<std::string> scope;
  // Official unit lists: unit codes are then checked to exist, and provinces and the 2025
  // reform lineage decide which units contain which. Without them: loaded units (loadUnits)
  // give provinces, and codes are only checked for shape.
  std::optional<core::AdminUnits> units;
  // Open without writing anything (no lock): writes and reads of personal data (which must
  // be journaled) fail with kFailedPrecondition.
  bool read_only = false;
  // Microseconds since the epoch (UTC); null = the system clock. For tests.
  std::function<int64_t()> clock;
  store::Fs* fs = nullptr;  // null = the real file system; must outlive the registry
  // ImportSnapshot writes one atomic journal entry up to this many bytes of commands (the
  // store's limit per entry is 64 MiB); a larger import is validated as a whole first, then
  // committed in entries of 2048 commands (not atomic against a crash or an I/O error).
  size_t import_entry_bytes = size_t{48} << 20;
};

// The outcome of applying one command.
struct ApplyResult {
  uint64_t seq = 0;        // journal seq of the entry holding the command
  bool duplicate = false;  // commandId already applied: acknowledged, not applied again
};

class Registry {
 public:
  // Creates a new registry in `dir` (kAlreadyExists if one is there).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Registry>> Create(
      const std::string& dir, const RegistryOptions& options);
  // Opens an existing registry: loads the latest snapshot, then replays the journal after it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Registry>> Open(
      const std::string& dir, const RegistryOptions& options);

  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // ---- writes ----

  // Validates, journals and applies one command (actor, source and payload required; seq is
  // assigned; `at` is kept when set, else now). A command whose commandId was applied before
  // is acknowledged with the seq of its first application and changes nothing. Errors name
  // the field and the reason and never contain personal data; kPermissionDenied refusals are
  // themselves journaled.
  [[nodiscard]] absl::StatusOr<ApplyResult> Apply(schema::Command::Reader command);
  [[nodiscard]] absl::StatusOr<ApplyResult> ApplyBytes(std::string_view bytes, serde::Format f);

  // Several commands in order. atomic: one journal entry, all applied or none (the error
  // names the index of the refused command). Not atomic: one entry per command, stopping at
  // the first refusal (the ones before it stay committed). Returns the last seq.
  [[nodiscard]] absl::StatusOr<uint64_t> ApplyBatch(std::span<const schema::Command::Reader> cmds,
                                                    bool atomic = true);
  [[nodiscard]] absl::StatusOr<uint64_t> ApplyBatch(schema::CommandBatch::Reader batch,
                                                    bool atomic = true);

  // ---- reads (each checks the actor's role and units; personal reads are journaled) ----

  // One record by kind and id in `format` (its schema type: Person, Case, ...).
  [[nodiscard]] absl::StatusOr<std::string> Get(const Actor& actor, schema::RecordKind kind,
                                                const core::Uuid& id, serde::Format format);
  // An indicator definition by its text id ("P1").
  [[nodiscard]] absl::StatusOr<std::string> GetIndicator(const Actor& actor, std::string_view id,
                                                         serde::Format format);
  // The records of `kind` the actor may see, in a Snapshot holding only that list (sorted by
  // id); header.unitScope is the actor's unit.
  [[nodiscard]] absl::Status List(const Actor& actor, schema::RecordKind kind,
                                  schema::Snapshot::Builder out);
  // Who changed (and read) a record, oldest first. Roles: auditor, communeChair,
  // provinceOfficer, system.
  [[nodiscard]] absl::Status History(const Actor& actor, schema::RecordKind kind,
                                     const core::Uuid& id, schema::RecordHistory::Builder out);
  [[nodiscard]] absl::Status HistoryByCode(const Actor& actor, schema::RecordKind kind,
                                           std::string_view code,
                                           schema::RecordHistory::Builder out);
  // Open case deadlines at an instant, limited to the cases the actor's units handle.
  [[nodiscard]] absl::Status Due(const Actor& actor, schema::DeadlineQuery::Reader query,
                                 schema::DeadlineReport::Builder out);
  // The stored classification of a work activity (derived fact with its rule-set versions).
  [[nodiscard]] absl::Status Classification(const Actor& actor, const core::Uuid& activity_id,
                                            schema::ActivityClassification::Builder out);
  // The child-level verdict over the child's recorded activities in [start, end].
  [[nodiscard]] absl::Status ChildVerdict(const Actor& actor, const core::Uuid& child_id,
                                          core::Date start, core::Date end,
                                          schema::ChildVerdict::Builder out);

  // ---- snapshots ----

  // The whole state (no access check: for exchange code and tests inside the library).
  // Deterministic: lists sorted by id; header.createdAt is the instant of the last command.
  [[nodiscard]] absl::Status Snapshot(schema::Snapshot::Builder out) const;
  // The whole state for an actor allowed to export every unit of the store (journaled).
  [[nodiscard]] absl::StatusOr<std::string> ExportSnapshot(const Actor& actor,
                                                           serde::Format format);
  // Loads a full snapshot into an empty registry by turning it into commands (source merge,
  // actor `actor`), applied in atomic chunks; cases come from its caseLog.
  [[nodiscard]] absl::Status ImportSnapshot(const Actor& actor, schema::Snapshot::Reader snapshot);
  // Writes a snapshot through StoreEngine::WriteSnapshot (journal compaction); returns the
  // seq it covers.
  [[nodiscard]] absl::StatusOr<uint64_t> Checkpoint();

  // ---- province merge (docs/exchange.md section 3) ----

  // The journal entries from `from_seq` on (0 or 1: all still in the journal), for a province
  // merge. Same access as ExportSnapshot (journaled). kFailedPrecondition when entries before
  // the asked seq were compacted into a snapshot: merge ExportSnapshot's snapshot first.
  [[nodiscard]] absl::Status ExportJournal(const Actor& actor, uint64_t from_seq,
                                           schema::JournalSegment::Builder out);
  // Merges a commune store's snapshot or journal segment into this (province) register: new
  // and later versions are applied, the same record changed here (or in another store) is
  // recorded as an open conflict and never overwritten; re-merging changes nothing. One
  // atomic journal entry (the produced commands, with mergedFrom, and a recordMerge). `out`
  // tells what happened (seq 0: nothing to commit). Actor: provinceOfficer of a province
  // covering the store, or system.
  [[nodiscard]] absl::Status MergeSnapshot(const Actor& actor, schema::Snapshot::Reader snapshot,
                                           schema::MergeRecord::Builder out);
  [[nodiscard]] absl::Status MergeJournal(const Actor& actor,
                                          schema::JournalSegment::Reader segment,
                                          schema::MergeRecord::Builder out);
  // The merge conflicts (open ones only, or all with their review), oldest first. Personal
  // data: provinceOfficer covering the store or system; journaled.
  [[nodiscard]] absl::Status Conflicts(const Actor& actor, bool open_only,
                                       schema::ConflictList::Builder out);
  // Closes an open conflict (a resolveConflict command): keepCurrent, or takeIncoming, which
  // applies the incoming version in the same entry. Returns the journal seq.
  [[nodiscard]] absl::StatusOr<uint64_t> ResolveConflict(const Actor& actor,
                                                         const core::Uuid& conflict_id,
                                                         schema::ConflictDecision decision,
                                                         std::string_view reason);

  // ---- indicators ----

  // The indicator columns of the current state (no access check: for report code inside the
  // library, which checks the actor). Cached until the next change of data (reads do not
  // count); right after Open, read from the column file written with the snapshot when no
  // change was replayed after it; else built from the state. `units` are the ones keys are
  // resolved on.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<const indicators::Dataset>> IndicatorData(
      const core::AdminUnits& units);

  // ---- facts ----
  uint64_t last_seq() const;
  core::Uuid store_id() const;
  std::vector<std::string> scope() const;
  bool read_only() const;
  // Records currently held of a kind (cases and referrals included).
  size_t Count(schema::RecordKind kind) const;

  struct Impl;

 private:
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "person", "workActivity", ... (the schema enumerant names); "unknown" otherwise.
const char* KindName(schema::RecordKind kind);
// Parses a kind name as above; kInvalidArgument naming `field` when unknown.
absl::StatusOr<schema::RecordKind> KindFromName(std::string_view name, std::string_view field);
// "communeWorker", ... (schema enumerant names).
const char* RoleName(schema::Role role);

}  // namespace treem::registry

#endif  // TREEM_LIB_REGISTRY_REGISTRY_H_
