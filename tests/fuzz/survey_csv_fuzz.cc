// Fuzz target: lib/exchange/csv_import.h, ImportSurveyCsv (village survey lists).
//
// Input: households.csv, then the separator "\n%%treem%%\n", then children.csv (no separator:
// households only). Imported twice: refusing any problem, and with skip_bad_rows.
//
// Invariants besides "no crash": with valid options the import never fails with a status
// (data problems are issues, not statuses); a refused import returns no commands; the commands
// of a good import are all there with skip_bad_rows too.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "exchange/csv_import.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  const std::vector<std::string_view> files =
      fuzz::SplitParts(fuzz::AsText(data, size), fuzz::kFileSeparator, 2);
  const std::string_view households = files[0];
  const std::string_view children = files.size() > 1 ? files[1] : std::string_view();

  exchange::CsvImportOptions o;
  o.actor_user_id = "fuzz-worker";
  o.actor_unit_code = "15928";
  o.at_micros = int64_t{1735689600} * 1000000;  // 2025-01-01
  o.commune_code = "15928";
  o.progress_every = 7;
  size_t progress_calls = 0;
  o.progress = [&](size_t) {
    ++progress_calls;
    return true;
  };

  // Two empty files are an options error (nothing to import), not a data problem.
  if (households.empty() && children.empty()) return 0;
  absl::StatusOr<exchange::CsvImportResult> strict =
      exchange::ImportSurveyCsv(households, children, o);
  if (!strict.ok()) fuzz::FuzzFail("ImportSurveyCsv failed with a status", strict.status());
  const size_t strict_commands = strict->commands().getCommands().size();
  if (!strict->ok() && strict_commands != 0) fuzz::FuzzFail("a refused import returned commands");
  (void)strict->Report();

  o.skip_bad_rows = true;
  absl::StatusOr<exchange::CsvImportResult> lenient =
      exchange::ImportSurveyCsv(households, children, o);
  if (!lenient.ok()) fuzz::FuzzFail("ImportSurveyCsv failed with a status", lenient.status());
  if (strict->ok() && lenient->commands().getCommands().size() != strict_commands) {
    fuzz::FuzzFail("skip_bad_rows changed the commands of a clean import");
  }
  capnp::MallocMessageBuilder report;
  lenient->ToReport(report.initRoot<schema::CsvImportReport>());
  for (const exchange::CsvIssue& issue : lenient->issues) (void)issue.ToString();

  o.skip_bad_rows = false;
  o.validate_only = true;
  absl::StatusOr<exchange::CsvImportResult> dry =
      exchange::ImportSurveyCsv(households, children, o);
  if (!dry.ok()) fuzz::FuzzFail("ImportSurveyCsv (validate_only) failed", dry.status());
  if (dry->issues.size() != strict->issues.size()) {
    fuzz::FuzzFail("validate_only found other problems than an import");
  }
  (void)progress_calls;
  return 0;
}
