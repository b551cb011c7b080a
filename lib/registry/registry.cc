#include "registry/registry.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "capnp/message.h"
#include "capnp/serialize.h"
#include "cases/case_book.h"
#include "exchange/merge.h"
#include "indicators/columns.h"
#include "indicators/dataset.h"
#include "indicators/definitions.h"
#include "internal/status_macros.h"
#include "registry/access.h"
#include "registry/schema_check.h"
#include "rules/api.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/people.capnp.h"
#include "treem/schema/prevention.capnp.h"
#include "treem/schema/units.capnp.h"
#include "treem/schema/work.capnp.h"

namespace treem::registry {
namespace {

using cases::Frozen;
using core::Uuid;
using internal::Sv;
using schema::RecordKind;
using Payload = schema::Command::Payload;

constexpr uint32_t kMinReaderVersion = 1;
constexpr size_t kImportChunk = 2048;
constexpr int64_t kClockSkewMicros = int64_t{5} * 60 * 1000000;

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
// A NUL-terminated copy usable wherever capnp takes Text (KJ requires the terminator; a
// string_view into interned data has none). Lives until the end of the full expression.
struct TextArg {
  std::string s;
  operator capnp::Text::Reader() const { return capnp::Text::Reader(s.c_str(), s.size()); }
  operator kj::StringPtr() const { return kj::StringPtr(s.c_str(), s.size()); }
};
TextArg Text(std::string_view s) { return TextArg{std::string(s)}; }
Uuid IdOf(schema::Uuid::Reader r) { return Uuid{r.getHi(), r.getLo()}; }
void SetId(schema::Uuid::Builder b, const Uuid& id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}

template <typename T>
typename T::Reader Thaw(const Frozen& f) {
  return capnp::readMessageUnchecked<T>(f.begin());
}
template <typename T>
Frozen Freeze(typename T::Reader r) {
  return capnp::canonicalize(r);
}

// Reader limits for a message of `words` words the registry itself wrote (journal entries,
// snapshots): traversal bounded by a multiple of the size, so a damaged or crafted file cannot
// make reading it cost more than a few passes (a 21 KB snapshot once kept Open busy for
// minutes through shared far pointers).
capnp::ReaderOptions BigReader(size_t words) {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = uint64_t{16} * words + (uint64_t{1} << 20);
  o.nestingLimit = 64;
  return o;
}

const char* PayloadName(Payload::Which w) {
  auto s = capnp::Schema::from<schema::Command::Payload>();
  for (auto f : s.getUnionFields()) {
    if (f.getProto().getDiscriminantValue() == static_cast<uint16_t>(w)) {
      return f.getProto().getName().cStr();
    }
  }
  return "unknown";
}

const char* CaseStepName(schema::CaseCommand::Body::Which w) {
  auto s = capnp::Schema::from<schema::CaseCommand::Body>();
  for (auto f : s.getUnionFields()) {
    if (f.getProto().getDiscriminantValue() == static_cast<uint16_t>(w)) {
      return f.getProto().getName().cStr();
    }
  }
  return "unknown";
}

// Kinds kept in the registry's own maps (cases, referrals and providers live in the CaseBook).
bool MapKind(RecordKind k) {
  switch (k) {
    case RecordKind::HOUSEHOLD:
    case RecordKind::PERSON:
    case RecordKind::ESTABLISHMENT:
    case RecordKind::WORK_ACTIVITY:
    case RecordKind::RISK_ASSESSMENT:
    case RecordKind::COMMUNICATION_ACTIVITY:
    case RecordKind::TRAINING_SESSION:
    case RecordKind::INSPECTION:
    case RecordKind::COMMITMENT:
    case RecordKind::PROGRAMME_PLAN:
      return true;
    default:
      return false;
  }
}

struct RefOut {
  RefOut(RecordKind k, Uuid i, std::string c = "") : kind(k), id(i), code(std::move(c)) {}
  RecordKind kind = RecordKind::UNKNOWN;
  Uuid id{};
  std::string code;
};

// One undoable change of the in-memory state.
struct Undo {
  enum class Type {
    kRecord,
    kIndicator,
    kUnit,
    kClassification,
    kAudit,
    kApplied,
    kCaseLog,
    kCaseId,
    kProviderId,
    kIdentity
  };
  explicit Undo(Type t, RecordKind k = RecordKind::UNKNOWN, Uuid i = Uuid{},
                std::string key_in = "")
      : type(t), kind(k), id(i), key(std::move(key_in)) {}
  Type type;
  RecordKind kind = RecordKind::UNKNOWN;
  Uuid id{};
  std::string key;
  std::optional<Frozen> prev;
};

// A record changed by a command, for the merge bookkeeping (applied once the entry commits).
struct MergeTouch {
  exchange::RecordKey key;
  Uuid origin;
  uint64_t seq = 0;
  // The record as the command gave it (upserts); else the digest of the stored record.
  std::optional<Uuid> digest;
};

struct Txn {
  std::vector<Undo> undo;
  bool book_touched = false;
  bool units_touched = false;
  std::vector<Frozen> derived;  // ActivityClassification, in order
  // Province merge bookkeeping, applied when the entry commits (or is replayed).
  bool merge_enabled_here = false;
  std::vector<MergeTouch> merge_touched;
  std::vector<Frozen> merge_records;  // Command (recordMerge)
  std::vector<Frozen> resolutions;    // Command (resolveConflict)
  absl::flat_hash_set<Uuid> resolving;
  bool data_changed = false;  // a command other than recordAccess (indicator data may change)
};

enum class Mode { kLive, kInternal, kImport, kReplay };

bool IsZeroId(const Uuid& id) { return id.hi == 0 && id.lo == 0; }

absl::Status Invalid(std::string_view field, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": ", Sv(reason)));
}

// The indicator column file written with the snapshot covering `seq`.
std::string ColumnsPath(const std::string& dir, uint64_t seq) {
  std::string digits = std::to_string(seq);
  return absl::StrCat(dir, "/columns-", std::string(20 - std::min<size_t>(20, digits.size()), '0'),
                      digits, ".tcol");
}

// An upsert replaces a record but never erases the legal history inside it: consent records
// (by id) and household memberships (by person and start) held but missing from the new
// version are kept after the given ones. A consent is withdrawn (withdrawnOn) and a
// membership ended (linkedTo), never deleted. So re-importing a survey list, which carries
// neither, loses nothing recorded since.
Frozen KeepHeldConsents(schema::Person::Reader in, std::optional<schema::Person::Reader> held) {
  if (!held) return Freeze<schema::Person>(in);
  absl::flat_hash_set<Uuid> given;
  for (auto c : in.getConsents()) given.insert(IdOf(c.getId()));
  std::vector<schema::ConsentRecord::Reader> kept;
  for (auto c : held->getConsents()) {
    if (!given.contains(IdOf(c.getId()))) kept.push_back(c);
  }
  if (kept.empty()) return Freeze<schema::Person>(in);
  capnp::MallocMessageBuilder mb;
  mb.setRoot(in);
  auto b = mb.getRoot<schema::Person>();
  const unsigned n = in.getConsents().size();
  auto list = b.initConsents(n + static_cast<unsigned>(kept.size()));
  for (unsigned i = 0; i < n; ++i) list.setWithCaveats(i, in.getConsents()[i]);
  for (size_t i = 0; i < kept.size(); ++i)
    list.setWithCaveats(n + static_cast<unsigned>(i), kept[i]);
  return capnp::canonicalize(b.asReader());
}

Frozen KeepHeldMembers(schema::Household::Reader in,
                       std::optional<schema::Household::Reader> held) {
  if (!held) return Freeze<schema::Household>(in);
  auto key = [](schema::HouseholdMember::Reader m) {
    auto d = m.getLinkedFrom();
    return std::make_tuple(IdOf(m.getPersonId()), d.getYear(), d.getMonth(), d.getDay());
  };
  std::vector<decltype(key(in.getMembers()[0]))> given;
  for (auto m : in.getMembers()) given.push_back(key(m));
  std::vector<schema::HouseholdMember::Reader> kept;
  for (auto m : held->getMembers()) {
    if (std::find(given.begin(), given.end(), key(m)) == given.end()) kept.push_back(m);
  }
  if (kept.empty()) return Freeze<schema::Household>(in);
  capnp::MallocMessageBuilder mb;
  mb.setRoot(in);
  auto b = mb.getRoot<schema::Household>();
  const unsigned n = in.getMembers().size();
  auto list = b.initMembers(n + static_cast<unsigned>(kept.size()));
  for (unsigned i = 0; i < n; ++i) list.setWithCaveats(i, in.getMembers()[i]);
  for (size_t i = 0; i < kept.size(); ++i)
    list.setWithCaveats(n + static_cast<unsigned>(i), kept[i]);
  return capnp::canonicalize(b.asReader());
}

}  // namespace

const char* KindName(RecordKind kind) {
  auto list = capnp::Schema::from<RecordKind>().getEnumerants();
  auto v = static_cast<uint16_t>(kind);
  if (v < list.size()) return list[v].getProto().getName().cStr();
  return "unknown";
}

absl::StatusOr<RecordKind> KindFromName(std::string_view name, std::string_view field) {
  auto list = capnp::Schema::from<RecordKind>().getEnumerants();
  for (unsigned i = 1; i < list.size(); ++i) {
    if (std::string_view(list[i].getProto().getName().cStr()) == name) {
      return static_cast<RecordKind>(i);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Sv(field), ": unknown record kind '", Sv(name), "'"));
}

const char* RoleName(schema::Role role) {
  auto list = capnp::Schema::from<schema::Role>().getEnumerants();
  auto v = static_cast<uint16_t>(role);
  if (v < list.size()) return list[v].getProto().getName().cStr();
  return "unknown";
}

// ---------------------------------------------------------------------------------------------

struct Registry::Impl {
  RegistryOptions options;
  std::unique_ptr<store::StoreEngine> engine;
  std::unique_ptr<rules::RuleRegistry> rules;
  std::unique_ptr<UnitMap> units;
  mutable absl::Mutex mu;

  // ---- state ----
  Uuid store_id{};
  std::vector<std::string> scope;
  uint64_t last_seq = 0;
  int64_t last_at = 0;
  absl::flat_hash_map<RecordKind, absl::flat_hash_map<Uuid, Frozen>> records;
  std::map<std::string, Frozen> indicators;
  std::map<std::string, Frozen> admin_units;  // code + "@" + validFrom
  absl::flat_hash_map<Uuid, Frozen> classifications;
  std::unique_ptr<cases::CaseBook> book = std::make_unique<cases::CaseBook>();
  std::vector<Frozen> case_log;  // Commands (caseCommand, upsertServiceProvider)
  std::vector<Uuid> case_ids;
  std::vector<Uuid> provider_ids;
  std::vector<Frozen> audit;  // AuditEntry
  absl::flat_hash_map<Uuid, std::vector<uint32_t>> audit_by_id;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> audit_by_code;
  absl::flat_hash_map<Uuid, uint64_t> applied;
  // Province merge bookkeeping (docs/exchange.md section 3), kept from the first merge on.
  bool merge_on = false;
  exchange::MergeState merge;
  std::vector<Frozen> conflicts;  // ConflictRecord, oldest first
  absl::flat_hash_map<Uuid, size_t> conflict_index;
  // Indicator data (docs/indicators.md "Column files"): bumped by every committed entry that
  // changes data; the cached dataset is valid while its version is current. The column file
  // written with the latest snapshot serves when nothing changed after it.
  std::string dir;
  uint64_t data_version = 0;
  std::shared_ptr<const indicators::Dataset> dataset;
  uint64_t dataset_version = 0;
  std::string columns_file;  // for data_version 0 (set by Open), else empty

  int64_t Now() const { return options.clock ? options.clock() : absl::ToUnixMicros(absl::Now()); }

  // ---- lookups ----
  const Frozen* Find(RecordKind k, const Uuid& id) const {
    auto m = records.find(k);
    if (m == records.end()) return nullptr;
    auto it = m->second.find(id);
    return it == m->second.end() ? nullptr : &it->second;
  }
  bool Exists(RecordKind k, const Uuid& id) const {
    switch (k) {
      case RecordKind::CASE:
        return book->FindCase(id) != nullptr;
      case RecordKind::REFERRAL:
        return book->FindReferral(id) != nullptr;
      case RecordKind::SERVICE_PROVIDER:
        return book->providers().Find(id) != nullptr;
      default:
        return Find(k, id) != nullptr;
    }
  }
  std::optional<schema::Person::Reader> Person(const Uuid& id) const {
    const Frozen* f = Find(RecordKind::PERSON, id);
    if (f == nullptr) return std::nullopt;
    return Thaw<schema::Person>(*f);
  }
  std::string CommuneOfPerson(const Uuid& id) const {
    auto p = Person(id);
    return p ? Str(p->getCommuneCode()) : std::string();
  }
  std::string CommuneOfEstablishment(const Uuid& id) const {
    const Frozen* f = Find(RecordKind::ESTABLISHMENT, id);
    return f ? Str(Thaw<schema::Establishment>(*f).getCommuneCode()) : std::string();
  }

