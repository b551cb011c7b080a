// Fuzz target: the CSV readers of the case rules (lib/cases): ForEachSimpleCsvRow,
// DeadlineRules::FromCsv (data/cases/deadlines.csv) and OpeningPolicy::FromCsv
// (data/cases/opening_policy.csv), which also load user-supplied policy files.
//
// Input: byte 0 chooses the reader (mod 3), the rest is the CSV text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case_opening.h"
#include "cases/deadline_rules.h"
#include "cases/simple_csv.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  if (size < 1) return 0;
  const std::string_view csv = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const size_t nfields = 1 + (size % 7);
      (void)cases::ForEachSimpleCsvRow(
          csv, "fuzz.csv", nfields,
          [&](const std::string& where, const std::vector<absl::string_view>& fields, int line) {
            if (fields.size() != nfields || line < 1 || where.empty()) {
              fuzz::FuzzFail("ForEachSimpleCsvRow called back with a bad row");
            }
            return absl::OkStatus();
          });
      break;
    }
    case 1: {
      absl::StatusOr<cases::DeadlineRules> rules = cases::DeadlineRules::FromCsv(csv);
      if (rules.ok()) {
        for (const cases::DeadlineRule& r : rules->rules()) (void)rules->Find(r.kind);
      }
      break;
    }
    case 2: {
      absl::StatusOr<cases::OpeningPolicy> policy = cases::OpeningPolicy::FromCsv(csv);
      if (policy.ok()) {
        for (int o = 0; o <= 5; ++o) {
          for (int r = 0; r <= 4; ++r) {
            (void)policy->Decide(static_cast<schema::TriggerOutcome>(o),
                                 static_cast<schema::ScreenRisk>(r));
          }
        }
      }
      break;
    }
  }
  return 0;
}
