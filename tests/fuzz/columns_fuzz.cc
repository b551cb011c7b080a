// Fuzz target: lib/indicators/columns.h, the reader of indicator column files (written beside
// every registry snapshot and read back on the first report after an open).
//
// Input: the bytes of a column file. Invariants besides "no crash": a file that decodes
// validates (ValidateDataset), re-encodes to bytes that decode to the same encoding, and a
// report computed over it finishes (Compute reads only inside the columns it was given).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/admin_units.h"
#include "fuzz/fuzz_util.h"
#include "indicators/columns.h"
#include "indicators/compute.h"
#include "indicators/period.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  static const core::AdminUnits units;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  uint64_t covers = 0;
  auto d = indicators::DecodeColumns(bytes, units, &covers);
  fuzz::Note("decode", d.status());
  if (!d.ok()) return 0;
  const absl::Status valid = indicators::ValidateDataset(*d);
  if (!valid.ok()) fuzz::FuzzFail("a decoded dataset does not validate", valid);
  const std::string again = indicators::EncodeColumns(*d, covers);
  auto back = indicators::DecodeColumns(again, units);
  if (!back.ok()) fuzz::FuzzFail("a re-encoded column file does not decode", back.status());
  if (indicators::EncodeColumns(*back, covers) != again) {
    fuzz::FuzzFail("column file encoding is not stable");
  }
  indicators::ReportRequest request;
  request.period = indicators::Period::Year(2024);
  auto report = indicators::Compute(*d, request);
  fuzz::Note("compute", report.status());
  return 0;
}