  // The admin units a record belongs to (empty: a national or global record).
  std::vector<std::string> UnitsOf(RecordKind k, const Uuid& id) const {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
      if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end())
        out.push_back(std::move(s));
    };
    const Frozen* f = MapKind(k) ? Find(k, id) : nullptr;
    switch (k) {
      case RecordKind::HOUSEHOLD:
        if (f) add(Str(Thaw<schema::Household>(*f).getCommuneCode()));
        break;
      case RecordKind::PERSON:
        if (f) add(Str(Thaw<schema::Person>(*f).getCommuneCode()));
        break;
      case RecordKind::ESTABLISHMENT:
        if (f) add(Str(Thaw<schema::Establishment>(*f).getCommuneCode()));
        break;
      case RecordKind::WORK_ACTIVITY:
        if (f) {
          auto w = Thaw<schema::WorkActivity>(*f);
          add(CommuneOfPerson(IdOf(w.getChildId())));
          add(CommuneOfEstablishment(IdOf(w.getEstablishmentId())));
        }
        break;
      case RecordKind::RISK_ASSESSMENT:
        if (f) add(CommuneOfPerson(IdOf(Thaw<schema::RiskAssessment>(*f).getChildId())));
        break;
      case RecordKind::COMMUNICATION_ACTIVITY:
        if (f) add(Str(Thaw<schema::CommunicationActivity>(*f).getUnitCode()));
        break;
      case RecordKind::TRAINING_SESSION:
        if (f) add(Str(Thaw<schema::TrainingSession>(*f).getUnitCode()));
        break;
      case RecordKind::INSPECTION:
        if (f) {
          auto i = Thaw<schema::Inspection>(*f);
          add(Str(i.getUnitCode()));
          add(CommuneOfEstablishment(IdOf(i.getEstablishmentId())));
        }
        break;
      case RecordKind::COMMITMENT:
        if (f) add(Str(Thaw<schema::Commitment>(*f).getUnitCode()));
        break;
      case RecordKind::PROGRAMME_PLAN:
        if (f) add(Str(Thaw<schema::ProgrammePlan>(*f).getIssuingUnitCode()));
        break;
      case RecordKind::CASE:
        if (auto* c = book->FindCase(id)) add(c->unit_code);
        break;
      case RecordKind::REFERRAL:
        if (auto* r = book->FindReferral(id)) {
          if (auto* c = book->FindCase(r->case_id)) add(c->unit_code);
        }
        break;
      case RecordKind::SERVICE_PROVIDER:
        if (auto* p = book->providers().Find(id)) add(p->unit_code);
        break;
      default:
        break;
    }
    return out;
  }

  std::vector<Uuid> IdsOf(RecordKind k) const {
    std::vector<Uuid> ids;
    if (MapKind(k)) {
      auto m = records.find(k);
      if (m != records.end()) {
        ids.reserve(m->second.size());
        for (const auto& [id, _] : m->second) ids.push_back(id);
      }
    } else if (k == RecordKind::CASE) {
      ids = case_ids;
    } else if (k == RecordKind::REFERRAL) {
      for (const Uuid& c : case_ids) {
        if (auto* f = book->FindCase(c))
          ids.insert(ids.end(), f->referrals.begin(), f->referrals.end());
      }
    } else if (k == RecordKind::SERVICE_PROVIDER) {
      ids = provider_ids;
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // ---- scope and access ----
  bool ScopeCovers(std::string_view code) const {
    if (scope.empty()) return true;
    for (const auto& s : scope) {
      if (units->Covers(s, code)) return true;
    }
    return false;
  }
  // A unit of the store or one containing it (a province plan or provider in a commune store).
  bool ScopeRelated(std::string_view code) const {
    if (ScopeCovers(code)) return true;
    for (const auto& s : scope) {
      if (units->Covers(code, s)) return true;
    }
    return false;
  }
  absl::Status InScope(std::string_view code, std::string_view field, bool related = false) const {
    TREEM_RETURN_IF_ERROR(units->CheckCode(code, field));
    if (related ? ScopeRelated(code) : ScopeCovers(code)) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": unit '", Sv(code),
                                                   "' is outside the store's scope (",
                                                   absl::StrJoin(scope, ", "), ")"));
  }
  bool ActorCovers(const Actor& a, const std::vector<std::string>& record_units) const {
    if (a.role == schema::Role::SYSTEM) return true;
    for (const auto& u : record_units) {
      if (units->Covers(a.unit_code, u)) return true;
    }
    return false;
  }
  bool ActorCoversStore(const Actor& a) const {
    if (a.role == schema::Role::SYSTEM) return true;
    if (scope.empty()) return false;
    for (const auto& s : scope) {
      if (!units->Covers(a.unit_code, s)) return false;
    }
    return true;
  }
  // Full exports (snapshot, journal) carry every personal record: staff of units covering the
  // whole store only.
  absl::Status ExportPermits(const Actor& a, std::string_view what) const {
    switch (a.role) {
      case schema::Role::SYSTEM:
      case schema::Role::PROVINCE_OFFICER:
      case schema::Role::COMMUNE_CHAIR:
      case schema::Role::COMMUNE_WORKER:
        if (ActorCoversStore(a)) return absl::OkStatus();
        return absl::PermissionDeniedError(
            absl::StrCat("role ", RoleName(a.role), " of unit ", a.unit_code,
                         " may not export a store holding units ", absl::StrJoin(scope, ", ")));
      default:
        return absl::PermissionDeniedError(absl::StrCat(
            "role ", RoleName(a.role), " may not export ", Sv(what), " (personal data)"));
    }
  }
  // Role matrix, then units: the actor must work for a unit containing one of the record's.
  absl::Status Authorize(const Actor& a, Op op, RecordKind k,
                         const std::vector<std::string>& units_in) const {
    TREEM_RETURN_IF_ERROR(RolePermits(a, op, k));
    if (a.role == schema::Role::SYSTEM) return absl::OkStatus();
    std::vector<std::string> record_units;
    for (const auto& u : units_in) {
      if (!u.empty()) record_units.push_back(u);
    }
    if (record_units.empty()) {
      if (op != Op::kWrite) return absl::OkStatus();  // national and global records
      if (a.role == schema::Role::PROVINCE_OFFICER) return absl::OkStatus();
      return absl::PermissionDeniedError(absl::StrCat("role ", RoleName(a.role), " may not write ",
                                                      "national ", KindName(k), " records"));
    }
    if (ActorCovers(a, record_units)) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(a.role), " of unit ", a.unit_code, " may not ", OpVerb(op),
                     " ", KindName(k), " records of unit ", absl::StrJoin(record_units, "/")));
  }

  // ---- audit ----
  void PushAudit(schema::Command::Reader cmd, const std::vector<RefOut>& refs, Txn& txn) {
    capnp::MallocMessageBuilder mb(256);
    auto e = mb.initRoot<schema::AuditEntry>();
    e.setSeq(cmd.getSeq());
    e.initAt().setMicros(cmd.getAt().getMicros());
    e.setActor(cmd.getActor());
    e.setSource(cmd.getSource());
    if (cmd.hasCommandId()) e.setCommandId(cmd.getCommandId());
    std::string change = PayloadName(cmd.getPayload().which());
    if (cmd.getPayload().isCaseCommand()) {
      absl::StrAppend(&change, ".",
                      CaseStepName(cmd.getPayload().getCaseCommand().getBody().which()));
    }
    e.setChange(Text(change));
    auto rl = e.initRecords(static_cast<unsigned>(refs.size()));
    for (size_t i = 0; i < refs.size(); ++i) {
      auto r = rl[static_cast<unsigned>(i)];
      r.setKind(refs[i].kind);
      if (!IsZeroId(refs[i].id)) SetId(r.initId(), refs[i].id);
      r.setCode(Text(refs[i].code));
    }
    if (cmd.getPayload().isRecordAccess()) e.setAccess(cmd.getPayload().getRecordAccess());
    IndexAudit(e.asReader(), static_cast<uint32_t>(audit.size()));
    audit.push_back(capnp::canonicalize(e.asReader()));
    txn.undo.emplace_back(Undo::Type::kAudit);
    Uuid cid = cmd.hasCommandId() ? IdOf(cmd.getCommandId()) : Uuid{};
    if (!IsZeroId(cid)) {
      applied.emplace(cid, cmd.getSeq());
      txn.undo.emplace_back(Undo::Type::kApplied, RecordKind::UNKNOWN, cid);
    }
  }
  void IndexAudit(schema::AuditEntry::Reader e, uint32_t index) {
    for (auto r : e.getRecords()) {
      if (r.hasId()) {
        auto& v = audit_by_id[IdOf(r.getId())];
        if (v.empty() || v.back() != index) v.push_back(index);
      }
      if (r.getCode().size() > 0) {
        auto& v = audit_by_code[Str(r.getCode())];
        if (v.empty() || v.back() != index) v.push_back(index);
      }
    }
  }
  void PopAudit() {
    auto e = Thaw<schema::AuditEntry>(audit.back());
    uint32_t index = static_cast<uint32_t>(audit.size() - 1);
    for (auto r : e.getRecords()) {
      if (r.hasId()) {
        auto it = audit_by_id.find(IdOf(r.getId()));
        if (it != audit_by_id.end() && !it->second.empty() && it->second.back() == index) {
          it->second.pop_back();
          if (it->second.empty()) audit_by_id.erase(it);
        }
      }
      if (r.getCode().size() > 0) {
        auto it = audit_by_code.find(Str(r.getCode()));
        if (it != audit_by_code.end() && !it->second.empty() && it->second.back() == index) {
          it->second.pop_back();
          if (it->second.empty()) audit_by_code.erase(it);
        }
      }
    }
    audit.pop_back();
  }

  // ---- mutation with undo ----
  void PutRecord(RecordKind k, const Uuid& id, Frozen value, Txn& txn) {
    auto& m = records[k];
    Undo u(Undo::Type::kRecord, k, id);
    auto it = m.find(id);
    if (it != m.end()) {
      u.prev = std::move(it->second);
      it->second = std::move(value);
    } else {
      m.emplace(id, std::move(value));
    }
    txn.undo.push_back(std::move(u));
  }
  void EraseRecord(RecordKind k, const Uuid& id, Txn& txn) {
    auto& m = records[k];
    auto it = m.find(id);
    if (it == m.end()) return;
    Undo u(Undo::Type::kRecord, k, id);
    u.prev = std::move(it->second);
    m.erase(it);
    txn.undo.push_back(std::move(u));
  }
  void PutClassification(const Uuid& id, std::optional<Frozen> value, Txn& txn) {
    Undo u(Undo::Type::kClassification, RecordKind::WORK_ACTIVITY, id);
    auto it = classifications.find(id);
    if (it != classifications.end()) {
      u.prev = std::move(it->second);
      classifications.erase(it);
    }
    if (value) classifications.emplace(id, std::move(*value));
    txn.undo.push_back(std::move(u));
  }
  template <typename Map>
  void PutKeyed(Map& m, Undo::Type type, const std::string& key, Frozen value, Txn& txn) {
    Undo u(type, RecordKind::UNKNOWN, Uuid{}, key);
    auto it = m.find(key);
    if (it != m.end()) {
      u.prev = std::move(it->second);
      it->second = std::move(value);
    } else {
      m.emplace(key, std::move(value));
    }
    txn.undo.push_back(std::move(u));
  }

  void RelearnUnits() {
    auto fresh = std::make_unique<UnitMap>(options.units, cases::LocalDate(Now()));
    for (const auto& [_, f] : admin_units) {
      auto u = Thaw<schema::AdminUnit>(f);
      fresh->Learn(Str(u.getCode()), Str(u.getParentCode()), Str(u.getProvinceCode()));
    }
    units = std::move(fresh);
  }

  absl::Status RebuildBook() {
    auto fresh = std::make_unique<cases::CaseBook>();
    for (const Frozen& f : case_log) {
      auto cmd = Thaw<schema::Command>(f);
      if (cmd.getPayload().isCaseCommand()) {
        cases::CommandContext ctx{cmd.getAt().getMicros(), cases::ActorFrom(cmd.getActor())};
        absl::Status s = fresh->Apply(cmd.getPayload().getCaseCommand(), ctx);
        if (!s.ok()) {
          return absl::DataLossError(
              absl::StrCat("case log seq ", cmd.getSeq(), ": replay refused: ", s.message()));
        }
      } else if (cmd.getPayload().isUpsertServiceProvider()) {
        TREEM_RETURN_IF_ERROR(fresh->providers().Put(cmd.getPayload().getUpsertServiceProvider()));
      }
    }
    book = std::move(fresh);
    return absl::OkStatus();
  }

  void Rollback(Txn& txn) {
    for (auto it = txn.undo.rbegin(); it != txn.undo.rend(); ++it) {
      Undo& u = *it;
      switch (u.type) {
        case Undo::Type::kRecord: {
          auto& m = records[u.kind];
          if (u.prev)
            m.insert_or_assign(u.id, std::move(*u.prev));
          else
            m.erase(u.id);
          break;
        }
        case Undo::Type::kClassification:
          if (u.prev)
            classifications.insert_or_assign(u.id, std::move(*u.prev));
          else
            classifications.erase(u.id);
          break;
        case Undo::Type::kIndicator:
          if (u.prev)
            indicators.insert_or_assign(u.key, std::move(*u.prev));
          else
            indicators.erase(u.key);
          break;
        case Undo::Type::kUnit:
          if (u.prev)
            admin_units.insert_or_assign(u.key, std::move(*u.prev));
          else
            admin_units.erase(u.key);
          break;
        case Undo::Type::kAudit:
          PopAudit();
          break;
        case Undo::Type::kApplied:
          applied.erase(u.id);
          break;
        case Undo::Type::kCaseLog:
          case_log.pop_back();
          break;
        case Undo::Type::kCaseId:
          case_ids.pop_back();
          break;
        case Undo::Type::kProviderId:
          provider_ids.pop_back();
          break;
        case Undo::Type::kIdentity:
          store_id = Uuid{};
          scope.clear();
          break;
      }
    }
    if (txn.book_touched) {
      absl::Status s = RebuildBook();
      (void)s;  // the log was valid before this transaction
    }
    if (txn.units_touched) RelearnUnits();
    if (txn.merge_enabled_here) {
      merge_on = false;
      merge = exchange::MergeState();
    }
    txn = Txn();
  }

  // ---- province merge bookkeeping ----
  static std::string_view Bytes(const Frozen& f) {
    auto b = f.asBytes();
    return std::string_view(reinterpret_cast<const char*>(b.begin()), b.size());
  }
  // The version of a held record: digest of its canonical bytes (nil for case-book records,
  // which have none); deleted when it is gone.
  exchange::RecordVersion HeldVersion(const exchange::RecordKey& key, const Uuid& origin,
                                      uint64_t seq) const {
    exchange::RecordVersion v{origin, seq, Uuid{}, std::string(), false};
    if (MapKind(key.kind)) {
      const Frozen* f = Find(key.kind, key.id);
      if (f != nullptr)
        v.digest = exchange::VersionDigest(Bytes(*f));
      else
        v.deleted = true;
    } else if (!Exists(key.kind, key.id)) {
      v.deleted = true;
    }
    return v;
  }
  // Starts the bookkeeping: every record held so far is a version made by this store.
  void EnableMerge(Txn& txn) {
    if (merge_on) return;
    merge_on = true;
    txn.merge_enabled_here = true;
    for (const auto& [k, m] : records) {
      for (const auto& [id, f] : m) {
        merge.records[exchange::RecordKey{k, id}] =
            exchange::RecordVersion{store_id, 0, exchange::VersionDigest(Bytes(f)), "", false};
      }
    }
    for (const Uuid& c : case_ids) {
      merge.records[exchange::RecordKey{RecordKind::CASE, c}] =
          exchange::RecordVersion{store_id, 0, Uuid{}, "", false};
    }
  }
  void ApplyMergeEffects(Txn& txn) {
    for (const MergeTouch& t : txn.merge_touched) {
      merge.records[t.key] = HeldVersion(t.key, t.origin, t.seq);
      if (t.digest && !merge.records[t.key].deleted) merge.records[t.key].digest = *t.digest;
    }
    for (const Frozen& f : txn.merge_records) {
      auto cmd = Thaw<schema::Command>(f);
      auto r = cmd.getPayload().getRecordMerge();
      if (!r.getFromSnapshot()) {
        for (auto o : r.getOrigins()) {
          uint64_t& cur = merge.imported_seq[IdOf(o.getStoreId())];
          cur = std::max(cur, o.getSeq());
        }
      }
      for (auto c : r.getConflicts()) {
        const Uuid id = IdOf(c.getId());
        if (conflict_index.contains(id)) continue;
        capnp::MallocMessageBuilder mb;
        mb.setRoot(c);
        auto b = mb.getRoot<schema::ConflictRecord>();
        b.setDetectedSeq(cmd.getSeq());
        b.setStatus(schema::ConflictStatus::OPEN);
        conflict_index.emplace(id, conflicts.size());
        conflicts.push_back(capnp::canonicalize(b.asReader()));
        merge.reported_conflicts.insert(id);
      }
    }
    for (const Frozen& f : txn.resolutions) {
      auto cmd = Thaw<schema::Command>(f);
      auto rc = cmd.getPayload().getResolveConflict();
      auto it = conflict_index.find(IdOf(rc.getConflictId()));
      if (it == conflict_index.end()) continue;
      capnp::MallocMessageBuilder mb;
      mb.setRoot(Thaw<schema::ConflictRecord>(conflicts[it->second]));
      auto b = mb.getRoot<schema::ConflictRecord>();
      b.setStatus(rc.getDecision() == schema::ConflictDecision::TAKE_INCOMING
                      ? schema::ConflictStatus::TOOK_INCOMING
                      : schema::ConflictStatus::KEPT_CURRENT);
      b.setResolvedAt(cmd.getAt());
      b.setResolvedBy(cmd.getActor());
      b.setResolution(rc.getReason());
      conflicts[it->second] = capnp::canonicalize(b.asReader());
    }
    txn.merge_touched.clear();
    txn.merge_records.clear();
    txn.resolutions.clear();
  }

  // ---- classification ----
  absl::StatusOr<std::optional<Frozen>> Classify(schema::WorkActivity::Reader w,
                                                 schema::Person::Reader child, int64_t at,
                                                 uint64_t seq) const {
    if (!child.getBirthDate().hasDate()) return std::optional<Frozen>();
    auto bd = child.getBirthDate().getDate();
    if (bd.getYear() == 0 && bd.getMonth() == 0 && bd.getDay() == 0) return std::optional<Frozen>();
    capnp::MallocMessageBuilder req_mb;
    auto req = req_mb.initRoot<schema::ClassifyRequest>();
    req.setBirthDate(child.getBirthDate());
    req.setActivity(w);
    capnp::MallocMessageBuilder out_mb;
    auto out = out_mb.initRoot<schema::ActivityClassification>();
    SetId(out.initActivityId(), IdOf(w.getId()));
    out.initClassifiedAt().setMicros(at);
    out.setSeq(seq);
    TREEM_RETURN_IF_ERROR(rules::Classify(*rules, req.asReader(), out.initResult()));
    return std::optional<Frozen>(capnp::canonicalize(out.asReader()));
  }

  // ---- the command pipeline ----
  absl::Status Stage(schema::Command::Reader cmd, Mode mode, Txn& txn);
  absl::Status StagePayload(schema::Command::Reader cmd, Mode mode, const Actor& actor, Txn& txn,
                            std::vector<RefOut>& refs);
  absl::StatusOr<uint64_t> Commit(std::vector<capnp::MallocMessageBuilder*>& cmds, Txn& txn,
                                  bool as_batch);
  absl::StatusOr<ApplyResult> ApplyOne(schema::Command::Reader in, Mode mode);
  // dry_run (atomic only): validates every command against the state as the earlier ones
  // leave it, then undoes everything; nothing is journaled.
  absl::StatusOr<uint64_t> ApplyMany(std::span<const schema::Command::Reader> in, bool atomic,
                                     Mode mode, bool dry_run = false);
  absl::Status ReplayEntry(uint64_t seq, std::span<const uint8_t> bytes);
  absl::Status LoadSnapshot(schema::Snapshot::Reader s);
  // `state`: the current state already written as a snapshot (Checkpoint), to build from
  // instead of writing it again.
  absl::StatusOr<std::shared_ptr<const indicators::Dataset>> IndicatorData(
      const core::AdminUnits& units, std::optional<schema::Snapshot::Reader> state = std::nullopt);
  absl::Status Merge(
      const Actor& actor,
      const std::function<absl::StatusOr<exchange::MergePlan>(const exchange::MergeOptions&)>& plan,
      bool from_snapshot, std::vector<std::pair<Uuid, uint64_t>> origins,
      schema::MergeRecord::Builder out);
  absl::Status CommitMerge(const Actor& actor, exchange::MergePlan& plan, bool from_snapshot,
                           const std::vector<std::pair<Uuid, uint64_t>>& origins,
                           schema::MergeRecord::Builder out);
  void WriteState(schema::Snapshot::Builder out) const;
  void WriteList(RecordKind k, const std::vector<Uuid>& ids, int64_t at,
                 schema::Snapshot::Builder out) const;
  absl::Status LogAccess(const Actor& a, schema::AccessOperation op, RecordKind kind,
                         const std::vector<Uuid>& ids, std::string_view purpose,
                         const absl::Status* refusal, uint32_t count);
  // Refusal helper: journal the refusal (best effort) and return it.
  absl::Status Refuse(const Actor& a, schema::AccessOperation op, RecordKind kind,
                      const std::vector<Uuid>& ids, absl::Status refusal) {
    if (!options.read_only) {
      absl::Status s = LogAccess(a, op, kind, ids, "", &refusal, 0);
      if (!s.ok())
        return internal::Annotate(refusal, absl::StrCat("(not audited: ", s.message(), ")"));
    }
    return refusal;
  }
};

