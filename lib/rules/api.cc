#include "rules/api.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "rules/classify.h"
#include "rules/risk.h"

namespace treem::rules {

using internal::Sv;

absl::StatusOr<std::unique_ptr<RuleRegistry>> NewRuleRegistry() {
  return RuleRegistry::LoadEmbedded();
}

absl::Status Classify(const RuleRegistry& reg, schema::ClassifyRequest::Reader request,
                      schema::ClassificationResult::Builder result) {
  return ClassifyRequestInto(reg, request, result);
}

absl::Status JudgeChild(const RuleRegistry& reg, schema::ChildVerdictRequest::Reader request,
                        schema::ChildVerdict::Builder verdict) {
  return ChildVerdictInto(reg, request, verdict);
}

absl::Status ScreenRisk(const RuleRegistry& reg, schema::RiskScreenRequest::Reader request,
                        schema::RiskResult::Builder result) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    const std::string_view id(request.getScreenId().cStr(), request.getScreenId().size());
    TREEM_ASSIGN_OR_RETURN(const RiskScreen* screen, reg.FindScreen(id));
    std::vector<std::pair<std::string, RiskAnswer>> answers;
    auto list = request.getAnswers();
    for (unsigned i = 0; i < list.size(); ++i) {
      const uint16_t raw = static_cast<uint16_t>(list[i].getAnswer());
      if (raw > static_cast<uint16_t>(RiskAnswer::kYes)) {
        return absl::InvalidArgumentError(
            absl::StrCat("answers[", i, "].answer: ", raw, " is not a known answer"));
      }
      answers.emplace_back(std::string(list[i].getFactor().cStr()), static_cast<RiskAnswer>(raw));
    }
    const auto outcome = request.getClassificationOutcome();
    const bool child_labour = outcome == schema::ClassificationOutcome::CHILD_LABOUR ||
                              outcome == schema::ClassificationOutcome::HAZARDOUS_CHILD_LABOUR ||
                              outcome == schema::ClassificationOutcome::WORST_FORM ||
                              request.getStatisticalChildLabour();
    TREEM_ASSIGN_OR_RETURN(RiskScreenResult r, screen->Screen(answers, child_labour));
    result.setScreenId(screen->id());
    result.setVersion(screen->version());
    result.setScore(r.score);
    result.setMaxScore(r.max_score);
    result.setLevel(static_cast<schema::RiskLevel>(static_cast<uint16_t>(r.level)));
    result.setProtectionLevel(
        static_cast<schema::ProtectionLevel>(static_cast<uint16_t>(r.protection)));
    result.setUnanswered(r.unanswered);
    result.setMediumThreshold(screen->medium_threshold());
    result.setHighThreshold(screen->high_threshold());
    result.setReason(r.reason);
    const auto& factors = screen->factors();
    auto contributions = result.initContributions(static_cast<unsigned>(factors.size()));
    for (size_t k = 0; k < factors.size(); ++k) {
      auto c = contributions[static_cast<unsigned>(k)];
      c.setFactor(factors[k].id);
      c.setGroup(factors[k].group);
      c.setAnswer(static_cast<schema::RiskAnswerValue>(static_cast<uint16_t>(r.answers[k])));
      c.setWeight(factors[k].weight);
      c.setContribution(r.answers[k] == RiskAnswer::kYes ? factors[k].weight : 0);
      c.setSource(factors[k].source);
      c.setNameEn(factors[k].name_en);
      c.setNameVi(factors[k].name_vi);
    }
    return absl::OkStatus();
  });
}

absl::Status LoadCodeList(RuleRegistry& reg, std::string_view csv, std::string_view what) {
  return reg.LoadCodeListCsv(csv, what);
}

absl::Status DescribeCode(const RuleRegistry& reg, std::string_view code,
                          schema::CodeEntry::Builder entry) {
  const uint16_t idx = reg.codes().Find(code);
  if (idx == 0) {
    return absl::NotFoundError(absl::StrCat("code: '", Sv(code), "' is not in the loaded lists"));
  }
  const CodeEntry& e = reg.codes().entry(idx);
  entry.setCode(e.code);
  entry.setFamily(e.family);
  entry.setNameVi(e.name_vi);
  entry.setNameEn(e.name_en);
  entry.setSource(e.source);
  entry.setConfidence(static_cast<schema::Confidence>(static_cast<uint16_t>(e.confidence)));
  return absl::OkStatus();
}

}  // namespace treem::rules
