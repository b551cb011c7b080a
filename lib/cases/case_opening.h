// Opening a case from a classification of child labour or an at-risk screen, by policy held as
// data (data/cases/opening_policy.csv): each outcome and risk level maps to a mode (automatic,
// suggested or none), a protection level (Law on Children 2016 Arts 48-50) and a case kind.
//
// The input is deliberately small so the classification engine (lib/rules) can be connected
// later: the child, the classification outcome, the risk level, the instant and the commune.
#ifndef TREEM_LIB_CASES_CASE_OPENING_H_
#define TREEM_LIB_CASES_CASE_OPENING_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cases/case_book.h"
#include "treem/schema/cases.capnp.h"

namespace treem::cases {

struct CaseTriggerInput {
  Id child_id{};
  schema::TriggerOutcome outcome = schema::TriggerOutcome::NONE;
  schema::ScreenRisk risk = schema::ScreenRisk::NONE;
  Micros at = 0;          // when the result was produced (starts the 12-hour clock)
  std::string unit_code;  // commune of the child
};

enum class OpeningMode : uint8_t { kNone, kSuggested, kAutomatic };

struct OpeningDecision {
  OpeningMode mode = OpeningMode::kNone;
  schema::ProtectionLevel level = schema::ProtectionLevel::PREVENTION;
  schema::CaseKind kind = schema::CaseKind::OTHER;
  int rule_line = 0;  // line of the policy file that decided
};

class OpeningPolicy {
 public:
  // The shipped policy (data/cases/opening_policy.csv).
  static absl::StatusOr<OpeningPolicy> Default();
  // Parses the CSV format documented in data/cases/opening_policy.csv.
  static absl::StatusOr<OpeningPolicy> FromCsv(std::string_view csv);

  // The first matching row; no match means kNone at prevention level.
  OpeningDecision Decide(schema::TriggerOutcome outcome, schema::ScreenRisk risk) const;

 private:
  struct Row {
    bool any_outcome = false;
    schema::TriggerOutcome outcome = schema::TriggerOutcome::NONE;
    bool any_risk = false;
    schema::ScreenRisk risk = schema::ScreenRisk::NONE;
    OpeningDecision decision;
  };
  std::vector<Row> rows_;
};

// Fills an openCase command (source "screening", received at trigger.at) for the decision.
void BuildOpenFromTrigger(const CaseTriggerInput& t, const OpeningDecision& d, const Id& case_id,
                          schema::CaseCommand::Builder out);

struct OpeningResult {
  OpeningDecision decision;
  bool opened = false;
};

// Decides by policy and opens the case when the mode is automatic, or when it is suggested and
// the caller confirms (`confirm_suggestion`). kNone never opens a case.
absl::StatusOr<OpeningResult> OpenFromTrigger(CaseBook& book, const OpeningPolicy& policy,
                                              const CaseTriggerInput& t, const Id& case_id,
                                              bool confirm_suggestion, const CommandContext& ctx);

}  // namespace treem::cases

#endif  // TREEM_LIB_CASES_CASE_OPENING_H_