// Validates one command against the current state (plus what earlier commands of the same
// transaction did), applies it with undo records, and indexes it in the audit trail.
absl::Status Registry::Impl::Stage(schema::Command::Reader cmd, Mode mode, Txn& txn) {
  Actor actor = cases::ActorFrom(cmd.getActor());
  auto which = cmd.getPayload().which();
  // The schema walk runs on replay too: a journal entry holding a malformed command is
  // refused (kDataLoss naming its seq) instead of being loaded.
  TREEM_RETURN_IF_ERROR(CheckMessage(capnp::toDynamic(cmd), ""));
  if (mode != Mode::kReplay) {
    TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
    if (cmd.getSource() == schema::DataSource::UNKNOWN) return Invalid("source", "required");
    if (which == Payload::NONE) return Invalid("payload", "no change (none)");
    if (mode == Mode::kLive || mode == Mode::kImport) {
      if (which == Payload::INIT_STORE)
        return Invalid("payload", "initStore is written by the registry only");
      if (which == Payload::RECORD_ACCESS && cmd.getSource() != schema::DataSource::MERGE) {
        return Invalid("payload", "recordAccess is written by the registry only (or merged)");
      }
    }
    if (mode == Mode::kLive) {
      // A caller may date a change in the past (a paper form entered later), not ahead of
      // the clock (5 minutes of skew allowed).
      if (cmd.getAt().getMicros() > Now() + kClockSkewMicros) return Invalid("at", "in the future");
      if (which == Payload::RECORD_MERGE)
        return Invalid("payload", "recordMerge is written by the registry's merge only");
      if (cmd.hasMergedFrom()) return Invalid("mergedFrom", "set by the registry's merge only");
    }
  }
  const bool merged = cmd.hasMergedFrom() && !IsZeroId(IdOf(cmd.getMergedFrom().getStoreId()));
  if (!merge_on &&
      (merged || which == Payload::RECORD_MERGE || which == Payload::RESOLVE_CONFLICT)) {
    EnableMerge(txn);
  }
  std::vector<RefOut> refs;
  TREEM_RETURN_IF_ERROR(StagePayload(cmd, mode, actor, txn, refs));
  if (which != Payload::RECORD_ACCESS) txn.data_changed = true;
  if (merge_on && which != Payload::RESOLVE_CONFLICT) {
    if (auto target = exchange::TargetOf(cmd)) {
      txn.merge_touched.push_back(MergeTouch{
          *target, merged ? IdOf(cmd.getMergedFrom().getStoreId()) : store_id,
          merged ? cmd.getMergedFrom().getSeq() : cmd.getSeq(), exchange::PayloadDigest(cmd)});
    }
  }
  PushAudit(cmd, refs, txn);
  return absl::OkStatus();
}

