// extern "C" definitions of treem/c/reports.h.
#include "treem/c/reports.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "capi/schema_out.h"
#include "core/date.h"
#include "indicators/columns.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "indicators/plan.h"
#include "indicators/render.h"
#include "internal/status_macros.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/indicators.capnp.h"

struct treem_report_request {
  treem::indicators::ReportRequest impl;
  std::unique_ptr<capnp::MallocMessageBuilder> plan;  // the request's own copy
  treem::schema::ProgrammePlan::Reader plan_reader;
};

// Immutable once created: Compute on a const Dataset is thread-safe (its key-resolution and
// scratch caches are mutex-protected, the deferred checksums run under std::call_once).
struct treem_dataset {
  treem::indicators::Dataset impl;
};

namespace treem::capi {
namespace {

using internal::Sv;

absl::StatusOr<core::Date> DateArg(const char* text, std::string_view name) {
  if (text == nullptr) return Misuse(absl::StrCat(Sv(name), ": null"));
  return core::ParseDate(text, name);
}

void UsePlan(treem_report_request* req, schema::ProgrammePlan::Reader plan) {
  auto message = std::make_unique<capnp::MallocMessageBuilder>();
  message->setRoot(plan);
  req->plan = std::move(message);
  req->plan_reader = req->plan->getRoot<schema::ProgrammePlan>().asReader();
  req->impl.plan = &req->plan_reader;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The one path from a request to report bytes (treem_report_compute, treem_registry_report
// and treem_dataset_report): the request as set, stamped with the time of the call unless
// the caller fixed it.
absl::StatusOr<std::string> ComputeEncoded(const indicators::Dataset& data,
                                           indicators::ReportRequest request,
                                           serde::Format format) {
  if (request.generated_at_micros == 0) request.generated_at_micros = NowMicros();
  TREEM_ASSIGN_OR_RETURN(indicators::ReportMessage report, indicators::Compute(data, request));
  return indicators::EncodeReport(report.reader(), format);
}

absl::StatusOr<indicators::Dataset> DatasetOfSnapshot(const uint8_t* snapshot, size_t len,
                                                      treem_format in_fmt,
                                                      const core::AdminUnits& units) {
  capnp::MallocMessageBuilder input;
  TREEM_RETURN_IF_ERROR(ReadMessage<schema::Snapshot>(snapshot, len, in_fmt, input, "snapshot"));
  return indicators::BuildDataset(input.getRoot<schema::Snapshot>().asReader(), units);
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;
namespace ind = treem::indicators;

#define TREEM_REQ_GUARD(name) \
  if (req == nullptr) return Misuse(name ": request is null")

extern "C" {

treem_status treem_report_request_new(treem_report_request** out) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_report_request_new: out is null");
    *out = new treem_report_request();
    return absl::OkStatus();
  });
}

void treem_report_request_free(treem_report_request* req) { delete req; }

treem_status treem_report_request_set_unit(treem_report_request* req, const char* unit_code) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_unit");
    req->impl.unit_code = unit_code == nullptr ? "" : unit_code;
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_year(treem_report_request* req, int32_t year) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_year");
    if (year < 1990 || year > 2199) {
      return absl::InvalidArgumentError(absl::StrCat("year: ", year, " is outside 1990-2199"));
    }
    req->impl.period = ind::Period::Year(year);
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_quarter(treem_report_request* req, int32_t year,
                                              int32_t quarter) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_quarter");
    TREEM_ASSIGN_OR_RETURN(req->impl.period, ind::Period::Quarter(year, quarter));
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_period(treem_report_request* req, const char* first_day,
                                             const char* last_day) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_period");
    TREEM_ASSIGN_OR_RETURN(auto start, treem::capi::DateArg(first_day, "first_day"));
    TREEM_ASSIGN_OR_RETURN(auto end, treem::capi::DateArg(last_day, "last_day"));
    TREEM_ASSIGN_OR_RETURN(req->impl.period, ind::Period::Custom(start, end));
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_map_date(treem_report_request* req, const char* date) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_map_date");
    TREEM_ASSIGN_OR_RETURN(auto d, treem::capi::DateArg(date, "map_date"));
    req->impl.map_date = d;
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_plan_builtin(treem_report_request* req, const char* name) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_plan_builtin");
    if (name == nullptr) return Misuse("set_plan_builtin: name is null");
    TREEM_ASSIGN_OR_RETURN(auto plan, ind::LoadEmbeddedPlan(name));
    treem::capi::UsePlan(req, plan.reader());
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_plan(treem_report_request* req, const uint8_t* plan,
                                           size_t len, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_plan");
    capnp::MallocMessageBuilder input;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<treem::schema::ProgrammePlan>(plan, len, fmt, input, "plan"));
    auto reader = input.getRoot<treem::schema::ProgrammePlan>().asReader();
    TREEM_RETURN_IF_ERROR(ind::ValidatePlan(reader, ind::BuiltinDefinitions(), "plan"));
    treem::capi::UsePlan(req, reader);
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_upward(treem_report_request* req, int upward) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_upward");
    req->impl.upward = upward != 0;
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_provenance(treem_report_request* req, int provenance) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_provenance");
    req->impl.provenance = provenance != 0;
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_breakdown(treem_report_request* req, treem_unit_level level) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_breakdown");
    switch (level) {
      case TREEM_UNIT_PROVINCE:
        req->impl.breakdown_level = treem::core::UnitLevel::kProvince;
        break;
      case TREEM_UNIT_DISTRICT:
        req->impl.breakdown_level = treem::core::UnitLevel::kDistrict;
        break;
      case TREEM_UNIT_COMMUNE:
        req->impl.breakdown_level = treem::core::UnitLevel::kCommune;
        break;
      case TREEM_UNIT_VILLAGE:
        req->impl.breakdown_level = treem::core::UnitLevel::kVillage;
        break;
      default:
        return Misuse(absl::StrCat("level: unknown unit level ", level));
    }
    return absl::OkStatus();
  });
}

