// The explained classification: validates a WorkActivity (Cap'n Proto reader), turns it into a
// CompactActivity, runs the hot path and builds the rich, explained result on request.
#ifndef TREEM_LIB_RULES_CLASSIFY_H_
#define TREEM_LIB_RULES_CLASSIFY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/date.h"
#include "rules/engine.h"
#include "rules/registry.h"
#include "treem/schema/common.capnp.h"
#include "treem/schema/rules.capnp.h"
#include "treem/schema/work.capnp.h"

namespace treem::rules {

struct UnknownCodeRef {
  const char* field;  // "jobCode" / "workplaceCode"
  std::string code;
};

// A validated activity, ready for the hot path.
struct PreparedActivity {
  CompactActivity compact;
  core::Date date;         // the date judged
  core::AgeOnDate age;     // with band uncertainty
  bool estimated = false;  // the birth date is estimated
  const RuleSet* legal = nullptr;
  const RuleSet* stat = nullptr;
  std::vector<UnknownCodeRef> unknown_codes;
};

// schema Date <-> core::Date; `field` names the input in errors.
absl::StatusOr<core::Date> FromSchemaDate(schema::Date::Reader d, std::string_view field);
void ToSchemaDate(core::Date d, schema::Date::Builder out);

// The date an activity is judged on: observedOn, else the last day of the reference week.
absl::StatusOr<core::Date> ActivityDate(schema::WorkActivity::Reader a, std::string_view field);

// Validates and compacts one activity. `field` prefixes errors ("activity", "activities[2]").
// Refuses ages 18 and over and activity dates before the birth date.
absl::StatusOr<PreparedActivity> PrepareActivity(const RuleRegistry& reg,
                                                 const core::BirthDate& birth,
                                                 schema::WorkActivity::Reader activity,
                                                 std::string_view legal_id,
                                                 std::string_view stat_id, std::string_view field);

// Builds the explained result from a prepared activity and its compact result.
void BuildResult(const RuleRegistry& reg, const PreparedActivity& p, const CompactResult& r,
                 schema::ClassificationResult::Builder out);

// Full pipeline for one request.
absl::Status ClassifyRequestInto(const RuleRegistry& reg, schema::ClassifyRequest::Reader req,
                                 schema::ClassificationResult::Builder out);

// Child-level verdict over a period: worst outcome wins, every reason kept. SDG series are
// also judged on the weekly sum of economic hours of activities in the same week
// (Monday-Sunday), so two 8-hour jobs of a 13-year-old make 16 h (>= 14 h).
absl::Status ChildVerdictInto(const RuleRegistry& reg, schema::ChildVerdictRequest::Reader req,
                              schema::ChildVerdict::Builder out);

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_CLASSIFY_H_
