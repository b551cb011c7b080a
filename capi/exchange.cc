// extern "C" definitions of treem/c/exchange.h.
#include "treem/c/exchange.h"

#include <chrono>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "capi/schema_out.h"
#include "core/ids.h"
#include "exchange/csv_import.h"
#include "exchange/deidentify.h"
#include "internal/status_macros.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/exchange.capnp.h"

namespace treem::capi {
namespace {

using internal::Sv;

std::string_view Bytes(const uint8_t* p, size_t n) {
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

absl::Status CheckBytes(const uint8_t* p, size_t n, std::string_view name) {
  if (p == nullptr && n != 0) return Misuse(absl::StrCat(Sv(name), ": null with non-zero size"));
  return absl::OkStatus();
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<exchange::CsvImportResult> RunImport(const uint8_t* households, size_t hlen,
                                                    const uint8_t* children, size_t clen,
                                                    const char* commune_code, const char* user_id,
                                                    treem_role role, const char* unit_code,
                                                    int64_t at_micros, uint32_t flags) {
  TREEM_RETURN_IF_ERROR(CheckBytes(households, hlen, "households_csv"));
  TREEM_RETURN_IF_ERROR(CheckBytes(children, clen, "children_csv"));
  if (user_id == nullptr) return Misuse("user_id: null");
  if (role < TREEM_ROLE_COMMUNE_WORKER || role > TREEM_ROLE_SYSTEM) {
    return Misuse(absl::StrCat("role: unknown role ", role));
  }
  if ((flags & ~(TREEM_CSV_SKIP_BAD_ROWS | TREEM_CSV_VALIDATE_ONLY)) != 0) {
    return Misuse(absl::StrCat("flags: unknown bits ", flags));
  }
  exchange::CsvImportOptions options;
  options.actor_user_id = user_id;
  options.actor_role = static_cast<schema::Role>(role);
  options.actor_unit_code = unit_code == nullptr ? "" : unit_code;
  options.at_micros = at_micros == 0 ? NowMicros() : at_micros;
  options.commune_code = commune_code == nullptr ? "" : commune_code;
  options.skip_bad_rows = (flags & TREEM_CSV_SKIP_BAD_ROWS) != 0;
  options.validate_only = (flags & TREEM_CSV_VALIDATE_ONLY) != 0;
  return exchange::ImportSurveyCsv(Bytes(households, hlen), Bytes(children, clen), options);
}

absl::Status WriteReport(treem_buf* out, const exchange::CsvImportResult& result,
                         serde::Format format) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::CsvImportReport>();
  result.ToReport(root);
  return WriteMessage<schema::CsvImportReport>(out, root.asReader(), format);
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;

extern "C" {

treem_status treem_csv_import(treem_buf* report_out, const uint8_t* households_csv,
                              size_t households_len, const uint8_t* children_csv,
                              size_t children_len, const char* commune_code, const char* user_id,
                              treem_role role, const char* unit_code, int64_t at_micros,
                              uint32_t flags, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (report_out == nullptr) return Misuse("treem_csv_import: report_out is null");
    treem_buf_dispose(report_out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(
        auto result,
        treem::capi::RunImport(households_csv, households_len, children_csv, children_len,
                               commune_code, user_id, role, unit_code, at_micros, flags));
    return treem::capi::WriteReport(report_out, result, format);
  });
}

treem_status treem_registry_import_csv(uint64_t* seq_out, treem_buf* report_out,
                                       treem_registry* reg, const uint8_t* households_csv,
                                       size_t households_len, const uint8_t* children_csv,
                                       size_t children_len, const char* commune_code,
                                       const char* user_id, treem_role role, const char* unit_code,
                                       uint32_t flags, treem_format report_fmt) {
  return Guard([&]() -> absl::Status {
    if (seq_out == nullptr || reg == nullptr) {
      return Misuse("treem_registry_import_csv: null argument");
    }
    *seq_out = 0;
    if (report_out != nullptr) treem_buf_dispose(report_out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(report_fmt, "report_fmt"));
    if ((flags & TREEM_CSV_VALIDATE_ONLY) != 0) {
      return Misuse(
          "flags: TREEM_CSV_VALIDATE_ONLY makes no sense when importing; use "
          "treem_csv_import");
    }
    TREEM_ASSIGN_OR_RETURN(
        auto result,
        treem::capi::RunImport(households_csv, households_len, children_csv, children_len,
                               commune_code, user_id, role, unit_code, 0, flags));
    if (report_out != nullptr) {
      TREEM_RETURN_IF_ERROR(treem::capi::WriteReport(report_out, result, format));
    }
    if (!result.ok() && (flags & TREEM_CSV_SKIP_BAD_ROWS) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("survey lists refused, nothing imported: ", result.issues.size(),
                       " problem(s); first: ", result.issues.front().ToString()));
    }
    auto batch = result.commands();
    if (batch.getCommands().size() == 0) return absl::OkStatus();
    TREEM_ASSIGN_OR_RETURN(*seq_out, reg->impl->ApplyBatch(batch));
    return absl::OkStatus();
  });
}

treem_status treem_deidentify(treem_buf* out, const uint8_t* snapshot, size_t len,
                              treem_format in_fmt, const uint8_t* secret, size_t secret_len,
                              uint32_t flags, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_deidentify: out is null");
    treem_buf_dispose(out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    if ((flags & ~(TREEM_DEID_KEEP_VILLAGES | TREEM_DEID_COARSEN_EVENT_DATES |
                   TREEM_DEID_BIRTH_YEAR_ONLY)) != 0) {
      return Misuse(absl::StrCat("flags: unknown bits ", flags));
    }
    if (secret == nullptr && secret_len != 0) return Misuse("secret: null with non-zero size");
    capnp::MallocMessageBuilder input;
    TREEM_RETURN_IF_ERROR(treem::capi::ReadMessage<treem::schema::Snapshot>(snapshot, len, in_fmt,
                                                                            input, "snapshot"));
    treem::exchange::DeidentifyOptions options;
    if (secret != nullptr) {
      options.secret.assign(reinterpret_cast<const char*>(secret), secret_len);
    } else {
      // A fresh random key, discarded after the call: the export links to nothing.
      for (int i = 0; i < 2; ++i) {
        TREEM_ASSIGN_OR_RETURN(treem::core::Uuid u, treem::core::TryNewRandomUuid());
        options.secret += treem::core::ToString(u);
      }
    }
    options.keep_village_codes = (flags & TREEM_DEID_KEEP_VILLAGES) != 0;
    options.coarsen_event_dates = (flags & TREEM_DEID_COARSEN_EVENT_DATES) != 0;
    if ((flags & TREEM_DEID_BIRTH_YEAR_ONLY) != 0) {
      options.birth_date = treem::schema::BirthDatePrecision::YEAR;
    }
    capnp::MallocMessageBuilder output;
    auto root = output.initRoot<treem::schema::Snapshot>();
    TREEM_RETURN_IF_ERROR(treem::exchange::Deidentify(
        input.getRoot<treem::schema::Snapshot>().asReader(), root, options));
    return treem::capi::WriteMessage<treem::schema::Snapshot>(out, root.asReader(), format);
  });
}

}  // extern "C"
