// Bulk import of village survey lists (households.csv and children.csv) into commands.
//
// The files are UTF-8 (an initial BOM is skipped), RFC 4180 (double-quoted fields with ""
// escapes, fields may contain commas and line breaks), with LF or CRLF line ends. The first
// non-blank line is the header; columns are found by name (English names or the Vietnamese
// aliases of docs/exchange.md, compared after case folding), extra columns are ignored. Blank
// lines and lines of empty fields are skipped.
//
// Output: one CommandBatch with, in order, an upsertHousehold per household row, then per child
// row an upsertPerson and (when the child names a household) a linkHouseholdMember. Record ids
// are name-based (v5) from the import keys. A commandId is the v5 id of "csv/command2|<payload
// kind>|" followed by the command's normalised values (every value of the payload; not the
// envelope, not the row's position in the file). So importing the same files twice gives the
// same record ids and the same commandIds (the store treats the second submission as a repeat),
// whatever the order of the rows; a corrected row gives the same record id but a new commandId.
// (Formerly a commandId was the v5 id of "csv/command|<kind>|" and the payload's canonical
// Cap'n Proto bytes; the new name space keeps the two definitions apart.)
//
// Every problem is reported as a CsvIssue with the file, the physical line where the row starts,
// the column (canonical header name) and the reason. Personal values (names, national ids,
// dates, ethnicity, disability, special-circumstance groups, free text) are never echoed; bad
// codes of non-personal code columns (sex, poverty_status, ...) are.
//
// Policy: when any problem is found nothing is returned (no commands) unless skip_bad_rows is
// set; then every good row is returned together with the full list of problems (a row with any
// problem is skipped whole, and so are the children of a skipped household).
#ifndef TREEM_LIB_EXCHANGE_CSV_IMPORT_H_
#define TREEM_LIB_EXCHANGE_CSV_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "capnp/message.h"
#include "core/admin_units.h"
#include "core/date.h"
#include "core/ids.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/exchange.capnp.h"

namespace treem::exchange {

// What the message says about the offending value.
enum class ValueClass : uint8_t {
  kNone = 0,      // the problem is not about one value (missing column, field count, ...)
  kEmpty = 1,     // the value is empty
  kCode = 2,      // a code of a non-personal column; the message quotes it
  kWithheld = 3,  // a personal value; the message never contains it
};

struct CsvIssue {
  std::string file;    // "households.csv" or "children.csv"
  int line = 0;        // 1-based physical line where the row starts; 0 = the file as a whole
  std::string column;  // canonical header name ("birth_date"); empty for row-level problems
  ValueClass value_class = ValueClass::kNone;
  std::string reason;  // "not a calendar date"

  // "children.csv: line 17, column birth_date: not a calendar date"
  std::string ToString() const;
};

struct CsvImportOptions {
  // Envelope of every command (Command.actor, Command.at); source is always csvImport.
  std::string actor_user_id;
  schema::Role actor_role = schema::Role::COMMUNE_WORKER;
  std::string actor_unit_code;
  int64_t at_micros = 0;  // Command.at; also the day birth dates may not be after (UTC+7)

  // The commune of rows without a commune_code value (5 digits). Needed unless every household
  // row has a commune_code.
  std::string commune_code;

  // Return the good rows with the problem list instead of nothing.
  bool skip_bad_rows = false;
  // Parse and validate only: no commands are built (dry run, benchmarks).
  bool validate_only = false;

  // When set, commune codes must name a commune valid on `units_on` (default: the import day).
  const core::AdminUnits* units = nullptr;
  std::optional<core::Date> units_on;

  // Called with the number of data rows processed so far, every `progress_every` rows and once
  // at the end; returning false cancels the import (kCancelled).
  std::function<bool(size_t rows_processed)> progress;
  size_t progress_every = 10000;
};

struct CsvImportStats {
  size_t household_rows = 0;  // data rows read (blank lines excluded)
  size_t child_rows = 0;
  size_t households_imported = 0;  // rows turned into commands (or valid, with validate_only)
  size_t children_imported = 0;
};

struct CsvImportResult {
  // Root: schema::CommandBatch. Holds no commands when refused (problems and !skip_bad_rows)
  // or with validate_only. A large batch (8 MiB and more) is one segment in a memory mapping
  // that, when the message is destroyed, is zeroed and kept for the next import (one mapping
  // per process, given back to the kernel as reclaimable: MADV_FREE).
  std::unique_ptr<capnp::MallocMessageBuilder> message;
  std::vector<CsvIssue> issues;
  CsvImportStats stats;

  bool ok() const { return issues.empty(); }
  schema::CommandBatch::Reader commands() const;
  // One issue per line ("children.csv: line 17, column birth_date: not a calendar date\n...").
  std::string Report() const;
  // The whole result as a CsvImportReport message (commands and issues).
  void ToReport(schema::CsvImportReport::Builder out) const;
};

// Imports the two files. Either may be empty (not given): children then refer to households
// already in the register (by the same deterministic ids), and an empty children file imports
// households only. Fails (status) only for options misuse (kInvalidArgument), cancellation
// (kCancelled) or internal errors; data problems are issues in the result.
absl::StatusOr<CsvImportResult> ImportSurveyCsv(std::string_view households_csv,
                                                std::string_view children_csv,
                                                const CsvImportOptions& options);

// The deterministic ids used by the import (NameUuid in treem's namespace of
// "csv/household|<commune>|<household_key>" and "csv/person|<commune>|<child_key>").
core::Uuid HouseholdIdFor(std::string_view commune_code, std::string_view household_key);
core::Uuid PersonIdFor(std::string_view commune_code, std::string_view child_key);

}  // namespace treem::exchange

#endif  // TREEM_LIB_EXCHANGE_CSV_IMPORT_H_
