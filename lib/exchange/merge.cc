#include "exchange/merge.h"

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capnp/any.h"
#include "capnp/dynamic.h"
#include "capnp/schema.h"
#include "capnp/serialize.h"
#include "internal/status_macros.h"
#include "treem/schema/cases.capnp.h"

namespace treem::exchange {
namespace {

namespace s = ::treem::schema;
using internal::Sv;

// Snapshot lists that hold records, with their kind and the Command payload member that
// creates or replaces one (nullptr: none exists).
struct ListSpec {
  const char* list;
  s::RecordKind kind;
  const char* payload;
};
constexpr ListSpec kLists[] = {
    {"households", s::RecordKind::HOUSEHOLD, "upsertHousehold"},
    {"persons", s::RecordKind::PERSON, "upsertPerson"},
    {"establishments", s::RecordKind::ESTABLISHMENT, "upsertEstablishment"},
    {"workActivities", s::RecordKind::WORK_ACTIVITY, "recordWorkActivity"},
    {"riskAssessments", s::RecordKind::RISK_ASSESSMENT, "recordRiskAssessment"},
    {"cases", s::RecordKind::CASE, nullptr},
    {"referrals", s::RecordKind::REFERRAL, nullptr},
    {"serviceProviders", s::RecordKind::SERVICE_PROVIDER, "upsertServiceProvider"},
    {"communications", s::RecordKind::COMMUNICATION_ACTIVITY, "recordCommunication"},
    {"trainings", s::RecordKind::TRAINING_SESSION, "recordTraining"},
    {"inspections", s::RecordKind::INSPECTION, "recordInspection"},
    {"commitments", s::RecordKind::COMMITMENT, "upsertCommitment"},
    {"plans", s::RecordKind::PROGRAMME_PLAN, "loadPlan"},
};

core::Uuid FromSchema(s::Uuid::Reader u) { return core::Uuid{u.getHi(), u.getLo()}; }

void SetUuid(s::Uuid::Builder b, const core::Uuid& id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}

std::string CanonicalOf(capnp::DynamicStruct::Reader r) {
  kj::Array<capnp::word> words = capnp::AnyStruct::Reader(r).canonicalize();
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

core::Uuid DigestOf(std::string_view canonical) { return VersionDigest(canonical); }

// Stable over the pair of versions: the held one (digest and the store that made it; not its
// seq, which a registry may not know for its own older changes) and the incoming one.
core::Uuid ConflictIdOf(const RecordKey& key, const core::Uuid& current_digest,
                        const core::Uuid& current_origin, const core::Uuid& incoming_digest) {
  return core::NameUuid(absl::StrCat("merge/conflict|", static_cast<int>(key.kind), "|",
                                     core::ToString(key.id), "|", core::ToString(current_digest),
                                     "|", core::ToString(current_origin), "|",
                                     core::ToString(incoming_digest)));
}

// What a payload member means for the merge.
enum class PayloadRole { kRecord, kOperation, kDelete, kReference, kBookkeeping, kInvalid };

struct PayloadInfo {
  PayloadRole role = PayloadRole::kInvalid;
  RecordKey target;
};

PayloadInfo Classify(s::Command::Reader command) {
  auto p = command.getPayload();
  PayloadInfo info;
  auto record = [&](s::RecordKind kind, s::Uuid::Reader id) {
    info.role = PayloadRole::kRecord;
    info.target = RecordKey{kind, FromSchema(id)};
  };
  auto operation = [&](s::RecordKind kind, s::Uuid::Reader id) {
    info.role = PayloadRole::kOperation;
    info.target = RecordKey{kind, FromSchema(id)};
  };
  switch (p.which()) {
    case s::Command::Payload::UPSERT_HOUSEHOLD:
      record(s::RecordKind::HOUSEHOLD, p.getUpsertHousehold().getId());
      break;
    case s::Command::Payload::UPSERT_PERSON:
      record(s::RecordKind::PERSON, p.getUpsertPerson().getId());
      break;
    case s::Command::Payload::UPSERT_ESTABLISHMENT:
      record(s::RecordKind::ESTABLISHMENT, p.getUpsertEstablishment().getId());
      break;
    case s::Command::Payload::RECORD_WORK_ACTIVITY:
      record(s::RecordKind::WORK_ACTIVITY, p.getRecordWorkActivity().getId());
      break;
    case s::Command::Payload::RECORD_RISK_ASSESSMENT:
      record(s::RecordKind::RISK_ASSESSMENT, p.getRecordRiskAssessment().getId());
      break;
    case s::Command::Payload::UPSERT_SERVICE_PROVIDER:
      record(s::RecordKind::SERVICE_PROVIDER, p.getUpsertServiceProvider().getId());
      break;
    case s::Command::Payload::RECORD_COMMUNICATION:
      record(s::RecordKind::COMMUNICATION_ACTIVITY, p.getRecordCommunication().getId());
      break;
    case s::Command::Payload::RECORD_TRAINING:
      record(s::RecordKind::TRAINING_SESSION, p.getRecordTraining().getId());
      break;
    case s::Command::Payload::RECORD_INSPECTION:
      record(s::RecordKind::INSPECTION, p.getRecordInspection().getId());
      break;
    case s::Command::Payload::UPSERT_COMMITMENT:
      record(s::RecordKind::COMMITMENT, p.getUpsertCommitment().getId());
      break;
    case s::Command::Payload::LOAD_PLAN:
      record(s::RecordKind::PROGRAMME_PLAN, p.getLoadPlan().getId());
      break;
    case s::Command::Payload::CASE_COMMAND:
      operation(s::RecordKind::CASE, p.getCaseCommand().getCaseId());
      break;
    case s::Command::Payload::UPDATE_COMMITMENT_STATUS:
      operation(s::RecordKind::COMMITMENT, p.getUpdateCommitmentStatus().getCommitmentId());
      break;
    case s::Command::Payload::RECORD_CONSENT:
      operation(s::RecordKind::PERSON, p.getRecordConsent().getPersonId());
      break;
    case s::Command::Payload::LINK_HOUSEHOLD_MEMBER:
      operation(s::RecordKind::HOUSEHOLD, p.getLinkHouseholdMember().getHouseholdId());
      break;
    case s::Command::Payload::DELETE_RECORD:
      info.role = PayloadRole::kDelete;
      info.target =
          RecordKey{p.getDeleteRecord().getKind(), FromSchema(p.getDeleteRecord().getId())};
      break;
    case s::Command::Payload::DEFINE_INDICATOR:
    case s::Command::Payload::LOAD_UNITS:
      info.role = PayloadRole::kReference;
      break;
    case s::Command::Payload::RECORD_ACCESS:     // the store's own read log stays there
    case s::Command::Payload::INIT_STORE:        // its identity
    case s::Command::Payload::RECORD_MERGE:      // its own merges' bookkeeping
    case s::Command::Payload::RESOLVE_CONFLICT:  // its own reviews
      info.role = PayloadRole::kBookkeeping;
      break;
    default:  // none, or a member this release does not know
      info.role = PayloadRole::kInvalid;
      break;
  }
  return info;
}

// One command to emit.
struct Pending {
  capnp::StructSchema::Field payload_field;
  capnp::DynamicValue::Reader value;  // the payload member's value (a record or command body)
  core::Uuid command_id;
  core::Uuid origin;
  uint64_t seq = 0;
};

class Planner {
 public:
  Planner(const MergeState& state, const MergeOptions& options) : state_(state), opt_(options) {}

  const RecordVersion* Current(const RecordKey& key) const {
    if (auto it = overlay_.find(key); it != overlay_.end()) return &it->second;
    if (auto it = state_.records.find(key); it != state_.records.end()) return &it->second;
    return nullptr;
  }

  uint64_t ImportedSeq(const core::Uuid& origin) const {
    if (auto it = seq_overlay_.find(origin); it != seq_overlay_.end()) return it->second;
    if (auto it = state_.imported_seq.find(origin); it != state_.imported_seq.end()) {
      return it->second;
    }
    return 0;
  }

  bool ConflictKnown(const core::Uuid& id) const {
    return state_.reported_conflicts.contains(id) || new_conflicts_.contains(id);
  }

  void AddConflict(const RecordKey& key, s::MergeConflictReason reason,
                   const RecordVersion& current, const core::Uuid& origin, uint64_t seq,
                   std::string incoming_canonical, const core::Uuid& incoming_digest) {
    const core::Uuid id = ConflictIdOf(key, current.digest, current.origin, incoming_digest);
    if (ConflictKnown(id)) {
      ++plan_.stats.known_conflicts;
      return;
    }
    new_conflicts_.insert(id);
    Conflict c;
    c.key = key;
    c.reason = reason;
    c.current = current;
    c.incoming_origin = origin;
    c.incoming_seq = seq;
    c.incoming_canonical = std::move(incoming_canonical);
    c.id = id;
    plan_.conflicts.push_back(std::move(c));
    ++plan_.stats.conflicts;
  }

  void SetVersion(const RecordKey& key, RecordVersion v) {
    if (!opt_.keep_canonical) v.canonical.clear();
    overlay_[key] = v;
    updates_.push_back({key, std::move(v)});
  }

  // An incoming record version. Returns true when it is to be applied.
  bool OfferRecord(const RecordKey& key, capnp::DynamicStruct::Reader record,
                   const core::Uuid& origin, uint64_t seq) {
    std::string canonical = CanonicalOf(record);
    const core::Uuid digest = DigestOf(canonical);
    const RecordVersion* cur = Current(key);
    RecordVersion incoming{origin, seq, digest, std::move(canonical), false};
    if (cur == nullptr) {
      SetVersion(key, std::move(incoming));
      return true;
    }
    if (!cur->deleted && cur->digest == digest) {
      ++plan_.stats.unchanged;
      if (cur->origin == origin && seq > cur->seq) {
        RecordVersion v = *cur;
        v.seq = seq;
        SetVersion(key, std::move(v));
      }
      return false;
    }
    if (cur->origin == origin) {
      // seq == cur->seq from this plan: a later command of the same (batch) entry.
      if (seq > cur->seq || (seq == cur->seq && overlay_.contains(key))) {
        SetVersion(key, std::move(incoming));
        return true;
      }
      if (seq < cur->seq) {
        ++plan_.stats.stale;
        return false;
      }
    }
    AddConflict(key, s::MergeConflictReason::DIVERGENT_VERSIONS, *cur, origin, seq,
                std::move(incoming.canonical), digest);
    return false;
  }

  // An incoming operation or deletion on `key`. Returns true when it is to be applied.
  bool OfferOperation(const RecordKey& key, bool is_delete, s::Command::Reader command,
                      const core::Uuid& origin, uint64_t seq) {
    const RecordVersion* cur = Current(key);
    if (cur != nullptr && cur->origin == origin &&
        (seq < cur->seq || (seq == cur->seq && !overlay_.contains(key)))) {
      ++plan_.stats.stale;
      return false;
    }
    if (cur != nullptr && cur->origin != origin) {
      std::string canonical = CanonicalOf(capnp::toDynamic(command));
      const core::Uuid digest = DigestOf(canonical);
      AddConflict(key,
                  is_delete ? s::MergeConflictReason::FOREIGN_DELETE
                            : s::MergeConflictReason::FOREIGN_OPERATION,
                  *cur, origin, seq, std::move(canonical), digest);
      return false;
    }
    SetVersion(key, RecordVersion{origin, seq, core::Uuid{}, std::string(), is_delete});
    return true;
  }

  void Emit(Pending p) { pending_.push_back(p); }

  void Note(const core::Uuid& origin, uint64_t seq) {
    if (seq > ImportedSeq(origin)) seq_overlay_[origin] = seq;
  }

  absl::StatusOr<MergePlan> Finish() {
    plan_.message = std::make_unique<capnp::MallocMessageBuilder>();
    auto batch = plan_.message->initRoot<s::CommandBatch>();
    auto cmds = batch.initCommands(static_cast<unsigned>(pending_.size()));
    for (size_t i = 0; i < pending_.size(); ++i) {
      const Pending& p = pending_[i];
      auto cmd = cmds[static_cast<unsigned>(i)];
      auto actor = cmd.initActor();
      actor.setUserId(opt_.actor_user_id);
      actor.setRole(opt_.actor_role);
      actor.setUnitCode(opt_.actor_unit_code);
      cmd.initAt().setMicros(opt_.at_micros);
      cmd.setSource(s::DataSource::MERGE);
      SetUuid(cmd.initCommandId(), p.command_id);
      cmd.setNote(absl::StrCat("merge: store ", core::ToString(p.origin), " seq ", p.seq));
      auto from = cmd.initMergedFrom();
      SetUuid(from.initStoreId(), p.origin);
      from.setSeq(p.seq);
      capnp::toDynamic(cmd.getPayload()).set(p.payload_field, p.value);
    }
    plan_.stats.applied = pending_.size();
    plan_.record_updates = std::move(updates_);
    for (const auto& [origin, seq] : seq_overlay_)
      plan_.imported_seq_updates.push_back({origin, seq});
    return std::move(plan_);
  }

  MergePlan& plan() { return plan_; }

 private:
  const MergeState& state_;
  const MergeOptions& opt_;
  absl::flat_hash_map<RecordKey, RecordVersion> overlay_;
  absl::flat_hash_map<core::Uuid, uint64_t> seq_overlay_;
  absl::flat_hash_set<core::Uuid> new_conflicts_;
  std::vector<std::pair<RecordKey, RecordVersion>> updates_;
  std::vector<Pending> pending_;
  MergePlan plan_;
};

absl::Status CheckReader(uint32_t min_reader_version, std::string_view what) {
  if (min_reader_version > s::FORMAT_VERSION) {
    return absl::FailedPreconditionError(absl::StrCat(Sv(what), ": needs reader format version ",
                                                      min_reader_version, ", this library reads ",
                                                      s::FORMAT_VERSION));
  }
  return absl::OkStatus();
}

absl::StatusOr<MergePlan> PlanSnapshot(const MergeState& state, s::Snapshot::Reader in,
                                       const MergeOptions& options) {
  TREEM_RETURN_IF_ERROR(CheckReader(in.getHeader().getMinReaderVersion(), "snapshot"));
  const core::Uuid origin = FromSchema(in.getHeader().getStoreId());
  if (origin.is_nil()) {
    return absl::InvalidArgumentError("snapshot: header.storeId is not set");
  }
  const uint64_t seq = in.getHeader().getLastSeq();
  Planner planner(state, options);
  const auto snap = capnp::toDynamic(in);
  const auto snap_schema = snap.getSchema();
  const auto payload_schema = capnp::Schema::from<s::Command::Payload>();
  planner.plan().stats.reference_data = in.getUnits().size() + in.getIndicators().size();
  for (const ListSpec& spec : kLists) {
    const auto list_field = snap_schema.getFieldByName(spec.list);
    if (!snap.has(list_field)) continue;
    auto list = snap.get(list_field).as<capnp::DynamicList>();
    for (unsigned i = 0; i < list.size(); ++i) {
      auto record = list[i].as<capnp::DynamicStruct>();
      const RecordKey key{spec.kind,
                          FromSchema(record.get("id").as<capnp::DynamicStruct>().as<s::Uuid>())};
      if (key.id.is_nil()) {
        return absl::InvalidArgumentError(
            absl::StrCat("snapshot: ", spec.list, "[", i, "].id is not set"));
      }
      if (!planner.OfferRecord(key, record, origin, seq)) continue;
      if (spec.payload == nullptr) {
        planner.plan().unapplied.push_back(key);
        continue;
      }
      const core::Uuid command_id =
          core::NameUuid(absl::StrCat("merge/snapshot|", core::ToString(origin), "|", seq, "|",
                                      static_cast<int>(spec.kind), "|", core::ToString(key.id)));
      planner.Emit(
          Pending{payload_schema.getFieldByName(spec.payload), record, command_id, origin, seq});
    }
  }
  return planner.Finish();
}

template <typename Entries>
absl::StatusOr<MergePlan> PlanJournal(const MergeState& state, const Entries& entries,
                                      const MergeOptions& options) {
  Planner planner(state, options);
  size_t index = 0;
  for (s::JournalEntry::Reader entry : entries) {
    const std::string what = absl::StrCat("journal entry ", index++);
    TREEM_RETURN_IF_ERROR(CheckReader(entry.getMinReaderVersion(), what));
    const core::Uuid origin = FromSchema(entry.getStoreId());
    // A batch entry holds several commands sharing the entry's seq; else one command.
    std::vector<s::Command::Reader> commands;
    if (entry.hasBatch()) {
      for (auto c : entry.getBatch()) commands.push_back(c);
    } else {
      commands.push_back(entry.getCommand());
    }
    const uint64_t seq = commands.empty() ? 0 : commands.front().getSeq();
    if (origin.is_nil() || seq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": storeId or command.seq is not set"));
    }
    for (size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].getSeq() != seq) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": batch[", i, "].seq differs from the entry's seq"));
      }
      if (Classify(commands[i]).role == PayloadRole::kInvalid) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, commands.size() > 1 ? absl::StrCat(": batch[", i, "]") : "",
                         ": command payload is empty or unknown to this release"));
      }
    }
    if (seq <= planner.ImportedSeq(origin)) {
      ++planner.plan().stats.already_imported;
      continue;
    }
    planner.Note(origin, seq);
    for (size_t i = 0; i < commands.size(); ++i) {
      const s::Command::Reader command = commands[i];
      const PayloadInfo info = Classify(command);
      if (info.role == PayloadRole::kReference || info.role == PayloadRole::kBookkeeping) {
        ++planner.plan().stats.reference_data;
        continue;
      }
      auto payload = capnp::toDynamic(command.getPayload());
      KJ_IF_MAYBE (member, payload.which()) {
        bool apply = false;
        if (info.role == PayloadRole::kRecord) {
          apply = planner.OfferRecord(info.target, payload.get(*member).as<capnp::DynamicStruct>(),
                                      origin, seq);
        } else {
          apply = planner.OfferOperation(info.target, info.role == PayloadRole::kDelete, command,
                                         origin, seq);
        }
        if (!apply) continue;
        const core::Uuid command_id =
            core::NameUuid(absl::StrCat("merge/journal|", core::ToString(origin), "|", seq, "|", i,
                                        "|", core::ToString(FromSchema(command.getCommandId()))));
        planner.Emit(Pending{*member, payload.get(*member), command_id, origin, seq});
      }
    }
  }
  return planner.Finish();
}

}  // namespace

