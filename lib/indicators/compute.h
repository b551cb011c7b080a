// Computing indicators from a Dataset into a schema::Report.
//
// For each selector (built-in counter) one scan fills integer counters per unit key and
// disaggregation cell; the keys are resolved onto the map of `map_date` (records made under
// pre-2025 codes roll into the new units through the lineage) and the counters are summed into
// the report rows (the report unit and, on request, each unit one level below); only then are
// values divided (never an average of percentages). Targets come from a plan; small-cell
// protection from a SuppressionRule. docs/indicators.md gives every definition.
#ifndef TREEM_LIB_INDICATORS_COMPUTE_H_
#define TREEM_LIB_INDICATORS_COMPUTE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "capnp/message.h"
#include "core/admin_units.h"
#include "indicators/dataset.h"
#include "indicators/definitions.h"
#include "indicators/period.h"
#include "treem/schema/indicators.capnp.h"

namespace treem::indicators {

struct Suppression {
  schema::SuppressionMethod method = schema::SuppressionMethod::NONE;
  uint32_t min_count = 1;
  uint32_t max_count = 4;
  uint32_t base = 5;
};

// The named rules of data/indicators/suppression.csv ("upward", "upward-rounded", "none").
absl::StatusOr<Suppression> SuppressionRuleNamed(std::string_view name);

struct ReportRequest {
  std::string unit_code;  // "" = the whole country
  Period period = Period::Year(2025);
  std::optional<core::Date> map_date;  // map the report is drawn on; default: period end
  std::optional<core::UnitLevel> breakdown_level;  // also one row per unit of this level below
  std::vector<std::string> indicator_ids;          // empty = every definition
  std::vector<IndicatorDef> definitions;           // empty = BuiltinDefinitions()
  std::vector<schema::DisaggregationDimension> dimensions;  // breakdowns (where supported)
  bool provenance = false;  // record ids behind numerators and denominators (not upward)
  bool upward = false;      // for upward reporting: de-identified, suppression required
  Suppression suppression;  // small-cell rule; upward with method none uses "upward"
  const schema::ProgrammePlan::Reader* plan = nullptr;  // targets (validated), or null
  std::string title;
  int64_t generated_at_micros = 0;
};

// An owned Report message.
class ReportMessage {
 public:
  ReportMessage();
  schema::Report::Reader reader() const;
  schema::Report::Builder builder();
  capnp::MallocMessageBuilder& message() { return *message_; }

 private:
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
};

absl::StatusOr<ReportMessage> Compute(const Dataset& data, const ReportRequest& request);

// Record ids behind values are written only when provenance is asked; in a report they go in
// IndicatorValue.recordIds (numerator records). This gives the denominator's too.
struct Provenance {
  std::vector<core::Uuid> numerator, denominator;
};
// Record ids counted for one indicator at the report unit (total cell).
absl::StatusOr<Provenance> ExplainValue(const Dataset& data, const ReportRequest& request,
                                        std::string_view indicator_id);

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_COMPUTE_H_