absl::Status Registry::Impl::StagePayload(schema::Command::Reader cmd, Mode mode,
                                          const Actor& actor, Txn& txn, std::vector<RefOut>& refs) {
  const bool check = mode != Mode::kReplay;
  const bool authorize = mode == Mode::kLive;
  const int64_t at = cmd.getAt().getMicros();
  const core::Date today = cases::LocalDate(at);
  auto p = cmd.getPayload();
  auto need_id = [](schema::Uuid::Reader r, std::string_view field) -> absl::StatusOr<Uuid> {
    Uuid id = IdOf(r);
    if (IsZeroId(id)) return Invalid(field, "required");
    return id;
  };
  auto need_ref = [&](RecordKind k, schema::Uuid::Reader r, std::string_view field,
                      bool optional) -> absl::Status {
    Uuid id = IdOf(r);
    if (IsZeroId(id)) return optional ? absl::OkStatus() : Invalid(field, "required");
    if (!check || Exists(k, id)) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat(Sv(field), ": no such ", KindName(k), " record"));
  };
  auto auth = [&](RecordKind k, std::vector<std::string> new_units,
                  const Uuid* existing) -> absl::Status {
    if (!authorize) return absl::OkStatus();
    TREEM_RETURN_IF_ERROR(Authorize(actor, Op::kWrite, k, new_units));
    if (existing != nullptr && Exists(k, *existing)) {
      TREEM_RETURN_IF_ERROR(Authorize(actor, Op::kWrite, k, UnitsOf(k, *existing)));
    }
    return absl::OkStatus();
  };
  auto date_order = [&](schema::Date::Reader first, schema::Date::Reader second,
                        std::string_view f1, std::string_view f2) -> absl::Status {
    if (!check) return absl::OkStatus();
    TREEM_ASSIGN_OR_RETURN(auto a, ReadDate(first, f1));
    TREEM_ASSIGN_OR_RETURN(auto b, ReadDate(second, f2));
    if (a && b && *b < *a) return Invalid(f2, absl::StrCat("before ", Sv(f1)));
    return absl::OkStatus();
  };
  auto required_date = [&](schema::Date::Reader d,
                           std::string_view field) -> absl::StatusOr<core::Date> {
    TREEM_ASSIGN_OR_RETURN(auto v, ReadDate(d, field));
    if (!v) return Invalid(field, "required");
    return *v;
  };
  // A record of a wider area that contains the actor's unit (a district training the
  // commune's officials attended, a province hospital in the commune's service directory) is
  // written on the actor's own authority.
  auto own_or_wider = [&](const std::string& code) -> std::string {
    const bool wider =
        !actor.unit_code.empty() && code != actor.unit_code && units->Covers(code, actor.unit_code);
    return wider ? actor.unit_code : code;
  };
  auto unit_check = [&](capnp::Text::Reader code, std::string_view field,
                        bool related) -> absl::Status {
    if (mode == Mode::kReplay) return absl::OkStatus();
    return InScope(Str(code), field, related);
  };

  switch (p.which()) {
    case Payload::UPSERT_HOUSEHOLD: {
      auto h = p.getUpsertHousehold();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(h.getId(), "upsertHousehold.id"));
      TREEM_RETURN_IF_ERROR(unit_check(h.getCommuneCode(), "upsertHousehold.communeCode", false));
      for (unsigned i = 0; i < h.getMembers().size(); ++i) {
        auto m = h.getMembers()[i];
        std::string f = absl::StrCat("upsertHousehold.members[", i, "]");
        TREEM_RETURN_IF_ERROR(
            need_ref(RecordKind::PERSON, m.getPersonId(), f + ".personId", false));
        TREEM_RETURN_IF_ERROR(
            date_order(m.getLinkedFrom(), m.getLinkedTo(), f + ".linkedFrom", f + ".linkedTo"));
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::HOUSEHOLD, {Str(h.getCommuneCode())}, &id));
      const Frozen* held = Find(RecordKind::HOUSEHOLD, id);
      PutRecord(
          RecordKind::HOUSEHOLD, id,
          KeepHeldMembers(h, held ? std::optional(Thaw<schema::Household>(*held)) : std::nullopt),
          txn);
      refs.emplace_back(RecordKind::HOUSEHOLD, id);
      return absl::OkStatus();
    }
    case Payload::UPSERT_PERSON: {
      auto ps = p.getUpsertPerson();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(ps.getId(), "upsertPerson.id"));
      TREEM_RETURN_IF_ERROR(unit_check(ps.getCommuneCode(), "upsertPerson.communeCode", false));
      TREEM_RETURN_IF_ERROR(
          need_ref(RecordKind::HOUSEHOLD, ps.getHouseholdId(), "upsertPerson.householdId", true));
      if (check) {
        TREEM_ASSIGN_OR_RETURN(
            auto birth, ReadDate(ps.getBirthDate().getDate(), "upsertPerson.birthDate.date"));
        if (birth && *birth > today) return Invalid("upsertPerson.birthDate.date", "in the future");
        auto bd = ps.getBirthDate().getDate();
        TREEM_RETURN_IF_ERROR(date_order(bd, ps.getDeceasedOn(), "upsertPerson.birthDate.date",
                                         "upsertPerson.deceasedOn"));
        TREEM_RETURN_IF_ERROR(date_order(bd, ps.getSchool().getDroppedOutOn(),
                                         "upsertPerson.birthDate.date",
                                         "upsertPerson.school.droppedOutOn"));
        for (unsigned i = 0; i < ps.getSpecialCircumstances().size(); ++i) {
          auto sc = ps.getSpecialCircumstances()[i];
          std::string f = absl::StrCat("upsertPerson.specialCircumstances[", i, "]");
          if (sc.getGroup() == schema::SpecialGroup::UNKNOWN)
            return Invalid(f + ".group", "required");
          TREEM_RETURN_IF_ERROR(
              date_order(sc.getSince(), sc.getUntil(), f + ".since", f + ".until"));
        }
        for (unsigned i = 0; i < ps.getConsents().size(); ++i) {
          std::string f = absl::StrCat("upsertPerson.consents[", i, "].id");
          TREEM_RETURN_IF_ERROR(need_id(ps.getConsents()[i].getId(), f).status());
        }
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::PERSON, {Str(ps.getCommuneCode())}, &id));
      // A changed birth date changes the classification of the child's activities.
      bool reclassify = false;
      if (auto old = Person(id)) {
        auto a = capnp::canonicalize(old->getBirthDate());
        auto b = capnp::canonicalize(ps.getBirthDate());
        reclassify = !(a.asBytes() == b.asBytes());
      }
      PutRecord(RecordKind::PERSON, id, KeepHeldConsents(ps, Person(id)), txn);
      refs.emplace_back(RecordKind::PERSON, id);
      if (reclassify) {
        // Replay drops them too and takes the new ones from the entry's derived facts. An
        // activity the new birth date puts out of scope (18 or over) is left unclassified.
        auto child = *Person(id);
        auto m = records.find(RecordKind::WORK_ACTIVITY);
        if (m != records.end()) {
          std::vector<Uuid> mine;
          for (const auto& [wid, f] : m->second) {
            if (IdOf(Thaw<schema::WorkActivity>(f).getChildId()) == id) mine.push_back(wid);
          }
          std::sort(mine.begin(), mine.end());
          for (const Uuid& wid : mine) {
            std::optional<Frozen> cls;
            if (mode != Mode::kReplay) {
              auto w = Thaw<schema::WorkActivity>(m->second.find(wid)->second);
              auto c = Classify(w, child, at, cmd.getSeq());
              if (c.ok() && *c) {
                cls = std::move(*c);
                txn.derived.push_back(
                    capnp::canonicalize(Thaw<schema::ActivityClassification>(*cls)));
              }
            }
            PutClassification(wid, std::move(cls), txn);
          }
        }
      }
      return absl::OkStatus();
    }
    case Payload::UPSERT_ESTABLISHMENT: {
      auto e = p.getUpsertEstablishment();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(e.getId(), "upsertEstablishment.id"));
      TREEM_RETURN_IF_ERROR(
          unit_check(e.getCommuneCode(), "upsertEstablishment.communeCode", false));
      TREEM_RETURN_IF_ERROR(auth(RecordKind::ESTABLISHMENT, {Str(e.getCommuneCode())}, &id));
      PutRecord(RecordKind::ESTABLISHMENT, id, Freeze<schema::Establishment>(e), txn);
      refs.emplace_back(RecordKind::ESTABLISHMENT, id);
      return absl::OkStatus();
    }
    case Payload::RECORD_WORK_ACTIVITY: {
      auto w = p.getRecordWorkActivity();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(w.getId(), "recordWorkActivity.id"));
      TREEM_RETURN_IF_ERROR(
          need_ref(RecordKind::PERSON, w.getChildId(), "recordWorkActivity.childId", false));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::ESTABLISHMENT, w.getEstablishmentId(),
                                     "recordWorkActivity.establishmentId", true));
      if (check) {
        TREEM_ASSIGN_OR_RETURN(auto obs,
                               ReadDate(w.getObservedOn(), "recordWorkActivity.observedOn"));
        TREEM_ASSIGN_OR_RETURN(auto week, ReadDate(w.getReferenceWeekStart(),
                                                   "recordWorkActivity.referenceWeekStart"));
        if (!obs && !week)
          return Invalid("recordWorkActivity.observedOn", "required (or referenceWeekStart)");
        if (obs && *obs > today) return Invalid("recordWorkActivity.observedOn", "in the future");
      }
      const Uuid child_id = IdOf(w.getChildId());
      TREEM_RETURN_IF_ERROR(auth(
          RecordKind::WORK_ACTIVITY,
          {CommuneOfPerson(child_id), CommuneOfEstablishment(IdOf(w.getEstablishmentId()))}, &id));
      std::optional<Frozen> cls;
      if (mode != Mode::kReplay) {
        auto c = Classify(w, *Person(child_id), at, cmd.getSeq());
        if (!c.ok()) return internal::Annotate(c.status(), "recordWorkActivity");
        cls = std::move(*c);
        if (cls)
          txn.derived.push_back(capnp::canonicalize(Thaw<schema::ActivityClassification>(*cls)));
      }
      PutRecord(RecordKind::WORK_ACTIVITY, id, Freeze<schema::WorkActivity>(w), txn);
      PutClassification(id, std::move(cls), txn);
      refs.emplace_back(RecordKind::WORK_ACTIVITY, id);
      return absl::OkStatus();
    }
    case Payload::RECORD_RISK_ASSESSMENT: {
      auto r = p.getRecordRiskAssessment();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(r.getId(), "recordRiskAssessment.id"));
      TREEM_RETURN_IF_ERROR(
          need_ref(RecordKind::PERSON, r.getChildId(), "recordRiskAssessment.childId", false));
      if (check) {
        TREEM_ASSIGN_OR_RETURN(core::Date d,
                               required_date(r.getDate(), "recordRiskAssessment.date"));
        if (d > today) return Invalid("recordRiskAssessment.date", "in the future");
        auto child = *Person(IdOf(r.getChildId()));
        TREEM_ASSIGN_OR_RETURN(auto birth, ReadDate(child.getBirthDate().getDate(), "birthDate"));
        if (birth && d < *birth && !child.getBirthDate().getEstimated()) {
          return Invalid("recordRiskAssessment.date", "before the child's birth date");
        }
      }
      TREEM_RETURN_IF_ERROR(
          auth(RecordKind::RISK_ASSESSMENT, {CommuneOfPerson(IdOf(r.getChildId()))}, &id));
      PutRecord(RecordKind::RISK_ASSESSMENT, id, Freeze<schema::RiskAssessment>(r), txn);
      refs.emplace_back(RecordKind::RISK_ASSESSMENT, id);
      return absl::OkStatus();
    }
    case Payload::CASE_COMMAND: {
      auto cc = p.getCaseCommand();
      TREEM_ASSIGN_OR_RETURN(Uuid case_id, need_id(cc.getCaseId(), "caseCommand.caseId"));
      std::vector<std::string> case_units;
      const bool opening = cc.getBody().isOpenCase();
      if (opening) {
        auto o = cc.getBody().getOpenCase();
        if (check && IdOf(o.getCaseId()) != case_id) {
          return Invalid("caseCommand.openCase.caseId", "differs from caseCommand.caseId");
        }
        TREEM_RETURN_IF_ERROR(
            need_ref(RecordKind::PERSON, o.getChildId(), "caseCommand.openCase.childId", false));
        TREEM_RETURN_IF_ERROR(unit_check(o.getUnitCode(), "caseCommand.openCase.unitCode", false));
        case_units = {Str(o.getUnitCode())};
      } else {
        if (check && !Exists(RecordKind::CASE, case_id)) {
          return absl::NotFoundError("caseCommand.caseId: no such case record");
        }
        case_units = UnitsOf(RecordKind::CASE, case_id);
        if (check && cc.getBody().isForward()) {
          TREEM_RETURN_IF_ERROR(units->CheckCode(Str(cc.getBody().getForward().getToUnitCode()),
                                                 "caseCommand.forward.toUnitCode"));
        }
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::CASE, case_units, nullptr));
      cases::CommandContext ctx{at, actor};
      TREEM_RETURN_IF_ERROR(internal::Annotate(book->Apply(cc, ctx), "caseCommand"));
      txn.book_touched = true;
      case_log.push_back(capnp::canonicalize(cmd));
      txn.undo.emplace_back(Undo::Type::kCaseLog);
      if (opening) {
        case_ids.push_back(case_id);
        txn.undo.emplace_back(Undo::Type::kCaseId);
      }
      refs.emplace_back(RecordKind::CASE, case_id);
      if (cc.getBody().isRequestReferral()) {
        refs.emplace_back(RecordKind::REFERRAL,
                          IdOf(cc.getBody().getRequestReferral().getReferralId()));
      } else if (cc.getBody().isUpdateReferral()) {
        refs.emplace_back(RecordKind::REFERRAL,
                          IdOf(cc.getBody().getUpdateReferral().getReferralId()));
      }
      return absl::OkStatus();
    }
    case Payload::UPSERT_SERVICE_PROVIDER: {
      auto sp = p.getUpsertServiceProvider();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(sp.getId(), "upsertServiceProvider.id"));
      std::vector<std::string> u;
      if (sp.getUnitCode().size() > 0) {
        TREEM_RETURN_IF_ERROR(unit_check(sp.getUnitCode(), "upsertServiceProvider.unitCode", true));
        u.push_back(own_or_wider(Str(sp.getUnitCode())));
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::SERVICE_PROVIDER, u, &id));
      const bool is_new = !Exists(RecordKind::SERVICE_PROVIDER, id);
      TREEM_RETURN_IF_ERROR(internal::Annotate(book->providers().Put(sp), "upsertServiceProvider"));
      txn.book_touched = true;
      case_log.push_back(capnp::canonicalize(cmd));
      txn.undo.emplace_back(Undo::Type::kCaseLog);
      if (is_new) {
        provider_ids.push_back(id);
        txn.undo.emplace_back(Undo::Type::kProviderId);
      }
      refs.emplace_back(RecordKind::SERVICE_PROVIDER, id);
      return absl::OkStatus();
    }
    case Payload::RECORD_COMMUNICATION:
    case Payload::RECORD_TRAINING: {
      const bool comm = p.isRecordCommunication();
      const std::string name = comm ? "recordCommunication" : "recordTraining";
      const RecordKind kind =
          comm ? RecordKind::COMMUNICATION_ACTIVITY : RecordKind::TRAINING_SESSION;
      auto id_r = comm ? p.getRecordCommunication().getId() : p.getRecordTraining().getId();
      auto date = comm ? p.getRecordCommunication().getDate() : p.getRecordTraining().getDate();
      auto end =
          comm ? p.getRecordCommunication().getEndDate() : p.getRecordTraining().getEndDate();
      auto unit =
          comm ? p.getRecordCommunication().getUnitCode() : p.getRecordTraining().getUnitCode();
      auto parts = comm ? p.getRecordCommunication().getParticipants()
                        : p.getRecordTraining().getParticipants();
      auto orgs = comm ? p.getRecordCommunication().getOrganisationIds()
                       : p.getRecordTraining().getOrganisationIds();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(id_r, name + ".id"));
      if (check) TREEM_RETURN_IF_ERROR(required_date(date, name + ".date").status());
      TREEM_RETURN_IF_ERROR(date_order(date, end, name + ".date", name + ".endDate"));
      TREEM_RETURN_IF_ERROR(unit_check(unit, name + ".unitCode", !comm));
      for (unsigned i = 0; i < parts.size(); ++i) {
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::PERSON, parts[i].getPersonId(),
                                       absl::StrCat(name, ".participants[", i, "].personId"),
                                       false));
      }
      for (unsigned i = 0; i < orgs.size(); ++i) {
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::ESTABLISHMENT, orgs[i],
                                       absl::StrCat(name, ".organisationIds[", i, "]"), false));
      }
      TREEM_RETURN_IF_ERROR(auth(kind, {comm ? Str(unit) : own_or_wider(Str(unit))}, &id));
      PutRecord(kind, id,
                comm ? Freeze<schema::CommunicationActivity>(p.getRecordCommunication())
                     : Freeze<schema::TrainingSession>(p.getRecordTraining()),
                txn);
      refs.emplace_back(kind, id);
      return absl::OkStatus();
    }
    case Payload::RECORD_INSPECTION: {
      auto in = p.getRecordInspection();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(in.getId(), "recordInspection.id"));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::ESTABLISHMENT, in.getEstablishmentId(),
                                     "recordInspection.establishmentId", false));
      if (check) {
        TREEM_ASSIGN_OR_RETURN(core::Date d, required_date(in.getDate(), "recordInspection.date"));
        if (d > today) return Invalid("recordInspection.date", "in the future");
      }
      TREEM_RETURN_IF_ERROR(unit_check(in.getUnitCode(), "recordInspection.unitCode", false));
      for (unsigned i = 0; i < in.getFindings().size(); ++i) {
        auto f = in.getFindings()[i];
        std::string n = absl::StrCat("recordInspection.findings[", i, "]");
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::PERSON, f.getChildId(), n + ".childId", true));
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::WORK_ACTIVITY, f.getWorkActivityId(),
                                       n + ".workActivityId", true));
      }
      TREEM_RETURN_IF_ERROR(auth(
          RecordKind::INSPECTION,
          {Str(in.getUnitCode()), CommuneOfEstablishment(IdOf(in.getEstablishmentId()))}, &id));
      PutRecord(RecordKind::INSPECTION, id, Freeze<schema::Inspection>(in), txn);
      refs.emplace_back(RecordKind::INSPECTION, id);
      return absl::OkStatus();
    }
    case Payload::UPSERT_COMMITMENT: {
      auto c = p.getUpsertCommitment();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(c.getId(), "upsertCommitment.id"));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::ESTABLISHMENT, c.getEstablishmentId(),
                                     "upsertCommitment.establishmentId", false));
      TREEM_RETURN_IF_ERROR(
          need_ref(RecordKind::COMMITMENT, c.getPreviousId(), "upsertCommitment.previousId", true));
      if (check)
        TREEM_RETURN_IF_ERROR(required_date(c.getSignedOn(), "upsertCommitment.signedOn").status());
      TREEM_RETURN_IF_ERROR(date_order(c.getSignedOn(), c.getValidTo(), "upsertCommitment.signedOn",
                                       "upsertCommitment.validTo"));
      TREEM_RETURN_IF_ERROR(unit_check(c.getUnitCode(), "upsertCommitment.unitCode", false));
      TREEM_RETURN_IF_ERROR(auth(RecordKind::COMMITMENT, {Str(c.getUnitCode())}, &id));
      PutRecord(RecordKind::COMMITMENT, id, Freeze<schema::Commitment>(c), txn);
      refs.emplace_back(RecordKind::COMMITMENT, id);
      return absl::OkStatus();
    }
    case Payload::UPDATE_COMMITMENT_STATUS: {
      auto u = p.getUpdateCommitmentStatus();
      TREEM_ASSIGN_OR_RETURN(Uuid id,
                             need_id(u.getCommitmentId(), "updateCommitmentStatus.commitmentId"));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::COMMITMENT, u.getCommitmentId(),
                                     "updateCommitmentStatus.commitmentId", false));
      auto old = Thaw<schema::Commitment>(*Find(RecordKind::COMMITMENT, id));
      auto change = u.getChange();
      if (check) {
        if (change.getStatus() == schema::CommitmentStatus::UNKNOWN) {
          return Invalid("updateCommitmentStatus.change.status", "required");
        }
        TREEM_RETURN_IF_ERROR(
            required_date(change.getOn(), "updateCommitmentStatus.change.on").status());
        TREEM_RETURN_IF_ERROR(date_order(old.getSignedOn(), change.getOn(), "signedOn",
                                         "updateCommitmentStatus.change.on"));
        const bool renewed = change.getStatus() == schema::CommitmentStatus::RENEWED;
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::COMMITMENT, u.getRenewedById(),
                                       "updateCommitmentStatus.renewedById", !renewed));
        TREEM_RETURN_IF_ERROR(need_ref(RecordKind::INSPECTION, change.getInspectionId(),
                                       "updateCommitmentStatus.change.inspectionId", true));
      }
      TREEM_RETURN_IF_ERROR(
          auth(RecordKind::COMMITMENT, UnitsOf(RecordKind::COMMITMENT, id), nullptr));
      capnp::MallocMessageBuilder mb;
      mb.setRoot(old);
      auto b = mb.getRoot<schema::Commitment>();
      b.setStatus(change.getStatus());
      auto hist = old.getHistory();
      auto nh = b.initHistory(hist.size() + 1);
      for (unsigned i = 0; i < hist.size(); ++i) nh.setWithCaveats(i, hist[i]);
      nh.setWithCaveats(hist.size(), change);
      if (!IsZeroId(IdOf(u.getRenewedById()))) b.setRenewedById(u.getRenewedById());
      PutRecord(RecordKind::COMMITMENT, id, capnp::canonicalize(b.asReader()), txn);
      refs.emplace_back(RecordKind::COMMITMENT, id);
      return absl::OkStatus();
    }
    case Payload::LOAD_PLAN: {
      auto pl = p.getLoadPlan();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(pl.getId(), "loadPlan.id"));
      std::vector<std::string> u;
      if (pl.getIssuingUnitCode().size() > 0) {
        TREEM_RETURN_IF_ERROR(
            unit_check(pl.getIssuingUnitCode(), "loadPlan.issuingUnitCode", true));
        u.push_back(Str(pl.getIssuingUnitCode()));
      }
      if (check) {
        for (unsigned i = 0; i < pl.getTargets().size(); ++i) {
          auto t = pl.getTargets()[i];
          std::string f = absl::StrCat("loadPlan.targets[", i, "]");
          // The indicator is one defined in this store (defineIndicator) or one of the
          // definitions shipped with the library (P1-P10 and the operational figures).
          auto def = indicators.find(Str(t.getIndicatorId()));
          const indicators::IndicatorDef* builtin =
              def == indicators.end() ? indicators::FindBuiltin(Str(t.getIndicatorId())) : nullptr;
          if (def == indicators.end() && builtin == nullptr) {
            return absl::NotFoundError(absl::StrCat(
                f, ".indicatorId: indicator '", Sv(Str(t.getIndicatorId())), "' is not defined"));
          }
          double v = t.getValue();
          if (!(v >= 0))
            return Invalid(f + ".value", absl::StrCat(v, " is negative or not a number"));
          auto unit = builtin != nullptr ? builtin->unit
                                         : Thaw<schema::IndicatorDefinition>(def->second).getUnit();
          if (unit == schema::IndicatorUnit::PERCENT && v > 100) {
            return Invalid(f + ".value", absl::StrCat(v, " is above 100 for the percent indicator ",
                                                      Sv(Str(t.getIndicatorId()))));
          }
        }
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::PROGRAMME_PLAN, u, &id));
      PutRecord(RecordKind::PROGRAMME_PLAN, id, Freeze<schema::ProgrammePlan>(pl), txn);
      refs.emplace_back(RecordKind::PROGRAMME_PLAN, id);
      return absl::OkStatus();
    }
    case Payload::DEFINE_INDICATOR: {
      auto d = p.getDefineIndicator();
      std::string key = Str(d.getId());
      if (key.empty()) return Invalid("defineIndicator.id", "required");
      TREEM_RETURN_IF_ERROR(auth(RecordKind::INDICATOR_DEFINITION, {}, nullptr));
      PutKeyed(indicators, Undo::Type::kIndicator, key, Freeze<schema::IndicatorDefinition>(d),
               txn);
      refs.emplace_back(RecordKind::INDICATOR_DEFINITION, Uuid{}, key);
      return absl::OkStatus();
    }
    case Payload::LOAD_UNITS: {
      auto l = p.getLoadUnits();
      for (unsigned i = 0; i < l.getUnits().size(); ++i) {
        if (l.getUnits()[i].getCode().size() == 0) {
          return Invalid(absl::StrCat("loadUnits.units[", i, "].code"), "required");
        }
      }
      TREEM_RETURN_IF_ERROR(auth(RecordKind::ADMIN_UNIT, {}, nullptr));
      for (auto u : l.getUnits()) {
        auto vf = u.getValidFrom();
        std::string key =
            absl::StrCat(Str(u.getCode()), "@", vf.getYear(), "-", vf.getMonth(), "-", vf.getDay());
        PutKeyed(admin_units, Undo::Type::kUnit, key, Freeze<schema::AdminUnit>(u), txn);
        units->Learn(Str(u.getCode()), Str(u.getParentCode()), Str(u.getProvinceCode()));
        refs.emplace_back(RecordKind::ADMIN_UNIT, Uuid{}, Str(u.getCode()));
      }
      txn.units_touched = true;
      return absl::OkStatus();
    }
    case Payload::RECORD_CONSENT: {
      auto rc = p.getRecordConsent();
      TREEM_ASSIGN_OR_RETURN(Uuid pid, need_id(rc.getPersonId(), "recordConsent.personId"));
      TREEM_RETURN_IF_ERROR(
          need_ref(RecordKind::PERSON, rc.getPersonId(), "recordConsent.personId", false));
      auto c = rc.getConsent();
      TREEM_ASSIGN_OR_RETURN(Uuid cid, need_id(c.getId(), "recordConsent.consent.id"));
      TREEM_RETURN_IF_ERROR(date_order(c.getGivenOn(), c.getWithdrawnOn(),
                                       "recordConsent.consent.givenOn",
                                       "recordConsent.consent.withdrawnOn"));
      TREEM_RETURN_IF_ERROR(auth(RecordKind::PERSON, UnitsOf(RecordKind::PERSON, pid), nullptr));
      auto old = *Person(pid);
      capnp::MallocMessageBuilder mb;
      mb.setRoot(old);
      auto b = mb.getRoot<schema::Person>();
      auto oc = old.getConsents();
      int replace = -1;
      for (unsigned i = 0; i < oc.size(); ++i) {
        if (IdOf(oc[i].getId()) == cid) replace = static_cast<int>(i);
      }
      auto nc = b.initConsents(oc.size() + (replace < 0 ? 1 : 0));
      for (unsigned i = 0; i < oc.size(); ++i) {
        nc.setWithCaveats(i, static_cast<int>(i) == replace ? c : oc[i]);
      }
      if (replace < 0) nc.setWithCaveats(oc.size(), c);
      PutRecord(RecordKind::PERSON, pid, capnp::canonicalize(b.asReader()), txn);
      refs.emplace_back(RecordKind::PERSON, pid);
      return absl::OkStatus();
    }
    case Payload::LINK_HOUSEHOLD_MEMBER: {
      auto lm = p.getLinkHouseholdMember();
      TREEM_ASSIGN_OR_RETURN(Uuid hid,
                             need_id(lm.getHouseholdId(), "linkHouseholdMember.householdId"));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::HOUSEHOLD, lm.getHouseholdId(),
                                     "linkHouseholdMember.householdId", false));
      auto m = lm.getMember();
      TREEM_ASSIGN_OR_RETURN(Uuid pid,
                             need_id(m.getPersonId(), "linkHouseholdMember.member.personId"));
      TREEM_RETURN_IF_ERROR(need_ref(RecordKind::PERSON, m.getPersonId(),
                                     "linkHouseholdMember.member.personId", false));
      TREEM_RETURN_IF_ERROR(date_order(m.getLinkedFrom(), m.getLinkedTo(),
                                       "linkHouseholdMember.member.linkedFrom",
                                       "linkHouseholdMember.member.linkedTo"));
      TREEM_RETURN_IF_ERROR(
          auth(RecordKind::HOUSEHOLD, UnitsOf(RecordKind::HOUSEHOLD, hid), nullptr));
      auto old = Thaw<schema::Household>(*Find(RecordKind::HOUSEHOLD, hid));
      capnp::MallocMessageBuilder mb;
      mb.setRoot(old);
      auto b = mb.getRoot<schema::Household>();
      auto om = old.getMembers();
      int replace = -1;  // the person's open membership is updated (e.g. ended)
      for (unsigned i = 0; i < om.size(); ++i) {
        auto to = om[i].getLinkedTo();
        if (IdOf(om[i].getPersonId()) == pid && to.getYear() == 0 && to.getMonth() == 0 &&
            to.getDay() == 0) {
          replace = static_cast<int>(i);
        }
      }
      auto nm = b.initMembers(om.size() + (replace < 0 ? 1 : 0));
      for (unsigned i = 0; i < om.size(); ++i)
        nm.setWithCaveats(i, static_cast<int>(i) == replace ? m : om[i]);
      if (replace < 0) nm.setWithCaveats(om.size(), m);
      PutRecord(RecordKind::HOUSEHOLD, hid, capnp::canonicalize(b.asReader()), txn);
      refs.emplace_back(RecordKind::HOUSEHOLD, hid);
      refs.emplace_back(RecordKind::PERSON, pid);
      return absl::OkStatus();
    }
    case Payload::DELETE_RECORD: {
      auto d = p.getDeleteRecord();
      const RecordKind k = d.getKind();
      TREEM_ASSIGN_OR_RETURN(Uuid id, need_id(d.getId(), "deleteRecord.id"));
      if (check) {
        if (!MapKind(k)) {
          return Invalid("deleteRecord.kind",
                         absl::StrCat(KindName(k), " records cannot be deleted",
                                      k == RecordKind::CASE ? " (close the case)" : ""));
        }
        if (d.getReason().size() == 0) return Invalid("deleteRecord.reason", "required");
        if (!Exists(k, id)) {
          return absl::NotFoundError(
              absl::StrCat("deleteRecord.id: no such ", KindName(k), " record"));
        }
        auto referenced = [&](RecordKind by, auto pred) {
          auto m = records.find(by);
          if (m == records.end()) return false;
          for (const auto& [_, f] : m->second) {
            if (pred(f)) return true;
          }
          return false;
        };
        auto refused = [&](const char* by) {
          return absl::FailedPreconditionError(
              absl::StrCat("deleteRecord: the ", KindName(k), " is still referenced by ", by));
        };
        if (k == RecordKind::PERSON) {
          if (referenced(RecordKind::WORK_ACTIVITY, [&](const Frozen& f) {
                return IdOf(Thaw<schema::WorkActivity>(f).getChildId()) == id;
              }))
            return refused("work activities");
          if (referenced(RecordKind::RISK_ASSESSMENT, [&](const Frozen& f) {
                return IdOf(Thaw<schema::RiskAssessment>(f).getChildId()) == id;
              }))
            return refused("risk assessments");
          for (const Uuid& c : case_ids) {
            auto* cf = book->FindCase(c);
            if (cf != nullptr && cf->child_id == id) return refused("cases");
          }
        } else if (k == RecordKind::ESTABLISHMENT) {
          if (referenced(RecordKind::WORK_ACTIVITY, [&](const Frozen& f) {
                return IdOf(Thaw<schema::WorkActivity>(f).getEstablishmentId()) == id;
              }))
            return refused("work activities");
          if (referenced(RecordKind::INSPECTION, [&](const Frozen& f) {
                return IdOf(Thaw<schema::Inspection>(f).getEstablishmentId()) == id;
              }))
            return refused("inspections");
          if (referenced(RecordKind::COMMITMENT, [&](const Frozen& f) {
                return IdOf(Thaw<schema::Commitment>(f).getEstablishmentId()) == id;
              }))
            return refused("commitments");
        } else if (k == RecordKind::HOUSEHOLD) {
          if (referenced(RecordKind::PERSON, [&](const Frozen& f) {
                return IdOf(Thaw<schema::Person>(f).getHouseholdId()) == id;
              }))
            return refused("persons");
        }
      }
      TREEM_RETURN_IF_ERROR(auth(k, UnitsOf(k, id), nullptr));
      EraseRecord(k, id, txn);
      if (k == RecordKind::WORK_ACTIVITY) PutClassification(id, std::nullopt, txn);
      refs.emplace_back(k, id);
      return absl::OkStatus();
    }
    case Payload::RECORD_ACCESS: {
      auto a = p.getRecordAccess();
      for (auto r : a.getRecordIds()) refs.emplace_back(a.getKind(), IdOf(r));
      return absl::OkStatus();
    }
    case Payload::INIT_STORE: {
      auto s = p.getInitStore();
      store_id = IdOf(s.getStoreId());
      scope.clear();
      for (auto c : s.getUnitScope()) scope.push_back(Str(c));
      txn.undo.emplace_back(Undo::Type::kIdentity);
      return absl::OkStatus();
    }
    case Payload::RECORD_MERGE: {
      auto m = p.getRecordMerge();
      for (unsigned i = 0; i < m.getConflicts().size(); ++i) {
        auto c = m.getConflicts()[i];
        std::string f = absl::StrCat("recordMerge.conflicts[", i, "]");
        TREEM_RETURN_IF_ERROR(need_id(c.getId(), f + ".id").status());
        TREEM_RETURN_IF_ERROR(need_id(c.getRecordId(), f + ".recordId").status());
        if (check && c.getReason() == schema::ConflictReason::UNKNOWN)
          return Invalid(f + ".reason", "required");
        refs.emplace_back(c.getKind(), IdOf(c.getRecordId()));
      }
      txn.merge_records.push_back(capnp::canonicalize(cmd));
      return absl::OkStatus();
    }
    case Payload::RESOLVE_CONFLICT: {
      auto rc = p.getResolveConflict();
      TREEM_ASSIGN_OR_RETURN(Uuid cid, need_id(rc.getConflictId(), "resolveConflict.conflictId"));
      auto it = conflict_index.find(cid);
      if (it == conflict_index.end())
        return absl::NotFoundError("resolveConflict.conflictId: no such conflict");
      auto c = Thaw<schema::ConflictRecord>(conflicts[it->second]);
      if (check) {
        if (c.getStatus() != schema::ConflictStatus::OPEN || txn.resolving.contains(cid)) {
          return absl::FailedPreconditionError(
              "resolveConflict.conflictId: the conflict is already resolved");
        }
        if (rc.getDecision() == schema::ConflictDecision::UNKNOWN)
          return Invalid("resolveConflict.decision", "required (keepCurrent or takeIncoming)");
        if (rc.getReason().size() == 0) return Invalid("resolveConflict.reason", "required");
      }
      if (authorize) {
        if ((actor.role != schema::Role::PROVINCE_OFFICER && actor.role != schema::Role::SYSTEM) ||
            !ActorCoversStore(actor)) {
          return absl::PermissionDeniedError(
              absl::StrCat("role ", RoleName(actor.role), " of unit ", actor.unit_code,
                           " may not resolve merge conflicts of this store"));
        }
      }
      txn.resolving.insert(cid);
      if (rc.getDecision() == schema::ConflictDecision::TAKE_INCOMING) {
        // The incoming version (a record: its upsert; an operation: the command itself),
        // validated like any command and journaled inside this one.
        capnp::MallocMessageBuilder nb;
        auto incoming = c.getIncomingCanonical();
        const std::string_view bytes(reinterpret_cast<const char*>(incoming.begin()),
                                     incoming.size());
        if (c.getReason() == schema::ConflictReason::DIVERGENT_VERSIONS) {
          TREEM_RETURN_IF_ERROR(internal::Annotate(
              exchange::SetUpsertPayload(c.getKind(), bytes, nb.initRoot<schema::Command>()),
              "resolveConflict: incoming version"));
        } else {
          if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
            return Invalid("resolveConflict", "the incoming command is not stored");
          auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
          memcpy(words.begin(), bytes.data(), bytes.size());
          // Canonical bytes are one segment without a segment table.
          kj::ArrayPtr<const capnp::word> segments[1] = {words.asPtr()};
          capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1),
                                                  BigReader(words.size()));
          nb.setRoot(reader.getRoot<schema::Command>());
        }
        auto n = nb.getRoot<schema::Command>();
        n.setActor(cmd.getActor());
        n.setSource(schema::DataSource::MERGE);
        n.setSeq(cmd.getSeq());
        n.setAt(cmd.getAt());
        n.disownCommandId();
        n.setNote("resolveConflict: incoming version");
        n.setMergedFrom(c.getIncoming());
        TREEM_RETURN_IF_ERROR(internal::Annotate(
            Stage(n.asReader(), mode == Mode::kReplay ? Mode::kReplay : Mode::kImport, txn),
            "resolveConflict: incoming version"));
      }
      refs.emplace_back(c.getKind(), IdOf(c.getRecordId()));
      txn.resolutions.push_back(capnp::canonicalize(cmd));
      return absl::OkStatus();
    }
    case Payload::NONE:
      return Invalid("payload", "no change (none)");
  }
  return Invalid("payload", "unknown command (written by a newer version?)");
}

