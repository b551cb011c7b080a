#include "rules/risk.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "rules/csv.h"

namespace treem::rules {

using internal::Sv;

absl::StatusOr<std::unique_ptr<RiskScreen>> RiskScreen::Parse(std::string_view csv,
                                                              std::string_view what) {
  TREEM_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(csv, what));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no header"));
  TREEM_ASSIGN_OR_RETURN(
      CsvHeader h,
      CsvHeader::Make(rows[0], {"kind", "key", "group", "value", "name_en", "name_vi", "source"},
                      what));
  auto s = std::make_unique<RiskScreen>();
  bool have_medium = false, have_high = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    std::string where = absl::StrCat(Sv(what), ": line ", r.line);
    std::string_view kind = h.Get(r, "kind");
    std::string key(h.Get(r, "key"));
    std::string_view value = h.Get(r, "value");
    if (kind == "screen") {
      s->id_ = key;
      s->version_ = std::string(value);
      s->name_en_ = std::string(h.Get(r, "name_en"));
      continue;
    }
    int32_t v = 0;
    if (!absl::SimpleAtoi(Sv(value), &v) || v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": value: '", Sv(value), "' is not a non-negative integer"));
    }
    if (kind == "threshold") {
      if (key == "medium") {
        s->medium_ = v;
        have_medium = true;
      } else if (key == "high") {
        s->high_ = v;
        have_high = true;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": threshold '", key, "' is not 'medium' or 'high'"));
      }
    } else if (kind == "factor") {
      for (const RiskFactor& f : s->factors_) {
        if (f.id == key) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": factor '", key, "' is listed twice"));
        }
      }
      if (key.empty())
        return absl::InvalidArgumentError(absl::StrCat(where, ": factor id is empty"));
      s->factors_.push_back(
          RiskFactor{key, std::string(h.Get(r, "group")), std::string(h.Get(r, "name_en")),
                     std::string(h.Get(r, "name_vi")), std::string(h.Get(r, "source")), v});
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": kind: '", Sv(kind), "' is not one of screen, threshold, factor"));
    }
  }
  if (s->id_.empty() || s->version_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": no 'screen' row with id and version"));
  }
  if (!have_medium || !have_high) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": both 'medium' and 'high' thresholds are required"));
  }
  if (s->medium_ == 0 || s->high_ < s->medium_) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": thresholds must satisfy 0 < medium <= high (medium ", s->medium_,
                     ", high ", s->high_, ")"));
  }
  if (s->factors_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no factors"));
  }
  return s;
}

absl::StatusOr<RiskScreenResult> RiskScreen::Screen(
    const std::vector<std::pair<std::string, RiskAnswer>>& answers, bool child_labour_found) const {
  RiskScreenResult r;
  r.answers.assign(factors_.size(), RiskAnswer::kUnknown);
  std::vector<bool> seen(factors_.size(), false);
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& [factor, answer] = answers[i];
    size_t k = 0;
    while (k < factors_.size() && factors_[k].id != factor) ++k;
    if (k == factors_.size()) {
      return absl::InvalidArgumentError(absl::StrCat("answers[", i, "].factor: '", factor,
                                                     "' is not a factor of screen ", id_, " ",
                                                     version_));
    }
    if (seen[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat("answers[", i, "].factor: '", factor, "' is answered twice"));
    }
    seen[k] = true;
    r.answers[k] = answer;
  }
  for (size_t k = 0; k < factors_.size(); ++k) {
    r.max_score += factors_[k].weight;
    if (r.answers[k] == RiskAnswer::kYes) r.score += factors_[k].weight;
    if (r.answers[k] == RiskAnswer::kUnknown) ++r.unanswered;
  }
  r.level = r.score >= high_ ? RiskLevel::kHigh
                             : (r.score >= medium_ ? RiskLevel::kMedium : RiskLevel::kLow);
  if (child_labour_found) {
    r.protection = ProtectionLevel::kIntervention;
    r.reason = "Child labour was found: intervention level whatever the score (RD-9; LoC Art 50).";
  } else if (r.level == RiskLevel::kLow) {
    r.protection = ProtectionLevel::kPrevention;
    r.reason = absl::StrCat("Score ", r.score, " is below the medium threshold ", medium_,
                            ": prevention level (LoC Art 48).");
  } else {
    r.protection = ProtectionLevel::kSupport;
    r.reason = absl::StrCat("Score ", r.score, " reaches the ",
                            r.level == RiskLevel::kHigh ? "high" : "medium", " threshold ",
                            r.level == RiskLevel::kHigh ? high_ : medium_,
                            ": open a case at the support level (LoC Art 49).");
  }
  return r;
}

}  // namespace treem::rules
