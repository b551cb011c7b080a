// Programme plans with targets (schema::ProgrammePlan): the national programme (Decision 782,
// targets for 2025 and 2030) and the seed commune plan ship in data/plans/; users load their
// own from the same CSV form or as schema records. Every plan is validated against the
// indicator definitions: unknown indicators are refused, and a percentage target above 100%
// or below 0% is refused with a clear error (the seed prints "trên 100%" for P3).
//
// Plan CSV form (data/plans/*.csv): '#' lines are comments; '@field,value' lines set plan
// fields (number, title, issuingLevel, issuingUnitCode, issuedOn, periodStart, periodEnd,
// parentReference, note; the value is the rest of the line, commas included); then a header
// "indicator,target,byYear,scope,scopeLevel,printed,note" and one row per target. A target is
// "[>=|>|<=|<|=]number[%]" (>= and > give atLeast, <= and < atMost, = or none the definition's
// direction) or "minimise" / "maximise".
#ifndef TREEM_LIB_INDICATORS_PLAN_H_
#define TREEM_LIB_INDICATORS_PLAN_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "capnp/message.h"
#include "indicators/definitions.h"
#include "treem/schema/indicators.capnp.h"

namespace treem::indicators {

// An owned ProgrammePlan message.
class PlanMessage {
 public:
  PlanMessage();
  schema::ProgrammePlan::Reader reader() const;
  schema::ProgrammePlan::Builder builder();

 private:
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
};

// Parses and validates a plan CSV. The plan id is the name-based uuid of its number and issuing
// unit. `what` names the file in errors ("plans/x.csv: line 14 (target): ...").
absl::StatusOr<PlanMessage> ParsePlanCsv(
    std::string_view csv, std::string_view what,
    const std::vector<IndicatorDef>& defs = BuiltinDefinitions());

// The embedded plans: "qd-782-2021" (national) and "hoang-duc-2023" (seed commune).
std::vector<std::string> EmbeddedPlanNames();
absl::StatusOr<PlanMessage> LoadEmbeddedPlan(std::string_view name);

// Checks a plan record: every target names a known indicator, percentages lie in [0, 100],
// byYear is set, count and vnd targets are not negative.
absl::Status ValidatePlan(schema::ProgrammePlan::Reader plan, const std::vector<IndicatorDef>& defs,
                          std::string_view field = "plan");

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_PLAN_H_
