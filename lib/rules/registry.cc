#include "rules/registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"
#include "rules/csv.h"

namespace treem::rules {

using internal::Sv;

namespace {

absl::StatusOr<uint16_t> ParseClock(std::string_view s, std::string_view where) {
  int h = 0, m = 0;
  if (s.size() != 5 || s[2] != ':' || !absl::SimpleAtoi(Sv(s.substr(0, 2)), &h) ||
      !absl::SimpleAtoi(Sv(s.substr(3, 2)), &m) || h < 0 || h > 23 || m < 0 || m > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": '", Sv(s), "' is not a time HH:MM"));
  }
  return static_cast<uint16_t>(h * 60 + m);
}

bool ValidCodeText(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (unsigned char c : code) {
    if (c <= ' ' || c == ',' || c == '"' || c == '|' || c == ';' || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

absl::Status RuleRegistry::LoadCodes(std::string_view csv, std::string_view what, bool user,
                                     CodeTable* into) const {
  TREEM_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(csv, what));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no header"));
  TREEM_ASSIGN_OR_RETURN(CsvHeader h,
                         CsvHeader::Make(rows[0], {"code", "name_vi", "name_en", "source"}, what));
  std::vector<std::string> seen;
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    std::string where = absl::StrCat(Sv(what), ": line ", r.line);
    CodeEntry e;
    e.code = std::string(h.Get(r, "code"));
    if (!ValidCodeText(e.code)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": code: empty, too long, or contains a space, comma, quote, '|' or ';'"));
    }
    e.family = FamilyOf(e.code);
    if (user && !IsKnownFamily(e.family)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": code '", e.code, "': family '",
                                                     e.family, "' is not a known code list"));
    }
    if (std::find(seen.begin(), seen.end(), e.code) != seen.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": code '", e.code, "' is listed twice in this file"));
    }
    seen.push_back(e.code);
    e.name_vi = std::string(h.Get(r, "name_vi"));
    e.name_en = std::string(h.Get(r, "name_en"));
    e.source = std::string(h.Get(r, "source"));
    if (e.name_vi.empty() && e.name_en.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": code '", e.code, "' has no name (name_vi or name_en)"));
    }
    std::string_view conf = h.Get(r, "confidence");
    if (conf.empty()) {
      e.confidence = Confidence::kUnconfirmed;
    } else {
      TREEM_ASSIGN_OR_RETURN(e.confidence, ParseConfidence(conf, where + ": confidence"));
    }
    TREEM_RETURN_IF_ERROR(internal::Annotate(into->Put(std::move(e), /*replace=*/user), where));
  }
  return absl::OkStatus();
}

bool RuleRegistry::IsKnownFamily(std::string_view family) const {
  return std::find(families_.begin(), families_.end(), family) != families_.end();
}

void RuleRegistry::Bind() {
  for (auto& s : sets_) s->BindCodes(codes_);
}

