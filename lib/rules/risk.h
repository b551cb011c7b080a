// The at-risk screen (RD-9): a transparent weighted score whose factors, weights and thresholds
// are data (data/rules/risk-screen-*.csv). Non-official: no official checklist exists [U].
#ifndef TREEM_LIB_RULES_RISK_H_
#define TREEM_LIB_RULES_RISK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/engine.h"

namespace treem::rules {

// Same ordinals as schema RiskAnswerValue / RiskLevel / ProtectionLevel.
enum class RiskAnswer : uint8_t { kUnknown = 0, kNo = 1, kYes = 2 };
enum class RiskLevel : uint8_t { kLow = 0, kMedium = 1, kHigh = 2 };
enum class ProtectionLevel : uint8_t { kPrevention = 0, kSupport = 1, kIntervention = 2 };

struct RiskFactor {
  std::string id, group, name_en, name_vi, source;
  int32_t weight = 0;
};

struct RiskScreenResult {
  int32_t score = 0;
  int32_t max_score = 0;
  RiskLevel level = RiskLevel::kLow;
  ProtectionLevel protection = ProtectionLevel::kPrevention;
  std::vector<RiskAnswer> answers;  // per factor, in configuration order
  uint32_t unanswered = 0;
  std::string reason;
};

class RiskScreen {
 public:
  static absl::StatusOr<std::unique_ptr<RiskScreen>> Parse(std::string_view csv,
                                                           std::string_view what);
  const std::string& id() const { return id_; }
  const std::string& version() const { return version_; }
  const std::string& name_en() const { return name_en_; }
  const std::vector<RiskFactor>& factors() const { return factors_; }
  int32_t medium_threshold() const { return medium_; }
  int32_t high_threshold() const { return high_; }

  // `answers` are (factor id, answer) pairs; unknown factor ids and duplicates are refused.
  // `child_labour_found` sends the child to intervention whatever the score.
  absl::StatusOr<RiskScreenResult> Screen(
      const std::vector<std::pair<std::string, RiskAnswer>>& answers,
      bool child_labour_found) const;

 private:
  std::string id_, version_, name_en_;
  std::vector<RiskFactor> factors_;
  int32_t medium_ = 0, high_ = 0;
};

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_RISK_H_
