// The rules module's entry points over schema-governed messages, for the C API and Python
// bindings. Each function reads a request (Cap'n Proto reader) and fills a result builder; on
// error the builder's content is unspecified and the status names the field and the reason
// (never personal data).
//
//   auto reg = treem::rules::NewRuleRegistry();           // embedded rule sets and code lists
//   capnp::MallocMessageBuilder out;
//   absl::Status s = treem::rules::Classify(**reg, request_reader,
//                                           out.initRoot<treem::schema::ClassificationResult>());
#ifndef TREEM_LIB_RULES_API_H_
#define TREEM_LIB_RULES_API_H_

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rules/registry.h"
#include "treem/schema/rules.capnp.h"

namespace treem::rules {

// A fresh registry loaded from the embedded data (callers may then load user code lists).
absl::StatusOr<std::unique_ptr<RuleRegistry>> NewRuleRegistry();

// Legal (RD-2) and statistical (RD-3) classification of one activity.
absl::Status Classify(const RuleRegistry& reg, schema::ClassifyRequest::Reader request,
                      schema::ClassificationResult::Builder result);

// Child-level verdict over all of a child's activities in a period.
absl::Status JudgeChild(const RuleRegistry& reg, schema::ChildVerdictRequest::Reader request,
                        schema::ChildVerdict::Builder verdict);

// The at-risk screen (RD-9).
absl::Status ScreenRisk(const RuleRegistry& reg, schema::RiskScreenRequest::Reader request,
                        schema::RiskResult::Builder result);

// Loads a user code list (CSV: code,name_vi,name_en,source[,confidence]) into `reg`.
// `what` names the file in errors. All-or-nothing.
absl::Status LoadCodeList(RuleRegistry& reg, std::string_view csv, std::string_view what);

// Looks up a code in the loaded lists; NotFound when unknown.
absl::Status DescribeCode(const RuleRegistry& reg, std::string_view code,
                          schema::CodeEntry::Builder entry);

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_API_H_
