// extern "C" definitions of treem/c/registry.h.
#include "treem/c/registry.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "capi/schema_out.h"
#include "core/admin_units.h"
#include "core/date.h"
#include "core/ids.h"
#include "internal/status_macros.h"
#include "registry/registry.h"
#include "treem/schema/commands.capnp.h"

struct treem_registry_options {
  treem::registry::RegistryOptions impl;
  bool create = false;
};

namespace treem::capi {
namespace {

using internal::Sv;
using registry::Actor;

absl::StatusOr<Actor> ActorArg(const char* user_id, treem_role role, const char* unit_code) {
  if (user_id == nullptr) return Misuse("user_id: null");
  if (role < TREEM_ROLE_COMMUNE_WORKER || role > TREEM_ROLE_SYSTEM) {
    return Misuse(absl::StrCat("role: unknown role ", role));
  }
  Actor a;
  a.user_id = user_id;
  a.role = static_cast<schema::Role>(role);
  a.unit_code = unit_code == nullptr ? "" : unit_code;
  return a;
}

absl::StatusOr<core::Uuid> IdArg(const char* text, std::string_view name) {
  if (text == nullptr) return Misuse(absl::StrCat(Sv(name), ": null"));
  return core::ParseUuid(text, name);
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;
namespace reg = treem::registry;
namespace schema = treem::schema;

extern "C" {

treem_status treem_registry_options_new(treem_registry_options** out) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_registry_options_new: out is null");
    *out = new treem_registry_options();
    return absl::OkStatus();
  });
}

void treem_registry_options_free(treem_registry_options* opts) { delete opts; }

treem_status treem_registry_options_set_create(treem_registry_options* opts, int create) {
  return Guard([&]() -> absl::Status {
    if (opts == nullptr) return Misuse("treem_registry_options_set_create: opts is null");
    opts->create = create != 0;
    return absl::OkStatus();
  });
}

treem_status treem_registry_options_set_read_only(treem_registry_options* opts, int read_only) {
  return Guard([&]() -> absl::Status {
    if (opts == nullptr) return Misuse("treem_registry_options_set_read_only: opts is null");
    opts->impl.read_only = read_only != 0;
    return absl::OkStatus();
  });
}

treem_status treem_registry_options_set_sync(treem_registry_options* opts, treem_sync sync) {
  return Guard([&]() -> absl::Status {
    if (opts == nullptr) return Misuse("treem_registry_options_set_sync: opts is null");
    switch (sync) {
      case TREEM_SYNC_FULL:
        opts->impl.sync = treem::store::SyncPolicy::kFull;
        break;
      case TREEM_SYNC_NORMAL:
        opts->impl.sync = treem::store::SyncPolicy::kNormal;
        break;
      case TREEM_SYNC_OFF:
        opts->impl.sync = treem::store::SyncPolicy::kOff;
        break;
      default:
        return Misuse(absl::StrCat("sync: unknown sync policy ", sync));
    }
    return absl::OkStatus();
  });
}

treem_status treem_registry_options_add_scope(treem_registry_options* opts, const char* unit_code) {
  return Guard([&]() -> absl::Status {
    if (opts == nullptr || unit_code == nullptr) {
      return Misuse("treem_registry_options_add_scope: null argument");
    }
    opts->impl.scope.emplace_back(unit_code);
    return absl::OkStatus();
  });
}

treem_status treem_registry_options_set_units(treem_registry_options* opts,
                                              const treem_units* units) {
  return Guard([&]() -> absl::Status {
    if (opts == nullptr || units == nullptr) {
      return Misuse("treem_registry_options_set_units: null argument");
    }
    opts->impl.units = units->impl;
    return absl::OkStatus();
  });
}

treem_status treem_registry_open(treem_registry** out, const char* dir,
                                 const treem_registry_options* opts) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_registry_open: out is null");
    *out = nullptr;
    if (dir == nullptr) return Misuse("treem_registry_open: dir is null");
    treem_registry_options defaults;
    const treem_registry_options& o = opts == nullptr ? defaults : *opts;
    std::unique_ptr<reg::Registry> r;
    if (o.create) {
      TREEM_ASSIGN_OR_RETURN(r, reg::Registry::Create(dir, o.impl));
    } else {
      TREEM_ASSIGN_OR_RETURN(r, reg::Registry::Open(dir, o.impl));
    }
    *out = new treem_registry{std::move(r)};
    return absl::OkStatus();
  });
}

void treem_registry_free(treem_registry* r) { delete r; }

treem_status treem_registry_apply(uint64_t* seq_out, treem_registry* r, const uint8_t* cmd,
                                  size_t len, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr) return Misuse("treem_registry_apply: registry is null");
    capnp::MallocMessageBuilder message;
    TREEM_RETURN_IF_ERROR(treem::capi::ReadMessage<schema::Command>(cmd, len, fmt, message, "cmd"));
    TREEM_ASSIGN_OR_RETURN(reg::ApplyResult res,
                           r->impl->Apply(message.getRoot<schema::Command>().asReader()));
    if (seq_out != nullptr) *seq_out = res.seq;
    return absl::OkStatus();
  });
}