treem_status treem_report_request_add_dimension(treem_report_request* req, int32_t dimension) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("add_dimension");
    if (dimension < 1 || dimension > 6) {
      return Misuse(absl::StrCat("dimension: unknown dimension ", dimension));
    }
    req->impl.dimensions.push_back(static_cast<treem::schema::DisaggregationDimension>(dimension));
    return absl::OkStatus();
  });
}

treem_status treem_report_request_add_indicator(treem_report_request* req,
                                                const char* indicator_id) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("add_indicator");
    if (indicator_id == nullptr) return Misuse("add_indicator: id is null");
    req->impl.indicator_ids.push_back(indicator_id);
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_title(treem_report_request* req, const char* title) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_title");
    req->impl.title = title == nullptr ? "" : title;
    return absl::OkStatus();
  });
}

treem_status treem_report_request_set_generated_at(treem_report_request* req, int64_t micros) {
  return Guard([&]() -> absl::Status {
    TREEM_REQ_GUARD("set_generated_at");
    if (micros < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("generated_at: ", micros, " is before 1970 (0 = the time of the call)"));
    }
    req->impl.generated_at_micros = micros;
    return absl::OkStatus();
  });
}

treem_status treem_report_compute(treem_buf* out, const uint8_t* snapshot, size_t len,
                                  treem_format in_fmt, const treem_units* units,
                                  const treem_report_request* req, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || units == nullptr || req == nullptr) {
      return Misuse("treem_report_compute: null argument");
    }
    treem_buf_dispose(out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    TREEM_ASSIGN_OR_RETURN(ind::Dataset data,
                           treem::capi::DatasetOfSnapshot(snapshot, len, in_fmt, units->impl));
    TREEM_ASSIGN_OR_RETURN(std::string bytes, treem::capi::ComputeEncoded(data, req->impl, format));
    return treem::capi::FillBuf(out, bytes);
  });
}

