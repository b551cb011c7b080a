// Rendering a schema::Report: Cap'n Proto and JSON (lib/serde/codec.h), CSV (one row per value)
// and a self-contained HTML page (no JavaScript, no external assets) with an inline SVG bar
// chart of each indicator against its target.
#ifndef TREEM_LIB_INDICATORS_RENDER_H_
#define TREEM_LIB_INDICATORS_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "serde/codec.h"
#include "treem/schema/indicators.capnp.h"

namespace treem::indicators {

// Columns: indicator,unit_code,period,sex,stat_band,ethnicity,ethnic_minority,poverty,
// residence,numerator,denominator,value,suppressed,target,target_status. Empty cells for
// dimensions that are totals; value empty when undefined.
std::string RenderCsv(schema::Report::Reader report);

// A readable HTML page (Vietnamese and English names, figures, targets, charts, notes).
std::string RenderHtml(schema::Report::Reader report);

// Cap'n Proto (kCapnp, kPacked) or JSON.
absl::StatusOr<std::string> EncodeReport(schema::Report::Reader report, serde::Format format);

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_RENDER_H_