treem_status treem_registry_apply_batch(uint64_t* seq_out, treem_registry* r, const uint8_t* batch,
                                        size_t len, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr) return Misuse("treem_registry_apply_batch: registry is null");
    capnp::MallocMessageBuilder message;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::CommandBatch>(batch, len, fmt, message, "batch"));
    TREEM_ASSIGN_OR_RETURN(uint64_t seq,
                           r->impl->ApplyBatch(message.getRoot<schema::CommandBatch>().asReader()));
    if (seq_out != nullptr) *seq_out = seq;
    return absl::OkStatus();
  });
}

treem_status treem_registry_get(treem_buf* out, treem_registry* r, const char* user_id,
                                treem_role role, const char* unit_code, const char* kind,
                                const char* uuid_text, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr || kind == nullptr) {
      return Misuse("treem_registry_get: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    const std::string_view k(kind);
    if (k == "indicatorDefinition") {
      if (uuid_text == nullptr) return Misuse("id: null");
      TREEM_ASSIGN_OR_RETURN(std::string bytes, r->impl->GetIndicator(actor, uuid_text, format));
      return treem::capi::FillBuf(out, bytes);
    }
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(uuid_text, "id"));
    if (k == "classification") {
      capnp::MallocMessageBuilder message;
      auto root = message.initRoot<schema::ActivityClassification>();
      TREEM_RETURN_IF_ERROR(r->impl->Classification(actor, id, root));
      return treem::capi::WriteMessage<schema::ActivityClassification>(out, root.asReader(),
                                                                       format);
    }
    TREEM_ASSIGN_OR_RETURN(auto rk, reg::KindFromName(k, "kind"));
    TREEM_ASSIGN_OR_RETURN(std::string bytes, r->impl->Get(actor, rk, id, format));
    return treem::capi::FillBuf(out, bytes);
  });
}

treem_status treem_registry_list(treem_buf* out, treem_registry* r, const char* user_id,
                                 treem_role role, const char* unit_code, const char* kind,
                                 treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr || kind == nullptr) {
      return Misuse("treem_registry_list: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    TREEM_ASSIGN_OR_RETURN(auto rk, reg::KindFromName(kind, "kind"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::Snapshot>();
    TREEM_RETURN_IF_ERROR(r->impl->List(actor, rk, root));
    return treem::capi::WriteMessage<schema::Snapshot>(out, root.asReader(), format);
  });
}

treem_status treem_registry_history(treem_buf* out, treem_registry* r, const char* user_id,
                                    treem_role role, const char* unit_code, const char* kind,
                                    const char* id_text, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr || kind == nullptr || id_text == nullptr) {
      return Misuse("treem_registry_history: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    TREEM_ASSIGN_OR_RETURN(auto rk, reg::KindFromName(kind, "kind"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::RecordHistory>();
    if (rk == schema::RecordKind::INDICATOR_DEFINITION || rk == schema::RecordKind::ADMIN_UNIT) {
      TREEM_RETURN_IF_ERROR(r->impl->HistoryByCode(actor, rk, id_text, root));
    } else {
      TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(id_text, "id"));
      TREEM_RETURN_IF_ERROR(r->impl->History(actor, rk, id, root));
    }
    return treem::capi::WriteMessage<schema::RecordHistory>(out, root.asReader(), format);
  });
}

treem_status treem_registry_due(treem_buf* out, treem_registry* r, const char* user_id,
                                treem_role role, const char* unit_code, int64_t at_micros,
                                uint32_t due_soon_hours, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr) return Misuse("treem_registry_due: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    capnp::MallocMessageBuilder qm;
    auto q = qm.initRoot<schema::DeadlineQuery>();
    q.initAt().setMicros(at_micros);
    q.setDueSoonWithinHours(due_soon_hours);
    q.setIncludeOverdue(true);
    q.setIncludeDueSoon(true);
    q.setIncludeLater(true);
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::DeadlineReport>();
    TREEM_RETURN_IF_ERROR(r->impl->Due(actor, q.asReader(), root));
    return treem::capi::WriteMessage<schema::DeadlineReport>(out, root.asReader(), format);
  });
}

treem_status treem_registry_verdict(treem_buf* out, treem_registry* r, const char* user_id,
                                    treem_role role, const char* unit_code,
                                    const char* child_uuid_text, const char* period_start,
                                    const char* period_end, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr || period_start == nullptr || period_end == nullptr) {
      return Misuse("treem_registry_verdict: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(child_uuid_text, "childId"));
    TREEM_ASSIGN_OR_RETURN(auto start, treem::core::ParseDate(period_start, "periodStart"));
    TREEM_ASSIGN_OR_RETURN(auto end, treem::core::ParseDate(period_end, "periodEnd"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::ChildVerdict>();
    TREEM_RETURN_IF_ERROR(r->impl->ChildVerdict(actor, id, start, end, root));
    return treem::capi::WriteMessage<schema::ChildVerdict>(out, root.asReader(), format);
  });
}

treem_status treem_registry_checkpoint(uint64_t* seq_out, treem_registry* r) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr) return Misuse("treem_registry_checkpoint: registry is null");
    TREEM_ASSIGN_OR_RETURN(uint64_t seq, r->impl->Checkpoint());
    if (seq_out != nullptr) *seq_out = seq;
    return absl::OkStatus();
  });
}