// Writes the staged commands as one journal entry and makes the transaction final.
absl::StatusOr<uint64_t> Registry::Impl::Commit(std::vector<capnp::MallocMessageBuilder*>& cmds,
                                                Txn& txn, bool as_batch) {
  const uint64_t seq = last_seq + 1;
  capnp::MallocMessageBuilder mb;
  auto e = mb.initRoot<schema::JournalEntry>();
  e.setFormatVersion(schema::FORMAT_VERSION);
  e.setMinReaderVersion(kMinReaderVersion);
  SetId(e.initStoreId(), store_id);
  e.initRecordedAt().setMicros(Now());
  if (as_batch) {
    auto list = e.initBatch(static_cast<unsigned>(cmds.size()));
    for (size_t i = 0; i < cmds.size(); ++i) {
      list.setWithCaveats(static_cast<unsigned>(i), cmds[i]->getRoot<schema::Command>().asReader());
    }
  } else {
    e.setCommand(cmds.front()->getRoot<schema::Command>().asReader());
  }
  auto dl = e.initClassifications(static_cast<unsigned>(txn.derived.size()));
  for (size_t i = 0; i < txn.derived.size(); ++i) {
    dl.setWithCaveats(static_cast<unsigned>(i),
                      Thaw<schema::ActivityClassification>(txn.derived[i]));
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(mb);
  auto bytes = words.asBytes();
  absl::StatusOr<uint64_t> got =
      engine->Append(std::span<const uint8_t>(bytes.begin(), bytes.size()));
  if (!got.ok()) {
    Rollback(txn);
    return internal::Annotate(got.status(), "journal append");
  }
  if (*got != seq) {
    return absl::InternalError(absl::StrCat("journal seq ", *got, " differs from expected ", seq));
  }
  last_seq = seq;
  for (auto* c : cmds)
    last_at = std::max(last_at, c->getRoot<schema::Command>().getAt().getMicros());
  ApplyMergeEffects(txn);
  if (txn.data_changed) ++data_version;
  txn.undo.clear();
  txn.derived.clear();
  return seq;
}

absl::StatusOr<ApplyResult> Registry::Impl::ApplyOne(schema::Command::Reader in, Mode mode) {
  if (options.read_only) return absl::FailedPreconditionError("registry is read-only");
  return internal::CatchToStatus(
      absl::StatusCode::kInvalidArgument, [&]() -> absl::StatusOr<ApplyResult> {
        Uuid cid = in.hasCommandId() ? IdOf(in.getCommandId()) : Uuid{};
        if (!IsZeroId(cid)) {
          auto it = applied.find(cid);
          if (it != applied.end()) return ApplyResult{it->second, true};
        }
        capnp::MallocMessageBuilder mb;
        mb.setRoot(in);
        auto cmd = mb.getRoot<schema::Command>();
        cmd.setSeq(last_seq + 1);
        if (cmd.getAt().getMicros() == 0) cmd.initAt().setMicros(Now());
        Txn txn;
        // A malformed (but decodable) command may throw while read: caught, so the rollback runs.
        absl::Status s = internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                                 [&] { return Stage(cmd.asReader(), mode, txn); });
        if (!s.ok()) {
          Rollback(txn);
          if (absl::IsPermissionDenied(s) && mode == Mode::kLive) {
            std::vector<Uuid> none;
            return Refuse(cases::ActorFrom(in.getActor()), schema::AccessOperation::WRITE,
                          RecordKind::UNKNOWN, none, s);
          }
          return s;
        }
        std::vector<capnp::MallocMessageBuilder*> list{&mb};
        TREEM_ASSIGN_OR_RETURN(uint64_t seq, Commit(list, txn, false));
        return ApplyResult{seq, false};
      });
}

absl::StatusOr<uint64_t> Registry::Impl::ApplyMany(std::span<const schema::Command::Reader> in,
                                                   bool atomic, Mode mode, bool dry_run) {
  if (options.read_only) return absl::FailedPreconditionError("registry is read-only");
  if (!atomic) {
    uint64_t last = last_seq;
    for (size_t i = 0; i < in.size(); ++i) {
      auto r = ApplyOne(in[i], mode);
      if (!r.ok()) return internal::Annotate(r.status(), absl::StrCat("command ", i));
      last = r->seq;
    }
    return last;
  }
  return internal::CatchToStatus(
      absl::StatusCode::kInvalidArgument, [&]() -> absl::StatusOr<uint64_t> {
        const uint64_t seq = last_seq + 1;
        std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> owned;
        std::vector<capnp::MallocMessageBuilder*> staged;
        absl::flat_hash_set<Uuid> batch_ids;
        Txn txn;
        const int64_t now = Now();
        for (size_t i = 0; i < in.size(); ++i) {
          Uuid cid = in[i].hasCommandId() ? IdOf(in[i].getCommandId()) : Uuid{};
          if (!IsZeroId(cid) && (applied.contains(cid) || batch_ids.contains(cid))) continue;
          if (!IsZeroId(cid)) batch_ids.insert(cid);
          auto mb = std::make_unique<capnp::MallocMessageBuilder>();
          mb->setRoot(in[i]);
          auto cmd = mb->getRoot<schema::Command>();
          cmd.setSeq(seq);
          if (cmd.getAt().getMicros() == 0) cmd.initAt().setMicros(now);
          // A malformed (but decodable) command may throw while read: caught, so the rollback runs.
          absl::Status s = internal::CatchToStatus(
              absl::StatusCode::kInvalidArgument, [&] { return Stage(cmd.asReader(), mode, txn); });
          if (!s.ok()) {
            Rollback(txn);
            s = internal::Annotate(s, absl::StrCat("command ", i));
            if (absl::IsPermissionDenied(s) && mode == Mode::kLive) {
              std::vector<Uuid> none;
              return Refuse(cases::ActorFrom(in[i].getActor()), schema::AccessOperation::WRITE,
                            RecordKind::UNKNOWN, none, s);
            }
            return s;
          }
          staged.push_back(mb.get());
          owned.push_back(std::move(mb));
        }
        if (dry_run) {
          Rollback(txn);
          return last_seq;
        }
        if (staged.empty()) return last_seq;  // every command was already applied
        return Commit(staged, txn, true);
      });
}

absl::Status Registry::Impl::LogAccess(const Actor& a, schema::AccessOperation op, RecordKind kind,
                                       const std::vector<Uuid>& ids, std::string_view purpose,
                                       const absl::Status* refusal, uint32_t count) {
  if (options.read_only) {
    return absl::FailedPreconditionError(
        "registry is read-only: reads of personal data cannot be audited (open it writable)");
  }
  capnp::MallocMessageBuilder mb;
  auto cmd = mb.initRoot<schema::Command>();
  cases::SetActor(cmd.initActor(), a);
  if (a.user_id.empty()) cmd.getActor().setUserId("(none)");
  cmd.setSource(schema::DataSource::API);
  auto r = cmd.initPayload().initRecordAccess();
  r.setOperation(op);
  r.setKind(kind);
  auto l = r.initRecordIds(static_cast<unsigned>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) SetId(l[static_cast<unsigned>(i)], ids[i]);
  r.setPurpose(Text(purpose));
  r.setCount(count);
  if (refusal != nullptr) {
    r.setRefused(true);
    std::string reason(refusal->message());
    r.setReason(Text(reason));
  }
  cmd.setSeq(last_seq + 1);
  cmd.initAt().setMicros(Now());
  Txn txn;
  std::vector<RefOut> refs;
  TREEM_RETURN_IF_ERROR(StagePayload(cmd.asReader(), Mode::kInternal, a, txn, refs));
  PushAudit(cmd.asReader(), refs, txn);
  std::vector<capnp::MallocMessageBuilder*> list{&mb};
  return Commit(list, txn, false).status();
}

absl::Status Registry::Impl::ReplayEntry(uint64_t seq, std::span<const uint8_t> bytes) {
  return internal::CatchToStatus(absl::StatusCode::kDataLoss, [&]() -> absl::Status {
    if (bytes.size() % sizeof(capnp::word) != 0) {
      return absl::DataLossError(absl::StrCat("journal seq ", seq, ": entry is not whole words"));
    }
    kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                          bytes.size() / sizeof(capnp::word));
    capnp::FlatArrayMessageReader reader(words, BigReader(words.size()));
    auto e = reader.getRoot<schema::JournalEntry>();
    if (e.getMinReaderVersion() > schema::FORMAT_VERSION) {
      return absl::FailedPreconditionError(
          absl::StrCat("journal seq ", seq, ": needs reader format ", e.getMinReaderVersion(),
                       ", this is ", schema::FORMAT_VERSION));
    }
    Txn txn;
    auto one = [&](schema::Command::Reader c) -> absl::Status {
      if (c.getSeq() != seq) {
        return absl::DataLossError(
            absl::StrCat("journal seq ", seq, ": command carries seq ", c.getSeq()));
      }
      absl::Status s = Stage(c, Mode::kReplay, txn);
      if (!s.ok()) {
        return absl::DataLossError(
            absl::StrCat("journal seq ", seq, ": replay refused: ", s.message()));
      }
      last_at = std::max(last_at, c.getAt().getMicros());
      return absl::OkStatus();
    };
    if (e.hasBatch()) {
      for (auto c : e.getBatch()) TREEM_RETURN_IF_ERROR(one(c));
    } else {
      TREEM_RETURN_IF_ERROR(one(e.getCommand()));
    }
    for (auto c : e.getClassifications()) {
      Uuid id = IdOf(c.getActivityId());
      if (Find(RecordKind::WORK_ACTIVITY, id) != nullptr) {
        classifications.insert_or_assign(id, capnp::canonicalize(c));
      }
    }
    ApplyMergeEffects(txn);
    if (txn.data_changed) ++data_version;
    last_seq = seq;
    return absl::OkStatus();
  });
}

void Registry::Impl::WriteList(RecordKind k, const std::vector<Uuid>& ids, int64_t at,
                               schema::Snapshot::Builder out) const {
  const auto n = static_cast<unsigned>(ids.size());
  auto frozen = [&](size_t i) -> const Frozen& { return *Find(k, ids[i]); };
  switch (k) {
    case RecordKind::HOUSEHOLD: {
      auto l = out.initHouseholds(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::Household>(frozen(i)));
      break;
    }
    case RecordKind::PERSON: {
      auto l = out.initPersons(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::Person>(frozen(i)));
      break;
    }
    case RecordKind::ESTABLISHMENT: {
      auto l = out.initEstablishments(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::Establishment>(frozen(i)));
      break;
    }
    case RecordKind::WORK_ACTIVITY: {
      auto l = out.initWorkActivities(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::WorkActivity>(frozen(i)));
      break;
    }
    case RecordKind::RISK_ASSESSMENT: {
      auto l = out.initRiskAssessments(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::RiskAssessment>(frozen(i)));
      break;
    }
    case RecordKind::COMMUNICATION_ACTIVITY: {
      auto l = out.initCommunications(n);
      for (unsigned i = 0; i < n; ++i)
        l.setWithCaveats(i, Thaw<schema::CommunicationActivity>(frozen(i)));
      break;
    }
    case RecordKind::TRAINING_SESSION: {
      auto l = out.initTrainings(n);
      for (unsigned i = 0; i < n; ++i)
        l.setWithCaveats(i, Thaw<schema::TrainingSession>(frozen(i)));
      break;
    }
    case RecordKind::INSPECTION: {
      auto l = out.initInspections(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::Inspection>(frozen(i)));
      break;
    }
    case RecordKind::COMMITMENT: {
      auto l = out.initCommitments(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::Commitment>(frozen(i)));
      break;
    }
    case RecordKind::PROGRAMME_PLAN: {
      auto l = out.initPlans(n);
      for (unsigned i = 0; i < n; ++i) l.setWithCaveats(i, Thaw<schema::ProgrammePlan>(frozen(i)));
      break;
    }
    case RecordKind::CASE: {
      auto l = out.initCases(n);
      for (unsigned i = 0; i < n; ++i) {
        absl::Status s = book->WriteCase(ids[i], at, l[i]);
        (void)s;  // ids come from the book
      }
      break;
    }
    case RecordKind::REFERRAL: {
      auto l = out.initReferrals(n);
      for (unsigned i = 0; i < n; ++i) {
        absl::Status s = book->WriteReferral(ids[i], l[i]);
        (void)s;
      }
      break;
    }
    case RecordKind::SERVICE_PROVIDER: {
      auto l = out.initServiceProviders(n);
      for (unsigned i = 0; i < n; ++i)
        book->providers().Write(*book->providers().Find(ids[i]), l[i]);
      break;
    }
    case RecordKind::INDICATOR_DEFINITION: {
      auto l = out.initIndicators(static_cast<unsigned>(indicators.size()));
      unsigned i = 0;
      for (const auto& [_, f] : indicators)
        l.setWithCaveats(i++, Thaw<schema::IndicatorDefinition>(f));
      break;
    }
    case RecordKind::ADMIN_UNIT: {
      auto l = out.initUnits(static_cast<unsigned>(admin_units.size()));
      unsigned i = 0;
      for (const auto& [_, f] : admin_units) l.setWithCaveats(i++, Thaw<schema::AdminUnit>(f));
      break;
    }
    default:
      break;
  }
}