schema::CommandBatch::Reader MergePlan::commands() const {
  if (message == nullptr) return schema::CommandBatch::Reader();
  return const_cast<capnp::MallocMessageBuilder&>(*message)
      .getRoot<schema::CommandBatch>()
      .asReader();
}

void MergePlan::ToConflictList(schema::MergeConflictList::Builder out,
                               int64_t detected_at_micros) const {
  auto list = out.initConflicts(static_cast<unsigned>(conflicts.size()));
  for (size_t i = 0; i < conflicts.size(); ++i) {
    const Conflict& c = conflicts[i];
    auto b = list[static_cast<unsigned>(i)];
    b.setKind(c.key.kind);
    SetUuid(b.initId(), c.key.id);
    b.setReason(c.reason);
    SetUuid(b.initCurrentOrigin(), c.current.origin);
    b.setCurrentSeq(c.current.seq);
    b.setCurrentCanonical(kj::arrayPtr(
        reinterpret_cast<const kj::byte*>(c.current.canonical.data()), c.current.canonical.size()));
    SetUuid(b.initIncomingOrigin(), c.incoming_origin);
    b.setIncomingSeq(c.incoming_seq);
    b.setIncomingCanonical(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(c.incoming_canonical.data()),
                     c.incoming_canonical.size()));
    b.initDetectedAt().setMicros(detected_at_micros);
  }
}

