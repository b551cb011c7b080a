// The small CSV files of the case rules (data/cases/*.csv): one record per line, no quoting,
// '#' comments and blank lines skipped. Shared by DeadlineRules and OpeningPolicy.
#ifndef TREEM_LIB_CASES_SIMPLE_CSV_H_
#define TREEM_LIB_CASES_SIMPLE_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace treem::cases {

// Calls fn(where, fields, line_no) for every record line, with `where` = "<what> line N" for
// error messages and the fields whitespace-stripped. A line without exactly `nfields` fields
// fails with "<what> line N: expected <nfields> fields, found M"; so does any error of fn.
absl::Status ForEachSimpleCsvRow(
    std::string_view csv, std::string_view what, size_t nfields,
    absl::FunctionRef<absl::Status(const std::string& where,
                                   const std::vector<absl::string_view>& fields, int line_no)>
        fn);

}  // namespace treem::cases

#endif  // TREEM_LIB_CASES_SIMPLE_CSV_H_