void Registry::Impl::WriteState(schema::Snapshot::Builder out) const {
  auto h = out.initHeader();
  h.setFormatVersion(schema::FORMAT_VERSION);
  h.setMinReaderVersion(kMinReaderVersion);
  h.initCreatedAt().setMicros(last_at);
  auto by = h.initCreatedBy();
  by.setUserId("treem");
  by.setRole(schema::Role::SYSTEM);
  SetId(h.initStoreId(), store_id);
  h.setLastSeq(last_seq);
  auto sc = h.initUnitScope(static_cast<unsigned>(scope.size()));
  for (size_t i = 0; i < scope.size(); ++i) sc.set(static_cast<unsigned>(i), Text(scope[i]));
  h.setLibraryVersion(TREEM_VERSION_STRING_);
  for (RecordKind k :
       {RecordKind::HOUSEHOLD, RecordKind::PERSON, RecordKind::ESTABLISHMENT,
        RecordKind::WORK_ACTIVITY, RecordKind::RISK_ASSESSMENT, RecordKind::CASE,
        RecordKind::REFERRAL, RecordKind::SERVICE_PROVIDER, RecordKind::COMMUNICATION_ACTIVITY,
        RecordKind::TRAINING_SESSION, RecordKind::INSPECTION, RecordKind::COMMITMENT,
        RecordKind::PROGRAMME_PLAN, RecordKind::INDICATOR_DEFINITION, RecordKind::ADMIN_UNIT}) {
    WriteList(k, IdsOf(k), last_at, out);
  }
  auto log = out.initCaseLog(static_cast<unsigned>(case_log.size()));
  for (size_t i = 0; i < case_log.size(); ++i) {
    log.setWithCaveats(static_cast<unsigned>(i), Thaw<schema::Command>(case_log[i]));
  }
  std::vector<Uuid> cls;
  for (const auto& [id, _] : classifications) cls.push_back(id);
  std::sort(cls.begin(), cls.end());
  auto cl = out.initClassifications(static_cast<unsigned>(cls.size()));
  for (size_t i = 0; i < cls.size(); ++i) {
    cl.setWithCaveats(static_cast<unsigned>(i),
                      Thaw<schema::ActivityClassification>(classifications.find(cls[i])->second));
  }
  auto al = out.initAudit(static_cast<unsigned>(audit.size()));
  for (size_t i = 0; i < audit.size(); ++i) {
    al.setWithCaveats(static_cast<unsigned>(i), Thaw<schema::AuditEntry>(audit[i]));
  }
  if (merge_on) {
    auto mb = out.initMerge();
    std::vector<std::pair<exchange::RecordKey, const exchange::RecordVersion*>> held;
    held.reserve(merge.records.size());
    for (const auto& [k, v] : merge.records) held.emplace_back(k, &v);
    std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) {
      return a.first.kind != b.first.kind ? a.first.kind < b.first.kind : a.first.id < b.first.id;
    });
    auto vl = mb.initVersions(static_cast<unsigned>(held.size()));
    for (size_t i = 0; i < held.size(); ++i) {
      auto b = vl[static_cast<unsigned>(i)];
      b.setKind(held[i].first.kind);
      SetId(b.initId(), held[i].first.id);
      SetId(b.initOrigin().initStoreId(), held[i].second->origin);
      b.getOrigin().setSeq(held[i].second->seq);
      if (!held[i].second->digest.is_nil()) SetId(b.initDigest(), held[i].second->digest);
      b.setDeleted(held[i].second->deleted);
    }
    std::vector<std::pair<Uuid, uint64_t>> imported(merge.imported_seq.begin(),
                                                    merge.imported_seq.end());
    std::sort(imported.begin(), imported.end());
    auto il = mb.initImported(static_cast<unsigned>(imported.size()));
    for (size_t i = 0; i < imported.size(); ++i) {
      SetId(il[static_cast<unsigned>(i)].initStoreId(), imported[i].first);
      il[static_cast<unsigned>(i)].setSeq(imported[i].second);
    }
    auto cl2 = mb.initConflicts(static_cast<unsigned>(conflicts.size()));
    for (size_t i = 0; i < conflicts.size(); ++i) {
      cl2.setWithCaveats(static_cast<unsigned>(i), Thaw<schema::ConflictRecord>(conflicts[i]));
    }
  }
}

absl::Status Registry::Impl::LoadSnapshot(schema::Snapshot::Reader s) {
  auto h = s.getHeader();
  if (h.getMinReaderVersion() > schema::FORMAT_VERSION) {
    return absl::FailedPreconditionError(absl::StrCat("snapshot needs reader format ",
                                                      h.getMinReaderVersion(), ", this is ",
                                                      schema::FORMAT_VERSION));
  }
  if (h.getDeidentified()) {
    return absl::FailedPreconditionError("snapshot is de-identified: it cannot back a registry");
  }
  store_id = IdOf(h.getStoreId());
  scope.clear();
  for (auto c : h.getUnitScope()) scope.push_back(Str(c));
  last_seq = h.getLastSeq();
  last_at = h.getCreatedAt().getMicros();
  auto put = [&](RecordKind k, auto list) {
    auto& m = records[k];
    for (auto r : list) m.insert_or_assign(IdOf(r.getId()), capnp::canonicalize(r));
  };
  put(RecordKind::HOUSEHOLD, s.getHouseholds());
  put(RecordKind::PERSON, s.getPersons());
  put(RecordKind::ESTABLISHMENT, s.getEstablishments());
  put(RecordKind::WORK_ACTIVITY, s.getWorkActivities());
  put(RecordKind::RISK_ASSESSMENT, s.getRiskAssessments());
  put(RecordKind::COMMUNICATION_ACTIVITY, s.getCommunications());
  put(RecordKind::TRAINING_SESSION, s.getTrainings());
  put(RecordKind::INSPECTION, s.getInspections());
  put(RecordKind::COMMITMENT, s.getCommitments());
  put(RecordKind::PROGRAMME_PLAN, s.getPlans());
  for (auto d : s.getIndicators())
    indicators.insert_or_assign(Str(d.getId()), capnp::canonicalize(d));
  for (auto u : s.getUnits()) {
    auto vf = u.getValidFrom();
    admin_units.insert_or_assign(
        absl::StrCat(Str(u.getCode()), "@", vf.getYear(), "-", vf.getMonth(), "-", vf.getDay()),
        capnp::canonicalize(u));
  }
  RelearnUnits();
  for (auto c : s.getClassifications()) {
    classifications.insert_or_assign(IdOf(c.getActivityId()), capnp::canonicalize(c));
  }
  case_log.clear();
  case_ids.clear();
  provider_ids.clear();
  for (auto c : s.getCaseLog()) {
    case_log.push_back(capnp::canonicalize(c));
    if (c.getPayload().isCaseCommand() && c.getPayload().getCaseCommand().getBody().isOpenCase()) {
      case_ids.push_back(IdOf(c.getPayload().getCaseCommand().getCaseId()));
    } else if (c.getPayload().isUpsertServiceProvider()) {
      Uuid id = IdOf(c.getPayload().getUpsertServiceProvider().getId());
      if (std::find(provider_ids.begin(), provider_ids.end(), id) == provider_ids.end()) {
        provider_ids.push_back(id);
      }
    }
  }
  TREEM_RETURN_IF_ERROR(RebuildBook());
  if (s.getCases().size() != book->case_count()) {
    return absl::DataLossError(absl::StrCat("snapshot: ", s.getCases().size(),
                                            " cases but the case log builds ", book->case_count()));
  }
  for (auto e : s.getAudit()) {
    IndexAudit(e, static_cast<uint32_t>(audit.size()));
    audit.push_back(capnp::canonicalize(e));
    if (e.hasCommandId() && !IsZeroId(IdOf(e.getCommandId())))
      applied.emplace(IdOf(e.getCommandId()), e.getSeq());
  }
  if (s.hasMerge()) {
    merge_on = true;
    auto mb = s.getMerge();
    for (auto v : mb.getVersions()) {
      merge.records[exchange::RecordKey{v.getKind(), IdOf(v.getId())}] =
          exchange::RecordVersion{IdOf(v.getOrigin().getStoreId()), v.getOrigin().getSeq(),
                                  v.hasDigest() ? IdOf(v.getDigest()) : Uuid{}, "", v.getDeleted()};
    }
    for (auto o : mb.getImported()) merge.imported_seq[IdOf(o.getStoreId())] = o.getSeq();
    for (auto c : mb.getConflicts()) {
      conflict_index.emplace(IdOf(c.getId()), conflicts.size());
      conflicts.push_back(capnp::canonicalize(c));
      merge.reported_conflicts.insert(IdOf(c.getId()));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() {
  if (impl_ && impl_->engine) {
    absl::Status s = impl_->engine->Close();
    (void)s;
  }
}

namespace {

absl::StatusOr<std::unique_ptr<Registry::Impl>> NewImpl(const std::string& dir,
                                                        const RegistryOptions& options,
                                                        bool create) {
  auto impl = std::make_unique<Registry::Impl>();
  impl->options = options;
  impl->dir = dir;
  impl->units = std::make_unique<UnitMap>(options.units, cases::LocalDate(impl->Now()));
  TREEM_ASSIGN_OR_RETURN(impl->rules, rules::NewRuleRegistry());
  store::StoreOptions so;
  so.sync = options.sync;
  so.read_only = options.read_only;
  so.create_if_missing = create;
  so.fs = options.fs;
  TREEM_ASSIGN_OR_RETURN(impl->engine, store::StoreEngine::Open(dir, so));
  return impl;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(const std::string& dir,
                                                           const RegistryOptions& options) {
  if (options.read_only)
    return absl::InvalidArgumentError("read_only: a registry cannot be created read-only");
  TREEM_ASSIGN_OR_RETURN(auto impl, NewImpl(dir, options, true));
  if (impl->engine->last_seq() != 0 || impl->engine->LatestSnapshot().has_value()) {
    return absl::AlreadyExistsError(absl::StrCat("'", dir, "' already holds a store"));
  }
  for (size_t i = 0; i < options.scope.size(); ++i) {
    TREEM_RETURN_IF_ERROR(impl->units->CheckCode(options.scope[i], absl::StrCat("scope[", i, "]")));
  }
  TREEM_ASSIGN_OR_RETURN(Uuid id, core::TryNewRandomUuid());
  capnp::MallocMessageBuilder mb;
  auto cmd = mb.initRoot<schema::Command>();
  auto actor = cmd.initActor();
  actor.setUserId("treem");
  actor.setRole(schema::Role::SYSTEM);
  cmd.setSource(schema::DataSource::API);
  auto init = cmd.initPayload().initInitStore();
  SetId(init.initStoreId(), id);
  auto sc = init.initUnitScope(static_cast<unsigned>(options.scope.size()));
  for (size_t i = 0; i < options.scope.size(); ++i)
    sc.set(static_cast<unsigned>(i), Text(options.scope[i]));
  init.setLibraryVersion(TREEM_VERSION_STRING_);
  impl->store_id = id;  // the entry carries it
  TREEM_RETURN_IF_ERROR(impl->ApplyOne(cmd.asReader(), Mode::kInternal).status());
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Open(const std::string& dir,
                                                         const RegistryOptions& options) {
  TREEM_ASSIGN_OR_RETURN(auto impl, NewImpl(dir, options, false));
  Impl& r = *impl;
  uint64_t from = 1;
  if (auto snap = r.engine->LatestSnapshot()) {
    auto payload = snap->payload();
    TREEM_RETURN_IF_ERROR(
        internal::CatchToStatus(absl::StatusCode::kDataLoss, [&]() -> absl::Status {
          kj::ArrayPtr<const capnp::word> words(
              reinterpret_cast<const capnp::word*>(payload.data()),
              payload.size() / sizeof(capnp::word));
          capnp::FlatArrayMessageReader reader(words, BigReader(words.size()));
          return internal::Annotate(r.LoadSnapshot(reader.getRoot<schema::Snapshot>()), "snapshot");
        }));
    if (r.last_seq != snap->covers_seq()) {
      return absl::DataLossError(absl::StrCat("snapshot: covers seq ", snap->covers_seq(),
                                              " but its header says ", r.last_seq));
    }
    from = snap->covers_seq() + 1;
    const std::string columns = ColumnsPath(dir, snap->covers_seq());
    if (std::filesystem::exists(columns)) r.columns_file = columns;
  }
  TREEM_RETURN_IF_ERROR(r.engine->ReadFrom(
      from, [&](uint64_t seq, std::span<const uint8_t> p) { return r.ReplayEntry(seq, p); }));
  if (r.last_seq == 0) return absl::NotFoundError(absl::StrCat("'", dir, "' holds no registry"));
  if (!options.scope.empty()) {
    std::vector<std::string> a = options.scope, b = r.scope;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) {
      return absl::FailedPreconditionError(absl::StrCat("scope: the store holds units (",
                                                        absl::StrJoin(r.scope, ", "), "), not (",
                                                        absl::StrJoin(options.scope, ", "), ")"));
    }
  }
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

absl::StatusOr<ApplyResult> Registry::Apply(schema::Command::Reader command) {
  absl::MutexLock l(&impl_->mu);
  return impl_->ApplyOne(command, Mode::kLive);
}

absl::StatusOr<ApplyResult> Registry::ApplyBytes(std::string_view bytes, serde::Format f) {
  capnp::MallocMessageBuilder mb;
  TREEM_RETURN_IF_ERROR(
      internal::Annotate(serde::DecodeInto<schema::Command>(bytes, f, mb), "command"));
  return Apply(mb.getRoot<schema::Command>().asReader());
}

absl::StatusOr<uint64_t> Registry::ApplyBatch(std::span<const schema::Command::Reader> cmds,
                                              bool atomic) {
  absl::MutexLock l(&impl_->mu);
  return impl_->ApplyMany(cmds, atomic, Mode::kLive);
}

absl::StatusOr<uint64_t> Registry::ApplyBatch(schema::CommandBatch::Reader batch, bool atomic) {
  return internal::CatchToStatus(
      absl::StatusCode::kInvalidArgument, [&]() -> absl::StatusOr<uint64_t> {
        std::vector<schema::Command::Reader> v;
        for (auto c : batch.getCommands()) v.push_back(c);
        return ApplyBatch(std::span<const schema::Command::Reader>(v), atomic);
      });
}

absl::StatusOr<std::string> Registry::Get(const Actor& actor, RecordKind kind, const Uuid& id,
                                          serde::Format format) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  if (kind == RecordKind::UNKNOWN || kind == RecordKind::INDICATOR_DEFINITION ||
      kind == RecordKind::ADMIN_UNIT ||
      static_cast<int>(kind) > static_cast<int>(RecordKind::ADMIN_UNIT)) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: ", KindName(kind), " records are not addressed by uuid"));
  }
  absl::Status perm = RolePermits(actor, Op::kRead, kind);
  if (perm.ok() && r.Exists(kind, id))
    perm = r.Authorize(actor, Op::kRead, kind, r.UnitsOf(kind, id));
  if (!perm.ok()) return r.Refuse(actor, schema::AccessOperation::READ, kind, {id}, perm);
  if (!r.Exists(kind, id))
    return absl::NotFoundError(absl::StrCat("id: no such ", KindName(kind), " record"));
  if (IsPersonalKind(kind)) {
    TREEM_RETURN_IF_ERROR(
        r.LogAccess(actor, schema::AccessOperation::READ, kind, {id}, "get", nullptr, 1));
  }
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::StatusOr<std::string> {
    capnp::MallocMessageBuilder mb;
    auto snap = mb.initRoot<schema::Snapshot>();
    r.WriteList(kind, {id}, r.Now(), snap);
    auto s = snap.asReader();
    switch (kind) {
      case RecordKind::HOUSEHOLD:
        return serde::Encode<schema::Household>(s.getHouseholds()[0], format);
      case RecordKind::PERSON:
        return serde::Encode<schema::Person>(s.getPersons()[0], format);
      case RecordKind::ESTABLISHMENT:
        return serde::Encode<schema::Establishment>(s.getEstablishments()[0], format);
      case RecordKind::WORK_ACTIVITY:
        return serde::Encode<schema::WorkActivity>(s.getWorkActivities()[0], format);
      case RecordKind::RISK_ASSESSMENT:
        return serde::Encode<schema::RiskAssessment>(s.getRiskAssessments()[0], format);
      case RecordKind::CASE:
        return serde::Encode<schema::Case>(s.getCases()[0], format);
      case RecordKind::REFERRAL:
        return serde::Encode<schema::Referral>(s.getReferrals()[0], format);
      case RecordKind::SERVICE_PROVIDER:
        return serde::Encode<schema::ServiceProvider>(s.getServiceProviders()[0], format);
      case RecordKind::COMMUNICATION_ACTIVITY:
        return serde::Encode<schema::CommunicationActivity>(s.getCommunications()[0], format);
      case RecordKind::TRAINING_SESSION:
        return serde::Encode<schema::TrainingSession>(s.getTrainings()[0], format);
      case RecordKind::INSPECTION:
        return serde::Encode<schema::Inspection>(s.getInspections()[0], format);
      case RecordKind::COMMITMENT:
        return serde::Encode<schema::Commitment>(s.getCommitments()[0], format);
      case RecordKind::PROGRAMME_PLAN:
        return serde::Encode<schema::ProgrammePlan>(s.getPlans()[0], format);
      default:
        break;
    }
    return absl::InvalidArgumentError("kind: not readable by id");
  });
}

absl::StatusOr<std::string> Registry::GetIndicator(const Actor& actor, std::string_view id,
                                                   serde::Format format) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = RolePermits(actor, Op::kRead, RecordKind::INDICATOR_DEFINITION);
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::READ, RecordKind::INDICATOR_DEFINITION, {},
                    perm);
  auto it = r.indicators.find(std::string(id));
  if (it == r.indicators.end()) {
    return absl::NotFoundError(absl::StrCat("id: no indicator '", Sv(id), "'"));
  }
  return serde::Encode<schema::IndicatorDefinition>(Thaw<schema::IndicatorDefinition>(it->second),
                                                    format);
}

absl::Status Registry::List(const Actor& actor, RecordKind kind, schema::Snapshot::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  if (kind == RecordKind::UNKNOWN ||
      static_cast<int>(kind) > static_cast<int>(RecordKind::ADMIN_UNIT)) {
    return absl::InvalidArgumentError("kind: unknown record kind");
  }
  absl::Status perm = RolePermits(actor, Op::kRead, kind);
  if (!perm.ok()) return r.Refuse(actor, schema::AccessOperation::LIST, kind, {}, perm);
  std::vector<Uuid> ids;
  if (kind != RecordKind::INDICATOR_DEFINITION && kind != RecordKind::ADMIN_UNIT) {
    for (const Uuid& id : r.IdsOf(kind)) {
      auto u = r.UnitsOf(kind, id);
      if (u.empty() || r.ActorCovers(actor, u)) ids.push_back(id);
    }
  }
  if (IsPersonalKind(kind)) {
    TREEM_RETURN_IF_ERROR(r.LogAccess(actor, schema::AccessOperation::LIST, kind, ids, "list",
                                      nullptr, static_cast<uint32_t>(ids.size())));
  }
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    auto h = out.initHeader();
    h.setFormatVersion(schema::FORMAT_VERSION);
    h.setMinReaderVersion(kMinReaderVersion);
    h.initCreatedAt().setMicros(r.Now());
    cases::SetActor(h.initCreatedBy(), actor);
    SetId(h.initStoreId(), r.store_id);
    h.setLastSeq(r.last_seq);
    if (!actor.unit_code.empty()) h.initUnitScope(1).set(0, Text(actor.unit_code));
    r.WriteList(kind, ids, r.Now(), out);
    return absl::OkStatus();
  });
}