absl::StatusOr<MergePlan> MergeSnapshot(const MergeState& province, schema::Snapshot::Reader in,
                                        const MergeOptions& options) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&] { return PlanSnapshot(province, in, options); });
}

absl::StatusOr<MergePlan> MergeJournal(const MergeState& province,
                                       std::span<const schema::JournalEntry::Reader> entries,
                                       const MergeOptions& options) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&] { return PlanJournal(province, entries, options); });
}

absl::StatusOr<MergePlan> MergeJournal(const MergeState& province,
                                       capnp::List<schema::JournalEntry>::Reader entries,
                                       const MergeOptions& options) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&] { return PlanJournal(province, entries, options); });
}

void ApplyPlan(MergeState& state, const MergePlan& plan) {
  for (const auto& [key, version] : plan.record_updates) state.records[key] = version;
  for (const auto& [origin, seq] : plan.imported_seq_updates) {
    uint64_t& cur = state.imported_seq[origin];
    if (seq > cur) cur = seq;
  }
  for (const auto& c : plan.conflicts) state.reported_conflicts.insert(c.id);
}

std::optional<RecordKey> TargetOf(schema::Command::Reader command) {
  const PayloadInfo info = Classify(command);
  if (info.role == PayloadRole::kRecord || info.role == PayloadRole::kOperation ||
      info.role == PayloadRole::kDelete) {
    return info.target;
  }
  return std::nullopt;
}