treem_status treem_registry_report(treem_buf* out, treem_registry* reg, const char* user_id,
                                   treem_role role, const char* unit_code, const treem_units* units,
                                   const treem_report_request* req, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || reg == nullptr || units == nullptr || req == nullptr ||
        user_id == nullptr) {
      return Misuse("treem_registry_report: null argument");
    }
    treem_buf_dispose(out);
    if (role < TREEM_ROLE_COMMUNE_WORKER || role > TREEM_ROLE_SYSTEM) {
      return Misuse(absl::StrCat("role: unknown role ", role));
    }
    if (role == TREEM_ROLE_INSPECTOR) {
      return absl::PermissionDeniedError("role inspector may not compute programme reports");
    }
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    ind::ReportRequest request = req->impl;
    const std::string actor_unit = unit_code == nullptr ? "" : unit_code;
    if (request.unit_code.empty()) request.unit_code = actor_unit;  // default: the actor's unit
    if ((role == TREEM_ROLE_COMMUNE_WORKER || role == TREEM_ROLE_COMMUNE_CHAIR) &&
        request.unit_code != actor_unit) {
      return absl::PermissionDeniedError(
          "a commune role may report on its own commune only (set the request unit to the "
          "actor's unit or leave it empty)");
    }
    if (role == TREEM_ROLE_ANALYST) {  // de-identified figures only
      if (request.provenance) {
        return absl::PermissionDeniedError(
            "role analyst may not see the records behind a figure (provenance)");
      }
      request.upward = true;
    }
    // The register's cached indicator columns (built once per change of data, or read from
    // the column file written with its snapshot).
    TREEM_ASSIGN_OR_RETURN(auto data, reg->impl->IndicatorData(units->impl));
    TREEM_ASSIGN_OR_RETURN(std::string bytes,
                           treem::capi::ComputeEncoded(*data, std::move(request), format));
    return treem::capi::FillBuf(out, bytes);
  });
}

treem_status treem_dataset_from_snapshot(treem_dataset** out, const uint8_t* snapshot, size_t len,
                                         treem_format in_fmt, const treem_units* units) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_dataset_from_snapshot: out is null");
    *out = nullptr;
    if (units == nullptr) return Misuse("treem_dataset_from_snapshot: units is null");
    TREEM_ASSIGN_OR_RETURN(ind::Dataset data,
                           treem::capi::DatasetOfSnapshot(snapshot, len, in_fmt, units->impl));
    *out = new treem_dataset{std::move(data)};
    return absl::OkStatus();
  });
}

treem_status treem_dataset_open_columns(treem_dataset** out, const char* path,
                                        const treem_units* units) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_dataset_open_columns: out is null");
    *out = nullptr;
    if (path == nullptr) return Misuse("treem_dataset_open_columns: path is null");
    if (units == nullptr) return Misuse("treem_dataset_open_columns: units is null");
    TREEM_ASSIGN_OR_RETURN(ind::Dataset data, ind::ReadColumns(path, units->impl));
    *out = new treem_dataset{std::move(data)};
    return absl::OkStatus();
  });
}

treem_status treem_dataset_write_columns(const treem_dataset* ds, const char* path) {
  return Guard([&]() -> absl::Status {
    if (ds == nullptr) return Misuse("treem_dataset_write_columns: dataset is null");
    if (path == nullptr) return Misuse("treem_dataset_write_columns: path is null");
    return ind::WriteColumns(ds->impl, /*covers_seq=*/0, path);
  });
}

treem_status treem_dataset_report(treem_buf* out, const treem_dataset* ds,
                                  const treem_report_request* req, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || ds == nullptr || req == nullptr) {
      return Misuse("treem_dataset_report: null argument");
    }
    treem_buf_dispose(out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    TREEM_ASSIGN_OR_RETURN(std::string bytes,
                           treem::capi::ComputeEncoded(ds->impl, req->impl, format));
    return treem::capi::FillBuf(out, bytes);
  });
}

treem_status treem_dataset_persons(uint64_t* out, const treem_dataset* ds) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || ds == nullptr) return Misuse("treem_dataset_persons: null argument");
    *out = ds->impl.person_count();
    return absl::OkStatus();
  });
}

void treem_dataset_free(treem_dataset* ds) { delete ds; }

treem_status treem_report_render(treem_buf* out, const uint8_t* report, size_t len,
                                 treem_format fmt, treem_render kind) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_report_render: out is null");
    treem_buf_dispose(out);
    if (kind != TREEM_RENDER_CSV && kind != TREEM_RENDER_HTML && kind != TREEM_RENDER_JSON) {
      return Misuse(absl::StrCat("kind: unknown rendering ", kind));
    }
    capnp::MallocMessageBuilder input;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<treem::schema::Report>(report, len, fmt, input, "report"));
    auto reader = input.getRoot<treem::schema::Report>().asReader();
    if (kind == TREEM_RENDER_JSON) {
      TREEM_ASSIGN_OR_RETURN(std::string json,
                             ind::EncodeReport(reader, treem::serde::Format::kJson));
      return treem::capi::FillBuf(out, json);
    }
    std::string text = kind == TREEM_RENDER_CSV ? ind::RenderCsv(reader) : ind::RenderHtml(reader);
    return treem::capi::FillBuf(out, text);
  });
}

}  // extern "C"