absl::Status Registry::History(const Actor& actor, RecordKind kind, const Uuid& id,
                               schema::RecordHistory::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = RolePermits(actor, Op::kHistory, kind);
  if (perm.ok()) {
    if (r.Exists(kind, id)) {
      perm = r.Authorize(actor, Op::kHistory, kind, r.UnitsOf(kind, id));
    } else if (!r.ActorCoversStore(actor)) {
      perm = absl::PermissionDeniedError(
          absl::StrCat("role ", RoleName(actor.role),
                       " may read the history of a deleted record only when "
                       "working for every unit of the store"));
    }
  }
  if (!perm.ok()) return r.Refuse(actor, schema::AccessOperation::HISTORY, kind, {id}, perm);
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    auto ref = out.initRecord();
    ref.setKind(kind);
    SetId(ref.initId(), id);
    auto it = r.audit_by_id.find(id);
    const size_t n = it == r.audit_by_id.end() ? 0 : it->second.size();
    auto l = out.initEntries(static_cast<unsigned>(n));
    for (size_t i = 0; i < n; ++i) {
      l.setWithCaveats(static_cast<unsigned>(i), Thaw<schema::AuditEntry>(r.audit[it->second[i]]));
    }
    return absl::OkStatus();
  });
}

absl::Status Registry::HistoryByCode(const Actor& actor, RecordKind kind, std::string_view code,
                                     schema::RecordHistory::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = RolePermits(actor, Op::kHistory, kind);
  if (!perm.ok()) return r.Refuse(actor, schema::AccessOperation::HISTORY, kind, {}, perm);
  auto ref = out.initRecord();
  ref.setKind(kind);
  ref.setCode(Text(code));
  auto it = r.audit_by_code.find(std::string(code));
  const size_t n = it == r.audit_by_code.end() ? 0 : it->second.size();
  auto list = out.initEntries(static_cast<unsigned>(n));
  for (size_t i = 0; i < n; ++i) {
    list.setWithCaveats(static_cast<unsigned>(i), Thaw<schema::AuditEntry>(r.audit[it->second[i]]));
  }
  return absl::OkStatus();
}

absl::Status Registry::Due(const Actor& actor, schema::DeadlineQuery::Reader query,
                           schema::DeadlineReport::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = RolePermits(actor, Op::kQuery, RecordKind::CASE);
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::QUERY, RecordKind::CASE, {}, perm);
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    capnp::MallocMessageBuilder mb;
    mb.setRoot(query);
    auto q = mb.getRoot<schema::DeadlineQuery>();
    if (actor.role != schema::Role::SYSTEM) {
      std::vector<std::string> asked;
      for (auto c : query.getUnitCodes()) asked.push_back(Str(c));
      std::vector<std::string> allowed;
      for (const Uuid& c : r.case_ids) {
        const auto* cf = r.book->FindCase(c);
        if (cf == nullptr) continue;
        if (std::find(allowed.begin(), allowed.end(), cf->unit_code) != allowed.end()) continue;
        if (!r.units->Covers(actor.unit_code, cf->unit_code)) continue;
        if (!asked.empty() && std::find(asked.begin(), asked.end(), cf->unit_code) == asked.end())
          continue;
        allowed.push_back(cf->unit_code);
      }
      if (allowed.empty()) {
        // No case of the actor's units: an empty report at the instant asked.
        out.initAt().setMicros(query.getAt().getMicros());
        out.initItems(0);
        return absl::OkStatus();
      }
      auto uc = q.initUnitCodes(static_cast<unsigned>(allowed.size()));
      for (size_t i = 0; i < allowed.size(); ++i)
        uc.set(static_cast<unsigned>(i), Text(allowed[i]));
    }
    return r.book->QueryDeadlines(q.asReader(), out);
  });
}

absl::Status Registry::Classification(const Actor& actor, const Uuid& activity_id,
                                      schema::ActivityClassification::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  const RecordKind k = RecordKind::WORK_ACTIVITY;
  absl::Status perm = RolePermits(actor, Op::kRead, k);
  if (perm.ok() && r.Exists(k, activity_id))
    perm = r.Authorize(actor, Op::kRead, k, r.UnitsOf(k, activity_id));
  if (!perm.ok()) return r.Refuse(actor, schema::AccessOperation::READ, k, {activity_id}, perm);
  auto it = r.classifications.find(activity_id);
  if (it == r.classifications.end()) {
    return absl::NotFoundError(
        r.Exists(k, activity_id)
            ? "id: the activity is not classified (the child's birth date is not recorded)"
            : "id: no such workActivity record");
  }
  TREEM_RETURN_IF_ERROR(r.LogAccess(actor, schema::AccessOperation::READ, k, {activity_id},
                                    "classification", nullptr, 1));
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    auto src = Thaw<schema::ActivityClassification>(it->second);
    out.setActivityId(src.getActivityId());
    out.setResult(src.getResult());
    out.setClassifiedAt(src.getClassifiedAt());
    out.setSeq(src.getSeq());
    return absl::OkStatus();
  });
}

absl::Status Registry::ChildVerdict(const Actor& actor, const Uuid& child_id, core::Date start,
                                    core::Date end, schema::ChildVerdict::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = RolePermits(actor, Op::kVerdict, RecordKind::WORK_ACTIVITY);
  if (perm.ok() && r.Exists(RecordKind::PERSON, child_id)) {
    perm = r.Authorize(actor, Op::kVerdict, RecordKind::WORK_ACTIVITY,
                       r.UnitsOf(RecordKind::PERSON, child_id));
  }
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::VERDICT, RecordKind::PERSON, {child_id}, perm);
  auto child = r.Person(child_id);
  if (!child) return absl::NotFoundError("childId: no such person record");
  if (end < start) return absl::InvalidArgumentError("periodEnd: before periodStart");
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    capnp::MallocMessageBuilder mb;
    auto req = mb.initRoot<schema::ChildVerdictRequest>();
    req.setBirthDate(child->getBirthDate());
    std::vector<Uuid> mine;
    if (auto m = r.records.find(RecordKind::WORK_ACTIVITY); m != r.records.end()) {
      for (const auto& [id, f] : m->second) {
        if (IdOf(Thaw<schema::WorkActivity>(f).getChildId()) == child_id) mine.push_back(id);
      }
    }
    std::sort(mine.begin(), mine.end());
    auto acts = req.initActivities(static_cast<unsigned>(mine.size()));
    for (size_t i = 0; i < mine.size(); ++i) {
      acts.setWithCaveats(static_cast<unsigned>(i),
                          Thaw<schema::WorkActivity>(*r.Find(RecordKind::WORK_ACTIVITY, mine[i])));
    }
    WriteDate(req.initPeriodStart(), start);
    WriteDate(req.initPeriodEnd(), end);
    TREEM_RETURN_IF_ERROR(rules::JudgeChild(*r.rules, req.asReader(), out));
    return r.LogAccess(actor, schema::AccessOperation::VERDICT, RecordKind::PERSON, {child_id},
                       "child verdict", nullptr, 1);
  });
}

absl::Status Registry::Snapshot(schema::Snapshot::Builder out) const {
  absl::MutexLock l(&impl_->mu);
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    impl_->WriteState(out);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> Registry::ExportSnapshot(const Actor& actor, serde::Format format) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = r.ExportPermits(actor, "the full snapshot");
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::EXPORT, RecordKind::UNKNOWN, {}, perm);
  uint32_t count = 0;
  for (const auto& [_, m] : r.records) count += static_cast<uint32_t>(m.size());
  count += static_cast<uint32_t>(r.case_ids.size());
  TREEM_RETURN_IF_ERROR(r.LogAccess(actor, schema::AccessOperation::EXPORT, RecordKind::UNKNOWN, {},
                                    "full export", nullptr, count));
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::StatusOr<std::string> {
    capnp::MallocMessageBuilder mb;
    auto s = mb.initRoot<schema::Snapshot>();
    r.WriteState(s);
    return serde::Encode<schema::Snapshot>(s.asReader(), format);
  });
}

absl::Status Registry::ImportSnapshot(const Actor& actor, schema::Snapshot::Reader snap) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  if (r.options.read_only) return absl::FailedPreconditionError("registry is read-only");
  absl::Status perm = r.ActorCoversStore(actor) && (actor.role == schema::Role::SYSTEM ||
                                                    actor.role == schema::Role::PROVINCE_OFFICER ||
                                                    actor.role == schema::Role::COMMUNE_CHAIR ||
                                                    actor.role == schema::Role::COMMUNE_WORKER)
                          ? absl::OkStatus()
                          : absl::PermissionDeniedError(absl::StrCat(
                                "role ", RoleName(actor.role), " may not import into this store"));
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::WRITE, RecordKind::UNKNOWN, {}, perm);
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    for (const auto& [_, m] : r.records) {
      if (!m.empty()) return absl::FailedPreconditionError("import: the registry is not empty");
    }
    if (!r.case_ids.empty() || !r.provider_ids.empty() || !r.indicators.empty() ||
        !r.admin_units.empty()) {
      return absl::FailedPreconditionError("import: the registry is not empty");
    }
    if (snap.getHeader().getMinReaderVersion() > schema::FORMAT_VERSION) {
      return absl::FailedPreconditionError("import: the snapshot needs a newer reader");
    }
    if (snap.getHeader().getDeidentified()) {
      return absl::FailedPreconditionError("import: a de-identified snapshot cannot be imported");
    }
    if (snap.getCases().size() > 0 && snap.getCaseLog().size() == 0) {
      return absl::FailedPreconditionError(
          "import: the snapshot has cases but no caseLog to rebuild them from");
    }
    // Commands in dependency order; each carries the importing actor, except the case log,
    // which keeps its own actors, instants and commandIds.
    std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> cmds;
    const int64_t now = r.Now();
    // A builder whose first segment fits the payload plus the envelope (a default 8 KiB
    // zeroed segment per command cost more than the import itself at province scale).
    auto sized = [](capnp::MessageSize payload) {
      return std::make_unique<capnp::MallocMessageBuilder>(
          static_cast<unsigned>(std::min<uint64_t>(payload.wordCount + 64, 1u << 20)));
    };
    auto add = [&](capnp::MessageSize payload) {
      auto mb = sized(payload);
      auto c = mb->initRoot<schema::Command>();
      cases::SetActor(c.initActor(), actor);
      c.setSource(schema::DataSource::MERGE);
      c.initAt().setMicros(now);
      c.setNote("imported from a snapshot");
      cmds.push_back(std::move(mb));
      return cmds.back()->getRoot<schema::Command>().initPayload();
    };
    if (snap.getUnits().size() > 0)
      add(snap.getUnits().totalSize()).initLoadUnits().setUnits(snap.getUnits());
    for (auto d : snap.getIndicators()) add(d.totalSize()).setDefineIndicator(d);
    for (auto h : snap.getHouseholds()) {
      add(h.totalSize()).setUpsertHousehold(h);
      cmds.back()->getRoot<schema::Command>().getPayload().getUpsertHousehold().disownMembers();
    }
    for (auto p : snap.getPersons()) add(p.totalSize()).setUpsertPerson(p);
    for (auto h : snap.getHouseholds()) {
      if (h.getMembers().size() > 0) add(h.totalSize()).setUpsertHousehold(h);
    }
    for (auto e : snap.getEstablishments()) add(e.totalSize()).setUpsertEstablishment(e);
    for (auto w : snap.getWorkActivities()) add(w.totalSize()).setRecordWorkActivity(w);
    for (auto a : snap.getRiskAssessments()) add(a.totalSize()).setRecordRiskAssessment(a);
    if (snap.getCaseLog().size() == 0) {
      for (auto p : snap.getServiceProviders()) add(p.totalSize()).setUpsertServiceProvider(p);
    }
    for (auto c : snap.getCaseLog()) {
      auto mb = sized(c.totalSize());
      mb->setRoot(c);
      auto b = mb->getRoot<schema::Command>();
      b.setSeq(0);
      b.setSource(schema::DataSource::MERGE);
      cmds.push_back(std::move(mb));
    }
    for (auto c : snap.getCommunications()) add(c.totalSize()).setRecordCommunication(c);
    for (auto t : snap.getTrainings()) add(t.totalSize()).setRecordTraining(t);
    {  // commitments after the ones they renew
      std::vector<schema::Commitment::Reader> pending;
      for (auto c : snap.getCommitments()) pending.push_back(c);
      absl::flat_hash_set<Uuid> done;
      while (!pending.empty()) {
        std::vector<schema::Commitment::Reader> next;
        for (auto c : pending) {
          Uuid prev = IdOf(c.getPreviousId());
          if (IsZeroId(prev) || done.contains(prev)) {
            add(c.totalSize()).setUpsertCommitment(c);
            done.insert(IdOf(c.getId()));
          } else {
            next.push_back(c);
          }
        }
        if (next.size() == pending.size()) {
          return absl::InvalidArgumentError(
              "import: commitments[].previousId: a renewal chain does not resolve");
        }
        pending = std::move(next);
      }
    }
    for (auto i : snap.getInspections()) add(i.totalSize()).setRecordInspection(i);
    for (auto p : snap.getPlans()) add(p.totalSize()).setLoadPlan(p);
    // One atomic journal entry when it fits (a commune's or a district's register); else the
    // whole import is validated first, then committed in entries of kImportChunk commands.
    std::vector<schema::Command::Reader> all;
    size_t words = 0;
    for (const auto& mb : cmds) {
      all.push_back(mb->getRoot<schema::Command>().asReader());
      words += all.back().totalSize().wordCount;
    }
    if (words * sizeof(capnp::word) <= r.options.import_entry_bytes) {
      return internal::Annotate(r.ApplyMany(all, true, Mode::kImport).status(), "import");
    }
    TREEM_RETURN_IF_ERROR(
        internal::Annotate(r.ApplyMany(all, true, Mode::kImport, true).status(), "import"));
    const uint64_t first = r.last_seq + 1;
    for (size_t from = 0; from < all.size(); from += kImportChunk) {
      std::span<const schema::Command::Reader> chunk(
          all.data() + from, std::min(all.size(), from + kImportChunk) - from);
      auto s = r.ApplyMany(chunk, true, Mode::kImport);
      if (!s.ok()) {
        return internal::Annotate(
            s.status(), absl::StrCat("import interrupted after validation: commands 0..", from,
                                     " committed as seqs ", first, "..", r.last_seq,
                                     "; re-create the register and import again"));
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<uint64_t> Registry::Checkpoint() {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  if (r.options.read_only) return absl::FailedPreconditionError("registry is read-only");
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::StatusOr<uint64_t> {
    capnp::MallocMessageBuilder mb;
    r.WriteState(mb.initRoot<schema::Snapshot>());
    kj::Array<capnp::word> words = capnp::messageToFlatArray(mb);
    auto bytes = words.asBytes();
    TREEM_RETURN_IF_ERROR(
        r.engine->WriteSnapshot(std::span<const uint8_t>(bytes.begin(), bytes.size()), r.last_seq));
    // The indicator columns of this state, beside the snapshot (a cache: a report after the
    // next open reads them instead of rebuilding; docs/indicators.md "Column files").
    // Written with the real file system only (RegistryOptions::fs is a test hook).
    if (r.options.fs != nullptr) return r.last_seq;
    const core::AdminUnits units = r.options.units ? *r.options.units : core::AdminUnits();
    TREEM_ASSIGN_OR_RETURN(
        auto data,
        r.IndicatorData(units, mb.getRoot<schema::Snapshot>().asReader()));  // no second write
    const std::string path = ColumnsPath(r.dir, r.last_seq);
    TREEM_RETURN_IF_ERROR(
        internal::Annotate(indicators::WriteColumns(*data, r.last_seq, path),
                           "checkpoint: the snapshot is written but not its indicator columns"));
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(r.dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("columns-", 0) == 0 && e.path().string() != path) {
        std::filesystem::remove(e.path(), ec);
      }
    }
    return r.last_seq;
  });
}