std::optional<core::Uuid> PayloadDigest(schema::Command::Reader command) {
  if (Classify(command).role != PayloadRole::kRecord) return std::nullopt;
  auto payload = capnp::toDynamic(command.getPayload());
  KJ_IF_MAYBE (member, payload.which()) {
    return DigestOf(CanonicalOf(payload.get(*member).as<capnp::DynamicStruct>()));
  }
  return std::nullopt;
}

core::Uuid VersionDigest(std::string_view canonical) {
  return core::NameUuid(absl::StrCat("merge/digest|", Sv(canonical)));
}

absl::Status SetUpsertPayload(schema::RecordKind kind, std::string_view canonical,
                              schema::Command::Builder out) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    const ListSpec* spec = nullptr;
    for (const ListSpec& l : kLists) {
      if (l.kind == kind) spec = &l;
    }
    if (spec == nullptr || spec->payload == nullptr) {
      return absl::InvalidArgumentError(
          "kind: no command creates or replaces this kind of record (merge its journal instead)");
    }
    if (canonical.empty() || canonical.size() % sizeof(capnp::word) != 0) {
      return absl::InvalidArgumentError("canonical: not a canonical capnp struct");
    }
    kj::Array<capnp::word> words =
        kj::heapArray<capnp::word>(canonical.size() / sizeof(capnp::word));
    memcpy(words.begin(), canonical.data(), canonical.size());
    capnp::ReaderOptions limits;
    limits.traversalLimitInWords = words.size() * 8 + 1024;
    // Canonical bytes are one segment without a segment table.
    kj::ArrayPtr<const capnp::word> segments[1] = {words.asPtr()};
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1), limits);
    const auto payload_schema = capnp::Schema::from<s::Command::Payload>();
    const auto field = payload_schema.getFieldByName(spec->payload);
    auto record = reader.getRoot<capnp::DynamicStruct>(field.getType().asStruct());
    capnp::toDynamic(out.initPayload()).set(field, record);
    return absl::OkStatus();
  });
}

absl::Status NoteCommand(MergeState& state, const core::Uuid& origin,
                         schema::Command::Reader command, bool keep_canonical) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    const PayloadInfo info = Classify(command);
    const uint64_t seq = command.getSeq();
    RecordVersion v{origin, seq, core::Uuid{}, std::string(), false};
    switch (info.role) {
      case PayloadRole::kRecord: {
        auto payload = capnp::toDynamic(command.getPayload());
        KJ_IF_MAYBE (member, payload.which()) {
          std::string canonical = CanonicalOf(payload.get(*member).as<capnp::DynamicStruct>());
          v.digest = DigestOf(canonical);
          if (keep_canonical) v.canonical = std::move(canonical);
        }
        break;
      }
      case PayloadRole::kOperation:
        break;
      case PayloadRole::kDelete:
        v.deleted = true;
        break;
      default:
        return absl::OkStatus();
    }
    state.records[info.target] = std::move(v);
    return absl::OkStatus();
  });
}

}  // namespace treem::exchange