absl::StatusOr<std::unique_ptr<RuleRegistry>> RuleRegistry::LoadEmbedded() {
  return internal::CatchToStatus(
      absl::StatusCode::kDataLoss, [&]() -> absl::StatusOr<std::unique_ptr<RuleRegistry>> {
        auto reg = std::make_unique<RuleRegistry>();
        std::optional<std::string_view> index = internal::EmbeddedFile("rules/rulesets.csv");
        if (!index) return absl::DataLossError("rules/rulesets.csv is not embedded");
        TREEM_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(*index, "rules/rulesets.csv"));
        if (rows.empty()) return absl::DataLossError("rules/rulesets.csv: no header");
        TREEM_ASSIGN_OR_RETURN(
            CsvHeader h, CsvHeader::Make(rows[0],
                                         {"id", "version", "kind", "effective_from", "effective_to",
                                          "night_start", "night_end", "rules_file", "name_en",
                                          "instrument", "article", "confidence", "note"},
                                         "rules/rulesets.csv"));
        for (size_t i = 1; i < rows.size(); ++i) {
          const CsvRow& r = rows[i];
          std::string where = absl::StrCat("rules/rulesets.csv: line ", r.line);
          RuleSetInfo info;
          info.id = std::string(h.Get(r, "id"));
          info.version = std::string(h.Get(r, "version"));
          info.name = std::string(h.Get(r, "name_en"));
          info.instrument = std::string(h.Get(r, "instrument"));
          info.article = std::string(h.Get(r, "article"));
          info.note = std::string(h.Get(r, "note"));
          std::string_view kind = h.Get(r, "kind");
          if (kind == "legal") {
            info.kind = RuleSetKind::kLegal;
          } else if (kind == "statistical") {
            info.kind = RuleSetKind::kStatistical;
          } else {
            return absl::DataLossError(
                absl::StrCat(where, ": kind: '", Sv(kind), "' is not 'legal' or 'statistical'"));
          }
          TREEM_ASSIGN_OR_RETURN(info.confidence,
                                 ParseConfidence(h.Get(r, "confidence"), where + ": confidence"));
          TREEM_ASSIGN_OR_RETURN(info.effective_from,
                                 core::ParseDate(h.Get(r, "effective_from"), "effective_from"));
          info.from_ymd = PackYmd(info.effective_from);
          if (!h.Get(r, "effective_to").empty()) {
            TREEM_ASSIGN_OR_RETURN(info.effective_to,
                                   core::ParseDate(h.Get(r, "effective_to"), "effective_to"));
            info.to_ymd = PackYmd(info.effective_to);
          }
          TREEM_ASSIGN_OR_RETURN(info.night_start,
                                 ParseClock(h.Get(r, "night_start"), where + ": night_start"));
          TREEM_ASSIGN_OR_RETURN(info.night_end,
                                 ParseClock(h.Get(r, "night_end"), where + ": night_end"));
          std::string file(h.Get(r, "rules_file"));
          std::optional<std::string_view> text = internal::EmbeddedFile(file);
          if (!text)
            return absl::DataLossError(absl::StrCat(where, ": ", file, " is not embedded"));
          TREEM_ASSIGN_OR_RETURN(std::unique_ptr<RuleSet> rs,
                                 RuleSet::Parse(std::move(info), *text, file));
          for (const std::string& f : rs->families()) {
            if (!reg->IsKnownFamily(f)) reg->families_.push_back(f);
          }
          reg->sets_.push_back(std::move(rs));
        }
        for (const internal::EmbeddedEntry& e : internal::EmbeddedFiles()) {
          std::string_view path(e.path);
          if (absl::StartsWith(Sv(path), "rules/codes/") && absl::EndsWith(Sv(path), ".csv")) {
            TREEM_RETURN_IF_ERROR(reg->LoadCodes(e.bytes, path, /*user=*/false, &reg->codes_));
          } else if (absl::StartsWith(Sv(path), "rules/risk-screen-") &&
                     absl::EndsWith(Sv(path), ".csv")) {
            TREEM_ASSIGN_OR_RETURN(std::unique_ptr<RiskScreen> s, RiskScreen::Parse(e.bytes, path));
            reg->screens_.push_back(std::move(s));
          }
        }
        for (size_t i = 1; i < reg->codes_.size(); ++i) {
          const std::string& f = reg->codes_.entry(static_cast<uint16_t>(i)).family;
          if (!reg->IsKnownFamily(f)) reg->families_.push_back(f);
        }
        reg->Bind();
        return reg;
      });
}

absl::StatusOr<const RuleRegistry*> RuleRegistry::Default() {
  static const absl::StatusOr<std::unique_ptr<RuleRegistry>>* loaded =
      new absl::StatusOr<std::unique_ptr<RuleRegistry>>(LoadEmbedded());
  if (!loaded->ok()) return loaded->status();
  return loaded->value().get();
}

absl::Status RuleRegistry::LoadCodeListCsv(std::string_view csv, std::string_view what) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    CodeTable copy = codes_;
    TREEM_RETURN_IF_ERROR(LoadCodes(csv, what, /*user=*/true, &copy));
    codes_ = std::move(copy);
    Bind();
    return absl::OkStatus();
  });
}

const RuleSet* RuleRegistry::Find(std::string_view id) const {
  for (const auto& s : sets_) {
    if (s->info().id == id) return s.get();
  }
  return nullptr;
}

const RuleSet* RuleRegistry::ForDate(RuleSetKind kind, uint32_t ymd) const {
  for (const auto& s : sets_) {
    const RuleSetInfo& i = s->info();
    if (i.kind == kind && i.from_ymd <= ymd && ymd <= i.to_ymd) return s.get();
  }
  return nullptr;
}

absl::StatusOr<const RuleSet*> RuleRegistry::Select(RuleSetKind kind, std::string_view id,
                                                    core::Date date) const {
  const char* field = kind == RuleSetKind::kLegal ? "ruleSetId" : "statisticalRuleSetId";
  if (!id.empty()) {
    const RuleSet* s = Find(id);
    if (s == nullptr) {
      return absl::NotFoundError(absl::StrCat(field, ": '", Sv(id), "' is not a rule set"));
    }
    if (s->info().kind != kind) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", Sv(id), "' is a ",
                       kind == RuleSetKind::kLegal ? "statistical" : "legal", " rule set"));
    }
    return s;
  }
  const RuleSet* s = ForDate(kind, PackYmd(date));
  if (s == nullptr) {
    return absl::NotFoundError(absl::StrCat("activity date: no ",
                                            kind == RuleSetKind::kLegal ? "legal" : "statistical",
                                            " rule set is in force on ", core::FormatDate(date)));
  }
  return s;
}

absl::StatusOr<const RiskScreen*> RuleRegistry::FindScreen(std::string_view id) const {
  if (id.empty()) id = "RISK-RD9";
  for (const auto& s : screens_) {
    if (s->id() == id) return s.get();
  }
  return absl::NotFoundError(absl::StrCat("screenId: '", Sv(id), "' is not a risk screen"));
}

}  // namespace treem::rules