// ---- province merge ----

namespace {

// Who may merge into, review or export the journal of a store: provinceOfficer (or system)
// working for units covering the whole store.
absl::Status MergerPermits(const Registry::Impl& r, const Actor& actor, std::string_view what) {
  if ((actor.role == schema::Role::PROVINCE_OFFICER || actor.role == schema::Role::SYSTEM) &&
      r.ActorCoversStore(actor)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role ", RoleName(actor.role), " of unit ", actor.unit_code, " may not ",
                   Sv(what), " in a store holding units ", absl::StrJoin(r.scope, ", ")));
}

void SetOrigin(schema::MergeOrigin::Builder b, const Uuid& store, uint64_t seq) {
  SetId(b.initStoreId(), store);
  b.setSeq(seq);
}

}  // namespace

absl::Status Registry::ExportJournal(const Actor& actor, uint64_t from_seq,
                                     schema::JournalSegment::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = r.ExportPermits(actor, "the journal");
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::EXPORT, RecordKind::UNKNOWN, {}, perm);
  if (from_seq == 0) from_seq = 1;
  if (from_seq > r.last_seq + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_seq: ", from_seq, " is after the last seq ", r.last_seq, " + 1"));
  }
  TREEM_RETURN_IF_ERROR(r.LogAccess(actor, schema::AccessOperation::EXPORT, RecordKind::UNKNOWN, {},
                                    "journal export", nullptr,
                                    static_cast<uint32_t>(r.last_seq + 1 - from_seq)));
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    std::vector<kj::Array<capnp::word>> entries;
    absl::Status s = r.engine->ReadFrom(from_seq, [&](uint64_t, std::span<const uint8_t> p) {
      auto words = kj::heapArray<capnp::word>(p.size() / sizeof(capnp::word));
      memcpy(words.begin(), p.data(), words.size() * sizeof(capnp::word));
      entries.push_back(std::move(words));
      return absl::OkStatus();
    });
    if (absl::IsOutOfRange(s)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "from_seq: entries before seq ", from_seq,
          " onwards were compacted into the store's snapshot: merge its snapshot first (",
          s.message(), ")"));
    }
    TREEM_RETURN_IF_ERROR(s);
    SetId(out.initStoreId(), r.store_id);
    out.setFromSeq(from_seq);
    out.setLastSeq(r.last_seq);
    auto list = out.initEntries(static_cast<unsigned>(entries.size()));
    for (size_t i = 0; i < entries.size(); ++i) {
      capnp::FlatArrayMessageReader reader(entries[i], BigReader(entries[i].size()));
      list.setWithCaveats(static_cast<unsigned>(i), reader.getRoot<schema::JournalEntry>());
    }
    return absl::OkStatus();
  });
}

// Commits a merge plan as one atomic entry: the produced commands, then a recordMerge with the
// origins, the new conflicts (with the province's current bytes) and the counts.
absl::Status Registry::Impl::CommitMerge(const Actor& actor, exchange::MergePlan& plan,
                                         bool from_snapshot,
                                         const std::vector<std::pair<Uuid, uint64_t>>& origins,
                                         schema::MergeRecord::Builder out) {
  const int64_t now = Now();
  capnp::MallocMessageBuilder mb;
  auto cmd = mb.initRoot<schema::Command>();
  cases::SetActor(cmd.initActor(), actor);
  cmd.setSource(schema::DataSource::MERGE);
  cmd.initAt().setMicros(now);
  cmd.setNote(from_snapshot ? "merge of a snapshot" : "merge of journal entries");
  auto rec = cmd.initPayload().initRecordMerge();
  rec.setFromSnapshot(from_snapshot);
  auto ol = rec.initOrigins(static_cast<unsigned>(origins.size()));
  for (size_t i = 0; i < origins.size(); ++i)
    SetOrigin(ol[static_cast<unsigned>(i)], origins[i].first, origins[i].second);
  auto cl = rec.initConflicts(static_cast<unsigned>(plan.conflicts.size()));
  for (size_t i = 0; i < plan.conflicts.size(); ++i) {
    const exchange::Conflict& c = plan.conflicts[i];
    auto b = cl[static_cast<unsigned>(i)];
    SetId(b.initId(), c.id);
    b.setKind(c.key.kind);
    SetId(b.initRecordId(), c.key.id);
    b.setReason(static_cast<schema::ConflictReason>(static_cast<uint16_t>(c.reason)));
    SetOrigin(b.initCurrent(), c.current.origin, c.current.seq);
    if (MapKind(c.key.kind)) {
      if (const Frozen* f = Find(c.key.kind, c.key.id)) {
        auto bytes = f->asBytes();
        b.setCurrentCanonical(kj::arrayPtr(bytes.begin(), bytes.size()));
      }
    }
    SetOrigin(b.initIncoming(), c.incoming_origin, c.incoming_seq);
    b.setIncomingCanonical(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(c.incoming_canonical.data()),
                     c.incoming_canonical.size()));
    b.initDetectedAt().setMicros(now);
    b.setStatus(schema::ConflictStatus::OPEN);
  }
  auto ul = rec.initUnapplied(static_cast<unsigned>(plan.unapplied.size()));
  for (size_t i = 0; i < plan.unapplied.size(); ++i) {
    ul[static_cast<unsigned>(i)].setKind(plan.unapplied[i].kind);
    SetId(ul[static_cast<unsigned>(i)].initId(), plan.unapplied[i].id);
  }
  const exchange::MergeStats& st = plan.stats;
  rec.setApplied(static_cast<uint32_t>(st.applied));
  rec.setUnchanged(static_cast<uint32_t>(st.unchanged));
  rec.setStale(static_cast<uint32_t>(st.stale));
  rec.setAlreadyImported(static_cast<uint32_t>(st.already_imported));
  rec.setKnownConflicts(static_cast<uint32_t>(st.known_conflicts));
  rec.setSkipped(static_cast<uint32_t>(st.reference_data));
  // Something to record: changes, new conflicts, or journal progress.
  bool progress = st.applied > 0 || !plan.conflicts.empty();
  if (!from_snapshot) {
    for (const auto& [origin, seq] : plan.imported_seq_updates) {
      auto it = merge.imported_seq.find(origin);
      if (it == merge.imported_seq.end() || it->second < seq) progress = true;
    }
  }
  uint64_t seq = 0;
  if (progress) {
    std::vector<schema::Command::Reader> cmds;
    for (auto c : plan.commands().getCommands()) cmds.push_back(c);
    cmds.push_back(cmd.asReader());
    TREEM_ASSIGN_OR_RETURN(seq, ApplyMany(cmds, true, Mode::kImport));
  }
  out.setFromSnapshot(from_snapshot);
  out.setOrigins(rec.getOrigins());
  out.setConflicts(rec.getConflicts());
  for (auto c : out.getConflicts()) c.setDetectedSeq(seq);
  out.setUnapplied(rec.getUnapplied());
  out.setApplied(rec.getApplied());
  out.setUnchanged(rec.getUnchanged());
  out.setStale(rec.getStale());
  out.setAlreadyImported(rec.getAlreadyImported());
  out.setKnownConflicts(rec.getKnownConflicts());
  out.setSkipped(rec.getSkipped());
  out.setSeq(seq);
  return absl::OkStatus();
}

// Checks the merging actor, then plans (under the lock, with the bookkeeping started) and
// commits one merge.
absl::Status Registry::Impl::Merge(
    const Actor& actor,
    const std::function<absl::StatusOr<exchange::MergePlan>(const exchange::MergeOptions&)>& plan,
    bool from_snapshot, std::vector<std::pair<Uuid, uint64_t>> origins,
    schema::MergeRecord::Builder out) {
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  if (options.read_only) return absl::FailedPreconditionError("registry is read-only");
  absl::Status perm = MergerPermits(*this, actor, "merge");
  if (!perm.ok())
    return Refuse(actor, schema::AccessOperation::WRITE, RecordKind::UNKNOWN, {}, perm);
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    Txn t;  // the bookkeeping starts now (derived from the state; see EnableMerge)
    EnableMerge(t);
    exchange::MergeOptions o;
    o.actor_user_id = actor.user_id;
    o.actor_role = actor.role;
    o.actor_unit_code = actor.unit_code;
    o.at_micros = Now();
    o.keep_canonical = false;
    TREEM_ASSIGN_OR_RETURN(exchange::MergePlan p, plan(o));
    if (!from_snapshot) {
      origins = p.imported_seq_updates;
      std::sort(origins.begin(), origins.end());
    }
    return internal::Annotate(CommitMerge(actor, p, from_snapshot, origins, out), "merge");
  });
}

absl::Status Registry::MergeSnapshot(const Actor& actor, schema::Snapshot::Reader snapshot,
                                     schema::MergeRecord::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    auto h = snapshot.getHeader();
    if (h.getDeidentified())
      return absl::FailedPreconditionError("merge: a de-identified snapshot cannot be merged");
    const Uuid origin = IdOf(h.getStoreId());
    if (origin == r.store_id)
      return absl::InvalidArgumentError("header.storeId: the snapshot is this store's own");
    return r.Merge(
        actor,
        [&](const exchange::MergeOptions& o) {
          return exchange::MergeSnapshot(r.merge, snapshot, o);
        },
        true, {{origin, h.getLastSeq()}}, out);
  });
}

absl::Status Registry::MergeJournal(const Actor& actor, schema::JournalSegment::Reader segment,
                                    schema::MergeRecord::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    auto entries = segment.getEntries();
    for (unsigned i = 0; i < entries.size(); ++i) {
      if (IdOf(entries[i].getStoreId()) == r.store_id) {
        return absl::InvalidArgumentError(
            absl::StrCat("entries[", i, "].storeId: the entry is this store's own"));
      }
    }
    return r.Merge(
        actor,
        [&](const exchange::MergeOptions& o) {
          return exchange::MergeJournal(r.merge, entries, o);
        },
        false, {}, out);
  });
}

absl::Status Registry::Conflicts(const Actor& actor, bool open_only,
                                 schema::ConflictList::Builder out) {
  absl::MutexLock l(&impl_->mu);
  Impl& r = *impl_;
  TREEM_RETURN_IF_ERROR(CheckActor(actor, "actor"));
  absl::Status perm = MergerPermits(r, actor, "read merge conflicts");
  if (!perm.ok())
    return r.Refuse(actor, schema::AccessOperation::LIST, RecordKind::UNKNOWN, {}, perm);
  std::vector<size_t> picked;
  for (size_t i = 0; i < r.conflicts.size(); ++i) {
    if (!open_only ||
        Thaw<schema::ConflictRecord>(r.conflicts[i]).getStatus() == schema::ConflictStatus::OPEN)
      picked.push_back(i);
  }
  std::vector<Uuid> ids;
  for (size_t i : picked)
    ids.push_back(IdOf(Thaw<schema::ConflictRecord>(r.conflicts[i]).getRecordId()));
  TREEM_RETURN_IF_ERROR(r.LogAccess(actor, schema::AccessOperation::LIST, RecordKind::UNKNOWN, ids,
                                    "merge conflicts", nullptr,
                                    static_cast<uint32_t>(picked.size())));
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    auto list = out.initConflicts(static_cast<unsigned>(picked.size()));
    for (size_t i = 0; i < picked.size(); ++i) {
      list.setWithCaveats(static_cast<unsigned>(i),
                          Thaw<schema::ConflictRecord>(r.conflicts[picked[i]]));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<uint64_t> Registry::ResolveConflict(const Actor& actor, const Uuid& conflict_id,
                                                   schema::ConflictDecision decision,
                                                   std::string_view reason) {
  capnp::MallocMessageBuilder mb;
  auto cmd = mb.initRoot<schema::Command>();
  cases::SetActor(cmd.initActor(), actor);
  cmd.setSource(schema::DataSource::API);
  auto rc = cmd.initPayload().initResolveConflict();
  SetId(rc.initConflictId(), conflict_id);
  rc.setDecision(decision);
  rc.setReason(Text(reason));
  TREEM_ASSIGN_OR_RETURN(ApplyResult res, Apply(cmd.asReader()));
  return res.seq;
}

absl::StatusOr<std::shared_ptr<const indicators::Dataset>> Registry::Impl::IndicatorData(
    const core::AdminUnits& units, std::optional<schema::Snapshot::Reader> state) {
  if (dataset != nullptr && dataset_version == data_version) {
    if (!dataset->units.SharesData(units)) {
      auto copy = std::make_shared<indicators::Dataset>(*dataset);
      copy->units = units;
      copy->resolved = indicators::NewKeyResolutionCache();
      dataset = std::move(copy);
    }
    return dataset;
  }
  if (data_version == 0 && !columns_file.empty()) {
    auto read = indicators::ReadColumns(columns_file, units);
    if (read.ok()) {
      dataset = std::make_shared<const indicators::Dataset>(*std::move(read));
      dataset_version = 0;
      return dataset;
    }
    columns_file.clear();  // damaged or from another release: it is a cache, rebuild
  }
  capnp::MallocMessageBuilder mb;
  if (!state) {
    auto snap = mb.initRoot<schema::Snapshot>();
    WriteState(snap);
    state = snap.asReader();
  }
  TREEM_ASSIGN_OR_RETURN(indicators::Dataset built, indicators::BuildDataset(*state, units));
  dataset = std::make_shared<const indicators::Dataset>(std::move(built));
  dataset_version = data_version;
  return dataset;
}

absl::StatusOr<std::shared_ptr<const indicators::Dataset>> Registry::IndicatorData(
    const core::AdminUnits& units) {
  absl::MutexLock l(&impl_->mu);
  return internal::CatchToStatus(
      absl::StatusCode::kInternal,
      [&]() -> absl::StatusOr<std::shared_ptr<const indicators::Dataset>> {
        return impl_->IndicatorData(units);
      });
}

uint64_t Registry::last_seq() const {
  absl::MutexLock l(&impl_->mu);
  return impl_->last_seq;
}
core::Uuid Registry::store_id() const {
  absl::MutexLock l(&impl_->mu);
  return impl_->store_id;
}
std::vector<std::string> Registry::scope() const {
  absl::MutexLock l(&impl_->mu);
  return impl_->scope;
}
bool Registry::read_only() const { return impl_->options.read_only; }

size_t Registry::Count(RecordKind kind) const {
  absl::MutexLock l(&impl_->mu);
  const Impl& r = *impl_;
  switch (kind) {
    case RecordKind::CASE:
      return r.case_ids.size();
    case RecordKind::REFERRAL:
      return r.IdsOf(kind).size();
    case RecordKind::SERVICE_PROVIDER:
      return r.provider_ids.size();
    case RecordKind::INDICATOR_DEFINITION:
      return r.indicators.size();
    case RecordKind::ADMIN_UNIT:
      return r.admin_units.size();
    default: {
      auto m = r.records.find(kind);
      return m == r.records.end() ? 0 : m->second.size();
    }
  }
}

}  // namespace treem::registry
