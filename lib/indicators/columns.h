// Persisted indicator columns (issue 8: a national report in under a second from an open
// store). A Dataset is built once from a snapshot (BuildDataset, ~1.5 M persons/s) and written
// as a column file; opening it later reads each column straight into its vector (no parse,
// no per-record work: the cost is the read of the bytes), so a report is ready in the time it
// takes to read the file and Compute.
//
//   indicators::WriteColumns(dataset, covers_seq, "/var/lib/treem/38/columns-42.tcol");
//   auto ds = indicators::ReadColumns(path, units, &covers_seq);   // then Compute(*ds, request)
//
// File layout (little-endian; docs/indicators.md "Column files"):
//   header  64 bytes  "TREEMCOL" | u32 version=1 | u32 CRC32C(header, this field zeroed)
//                     | u64 covers_seq | u32 column_count | u32 CRC32C(table) | u64 file_size
//                     | 24 zero bytes
//   table   column_count x 48 bytes: name[24] (NUL padded) | u64 offset | u64 bytes
//                     | u32 element size (0 = strings: u32 length + bytes each) | u32 CRC32C
//   data    each column at an 8-aligned offset
// Readers refuse another version or another column list (kFailedPrecondition: rebuild the file
// from the snapshot), and damage (kDataLoss naming the column and its offset). ReadColumns maps
// the file and the columns are views of it; the record-id columns' checksums are verified on
// first use (VerifyDeferredColumns), every other column's at open. Every index
// column is checked against the table it points into, so a file that passes ReadColumns never
// makes Compute read out of bounds.
#ifndef TREEM_LIB_INDICATORS_COLUMNS_H_
#define TREEM_LIB_INDICATORS_COLUMNS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/admin_units.h"
#include "indicators/dataset.h"

namespace treem::indicators {

// Writes `d` to `path` atomically (temporary file, fsync, rename, fsync of the folder).
absl::Status WriteColumns(const Dataset& d, uint64_t covers_seq, const std::string& path);

// Reads a column file. `units` become the dataset's units (keys are resolved on them by
// Compute). *covers_seq (may be null) receives the seq the file was written for.
absl::StatusOr<Dataset> ReadColumns(const std::string& path, const core::AdminUnits& units,
                                    uint64_t* covers_seq = nullptr);

// The same in memory (tests, fuzzing, transport).
std::string EncodeColumns(const Dataset& d, uint64_t covers_seq);
absl::StatusOr<Dataset> DecodeColumns(std::string_view bytes, const core::AdminUnits& units,
                                      uint64_t* covers_seq = nullptr);

// Verifies the columns ReadColumns left unverified (the record-id columns, p_id and a_id:
// only provenance reads them, and they are ~40% of a national file). Called by Compute and
// ExplainValue before they read record ids, and by WriteColumns; the first call checks, later
// calls return its result. OK for a dataset with nothing deferred.
absl::Status VerifyDeferredColumns(const Dataset& d);

// Checks that every index column points inside its table and that the columns of one table
// have one length (what DecodeColumns relies on; exposed for tests).
absl::Status ValidateDataset(const Dataset& d);

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_COLUMNS_H_
