// The rule-set registry: rule sets (effective-dated), code lists and risk screens loaded from
// the data embedded in the library (data/rules/), plus code lists a user loads from CSV.
//
// Thread safety: const methods may be called concurrently; LoadCodeListCsv mutates and must not
// run concurrently with anything else on the same registry.
#ifndef TREEM_LIB_RULES_REGISTRY_H_
#define TREEM_LIB_RULES_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/date.h"
#include "rules/engine.h"
#include "rules/risk.h"

namespace treem::rules {

class RuleRegistry {
 public:
  // Loads everything under data/rules/ embedded in the library.
  static absl::StatusOr<std::unique_ptr<RuleRegistry>> LoadEmbedded();
  // A process-wide registry of the embedded data, loaded once (never freed).
  static absl::StatusOr<const RuleRegistry*> Default();

  // Loads a code list: CSV with header code,name_vi,name_en,source (optional 5th column
  // confidence: C/S/U, default U). Codes must belong to a known family (e.g. "TT09-A3");
  // an existing code is replaced. All-or-nothing: on error nothing changes.
  absl::Status LoadCodeListCsv(std::string_view csv, std::string_view what);

  // The rule set with this id, or null.
  const RuleSet* Find(std::string_view id) const;
  // The rule set of `kind` in force on `date`, or `id` when non-empty (which must be of `kind`).
  absl::StatusOr<const RuleSet*> Select(RuleSetKind kind, std::string_view id,
                                        core::Date date) const;
  // Hot-path selection by packed date; null when none is in force.
  const RuleSet* ForDate(RuleSetKind kind, uint32_t ymd) const;

  const CodeTable& codes() const { return codes_; }
  const std::vector<std::unique_ptr<RuleSet>>& rule_sets() const { return sets_; }
  bool IsKnownFamily(std::string_view family) const;

  // The risk screen with this id ("" = the default "RISK-RD9"), or an error.
  absl::StatusOr<const RiskScreen*> FindScreen(std::string_view id) const;

 private:
  absl::Status LoadCodes(std::string_view csv, std::string_view what, bool user,
                         CodeTable* into) const;
  void Bind();

  CodeTable codes_;
  std::vector<std::unique_ptr<RuleSet>> sets_;
  std::vector<std::string> families_;
  std::vector<std::unique_ptr<RiskScreen>> screens_;
};

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_REGISTRY_H_
