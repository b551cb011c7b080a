// A small RFC 4180 CSV reader for the rule data files and user code lists.
#ifndef TREEM_LIB_RULES_CSV_H_
#define TREEM_LIB_RULES_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace treem::rules {

struct CsvRow {
  int line = 0;  // 1-based line number where the row starts
  std::vector<std::string> fields;
};

// Parses `text` (UTF-8, optional BOM, LF or CRLF line ends, double-quoted fields with "" escapes).
// Blank lines are skipped. `what` names the file in errors ("rules/vn-lc2019.csv: line 4: ...").
absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, std::string_view what);

// Maps header names to column indexes; fails naming the first missing required column.
class CsvHeader {
 public:
  static absl::StatusOr<CsvHeader> Make(const CsvRow& header, std::vector<std::string> required,
                                        std::string_view what);
  // Index of `name`, or -1 when absent (optional columns).
  int Find(std::string_view name) const;
  // The field `name` of `row`, or "" when the column is absent or the row is short.
  std::string_view Get(const CsvRow& row, std::string_view name) const;

 private:
  std::vector<std::string> names_;
};

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_CSV_H_
