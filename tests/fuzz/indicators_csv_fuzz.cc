// Fuzz target: the CSV readers of lib/indicators: ParsePlanCsv (programme plans loaded by
// users, data/plans/) and ParseDefinitionsCsv (indicator definitions, data/indicators/).
//
// Input: byte 0 chooses the reader (mod 2), the rest is the CSV text.
//
// Invariant: a plan ParsePlanCsv accepts passes ValidatePlan.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "indicators/definitions.h"
#include "indicators/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  if (size < 1) return 0;
  const std::string_view csv = fuzz::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    absl::StatusOr<indicators::PlanMessage> plan = indicators::ParsePlanCsv(csv, "fuzz.csv");
    if (plan.ok()) {
      const absl::Status valid =
          indicators::ValidatePlan(plan->reader(), indicators::BuiltinDefinitions());
      if (!valid.ok()) fuzz::FuzzFail("ParsePlanCsv accepted an invalid plan", valid);
    }
  } else {
    absl::StatusOr<std::vector<indicators::IndicatorDef>> defs =
        indicators::ParseDefinitionsCsv(csv, "fuzz.csv");
    if (defs.ok()) {
      for (const indicators::IndicatorDef& d : *defs) (void)d.has_denominator();
    }
  }
  return 0;
}
