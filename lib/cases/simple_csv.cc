#include "cases/simple_csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/status_macros.h"

namespace treem::cases {

absl::Status ForEachSimpleCsvRow(
    std::string_view csv, std::string_view what, size_t nfields,
    absl::FunctionRef<absl::Status(const std::string& where,
                                   const std::vector<absl::string_view>& fields, int line_no)>
        fn) {
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(internal::Sv(csv), '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ',');
    const std::string where = absl::StrCat(internal::Sv(what), " line ", line_no);
    if (f.size() != nfields) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": expected ", nfields, " fields, found ", f.size()));
    }
    for (auto& x : f) x = absl::StripAsciiWhitespace(x);
    TREEM_RETURN_IF_ERROR(fn(where, f, line_no));
  }
  return absl::OkStatus();
}

}  // namespace treem::cases