treem_status treem_registry_export(treem_buf* out, treem_registry* r, const char* user_id,
                                   treem_role role, const char* unit_code, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr) return Misuse("treem_registry_export: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    TREEM_ASSIGN_OR_RETURN(std::string bytes, r->impl->ExportSnapshot(actor, format));
    return treem::capi::FillBuf(out, bytes);
  });
}

treem_status treem_registry_import(treem_registry* r, const char* user_id, treem_role role,
                                   const char* unit_code, const uint8_t* snapshot, size_t len,
                                   treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr) return Misuse("treem_registry_import: registry is null");
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    capnp::MallocMessageBuilder message;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::Snapshot>(snapshot, len, fmt, message, "snapshot"));
    return r->impl->ImportSnapshot(actor, message.getRoot<schema::Snapshot>().asReader());
  });
}

treem_status treem_registry_last_seq(uint64_t* out, const treem_registry* r) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr) return Misuse("treem_registry_last_seq: null argument");
    *out = r->impl->last_seq();
    return absl::OkStatus();
  });
}

treem_status treem_registry_export_journal(treem_buf* out, treem_registry* r, const char* user_id,
                                           treem_role role, const char* unit_code,
                                           uint64_t from_seq, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr)
      return Misuse("treem_registry_export_journal: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::JournalSegment>();
    TREEM_RETURN_IF_ERROR(r->impl->ExportJournal(actor, from_seq, root));
    return treem::capi::WriteMessage<schema::JournalSegment>(out, root.asReader(), format);
  });
}

treem_status treem_registry_merge(treem_buf* report_out, treem_registry* r, const char* user_id,
                                  treem_role role, const char* unit_code, treem_merge_source source,
                                  const uint8_t* data, size_t len, treem_format in_fmt,
                                  treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr) return Misuse("treem_registry_merge: registry is null");
    if (report_out != nullptr) treem_buf_dispose(report_out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    capnp::MallocMessageBuilder in;
    capnp::MallocMessageBuilder report;
    auto root = report.initRoot<schema::MergeRecord>();
    switch (source) {
      case TREEM_MERGE_SNAPSHOT:
        TREEM_RETURN_IF_ERROR(
            treem::capi::ReadMessage<schema::Snapshot>(data, len, in_fmt, in, "snapshot"));
        TREEM_RETURN_IF_ERROR(
            r->impl->MergeSnapshot(actor, in.getRoot<schema::Snapshot>().asReader(), root));
        break;
      case TREEM_MERGE_JOURNAL:
        TREEM_RETURN_IF_ERROR(
            treem::capi::ReadMessage<schema::JournalSegment>(data, len, in_fmt, in, "segment"));
        TREEM_RETURN_IF_ERROR(
            r->impl->MergeJournal(actor, in.getRoot<schema::JournalSegment>().asReader(), root));
        break;
      default:
        return Misuse(absl::StrCat("source: unknown merge source ", static_cast<int>(source),
                                   " (expected 1 snapshot or 2 journal)"));
    }
    if (report_out == nullptr) return absl::OkStatus();
    return treem::capi::WriteMessage<schema::MergeRecord>(report_out, root.asReader(), format);
  });
}

treem_status treem_registry_conflicts(treem_buf* out, treem_registry* r, const char* user_id,
                                      treem_role role, const char* unit_code, int open_only,
                                      treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || r == nullptr) return Misuse("treem_registry_conflicts: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::ConflictList>();
    TREEM_RETURN_IF_ERROR(r->impl->Conflicts(actor, open_only != 0, root));
    return treem::capi::WriteMessage<schema::ConflictList>(out, root.asReader(), format);
  });
}

treem_status treem_registry_resolve_conflict(uint64_t* seq_out, treem_registry* r,
                                             const char* user_id, treem_role role,
                                             const char* unit_code, const char* conflict_uuid,
                                             treem_conflict_decision decision, const char* reason) {
  return Guard([&]() -> absl::Status {
    if (r == nullptr || conflict_uuid == nullptr || reason == nullptr)
      return Misuse("treem_registry_resolve_conflict: null argument");
    if (seq_out != nullptr) *seq_out = 0;
    if (decision != TREEM_CONFLICT_KEEP_CURRENT && decision != TREEM_CONFLICT_TAKE_INCOMING) {
      return Misuse(absl::StrCat("decision: unknown decision ", static_cast<int>(decision),
                                 " (expected 1 keep current or 2 take incoming)"));
    }
    TREEM_ASSIGN_OR_RETURN(reg::Actor actor, treem::capi::ActorArg(user_id, role, unit_code));
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(conflict_uuid, "conflict_uuid"));
    TREEM_ASSIGN_OR_RETURN(uint64_t seq,
                           r->impl->ResolveConflict(
                               actor, id, static_cast<schema::ConflictDecision>(decision), reason));
    if (seq_out != nullptr) *seq_out = seq;
    return absl::OkStatus();
  });
}

}  // extern "C"
