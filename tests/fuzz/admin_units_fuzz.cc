// Fuzz target: lib/core/admin_units.h, AdminUnits::LoadContents (the three official unit
// lists: the pre-reform CSV, the 2025 conversion table CSV and the post-reform communes JSON).
//
// Input: the three files separated by "\n%%treem%%\n" (missing ones are empty).
//
// A loaded registry is queried for a few codes (lineage, containment, units under a unit).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/admin_units.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  const std::vector<std::string_view> files =
      fuzz::SplitParts(fuzz::AsText(data, size), fuzz::kFileSeparator, 3);
  core::AdminUnitsSources sources;
  sources.before_csv = files[0];
  if (files.size() > 1) sources.conversion_csv = files[1];
  if (files.size() > 2) sources.communes_json = files[2];
  absl::StatusOr<core::AdminUnits> units = core::AdminUnits::LoadContents(sources);
  fuzz::Note("load", units.status());
  if (!units.ok()) return 0;
  (void)units->report();
  for (const char* code : {"38", "380", "15928", "15865", "00001"}) {
    for (const core::Date on : {core::Date(2024, 1, 1), core::Date(2025, 7, 1)}) {
      absl::StatusOr<core::UnitVersion> v = units->Find(code, on);
      if (!v.ok()) continue;
      (void)units->ProvinceOf(code, on);
      (void)units->Lineage(code, on);
      (void)units->UnitsUnder(code, on, core::UnitLevel::kCommune);
      (void)units->ContainingUnitOn(code, on);
    }
  }
  return 0;
}
