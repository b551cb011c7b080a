#include "indicators/plan.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/ids.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"
#include "rules/classify.h"
#include "rules/csv.h"

namespace treem::indicators {
namespace {

using internal::Sv;

const IndicatorDef* FindDef(const std::vector<IndicatorDef>& defs, std::string_view id) {
  for (const auto& d : defs)
    if (d.id == id) return &d;
  return nullptr;
}

absl::StatusOr<schema::AdminLevel> ParseLevel(std::string_view s, std::string_view field) {
  if (s.empty()) return schema::AdminLevel::UNSPECIFIED;
  if (s == "national") return schema::AdminLevel::NATIONAL;
  if (s == "province") return schema::AdminLevel::PROVINCE;
  if (s == "district") return schema::AdminLevel::DISTRICT;
  if (s == "commune") return schema::AdminLevel::COMMUNE;
  if (s == "village") return schema::AdminLevel::VILLAGE;
  return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": unknown level \"", Sv(s), "\""));
}

void SetUuid(const core::Uuid& id, schema::Uuid::Builder out) {
  out.setHi(id.hi);
  out.setLo(id.lo);
}

struct ParsedTarget {
  double value = 0;
  schema::Direction direction = schema::Direction::UNKNOWN;
  bool strict = false;
  bool percent_sign = false;
};

absl::StatusOr<ParsedTarget> ParseTarget(std::string_view text, std::string_view field) {
  ParsedTarget t;
  std::string s(absl::StripAsciiWhitespace(Sv(text)));
  if (s == "minimise") {
    t.direction = schema::Direction::MINIMISE;
    return t;
  }
  if (s == "maximise") {
    t.direction = schema::Direction::MAXIMISE;
    return t;
  }
  std::string_view v = s;
  auto eat = [&v](std::string_view p) {
    if (v.starts_with(p)) {
      v.remove_prefix(p.size());
      return true;
    }
    return false;
  };
  if (eat(">=")) {
    t.direction = schema::Direction::AT_LEAST;
  } else if (eat("<=")) {
    t.direction = schema::Direction::AT_MOST;
  } else if (eat(">")) {
    t.direction = schema::Direction::AT_LEAST;
    t.strict = true;
  } else if (eat("<")) {
    t.direction = schema::Direction::AT_MOST;
    t.strict = true;
  } else {
    eat("=");
  }
  if (v.ends_with("%")) {
    v.remove_suffix(1);
    t.percent_sign = true;
  }
  if (!absl::SimpleAtod(Sv(v), &t.value) || !std::isfinite(t.value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": not a number, comparison or minimise/maximise"));
  }
  return t;
}

}  // namespace

PlanMessage::PlanMessage() : message_(std::make_unique<capnp::MallocMessageBuilder>()) {
  message_->initRoot<schema::ProgrammePlan>();
}
schema::ProgrammePlan::Reader PlanMessage::reader() const {
  return message_->getRoot<schema::ProgrammePlan>().asReader();
}
schema::ProgrammePlan::Builder PlanMessage::builder() {
  return message_->getRoot<schema::ProgrammePlan>();
}

absl::Status ValidatePlan(schema::ProgrammePlan::Reader plan, const std::vector<IndicatorDef>& defs,
                          std::string_view field) {
  auto targets = plan.getTargets();
  for (unsigned i = 0; i < targets.size(); ++i) {
    auto t = targets[i];
    const std::string id = t.getIndicatorId().cStr();
    const std::string where = absl::StrCat(Sv(field), ".targets[", i, "] (", id, ")");
    const IndicatorDef* d = FindDef(defs, id);
    if (d == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown indicator"));
    }
    const double v = t.getValue();
    if (!std::isfinite(v))
      return absl::InvalidArgumentError(absl::StrCat(where, ": value: not a number"));
    if (d->unit == schema::IndicatorUnit::PERCENT && (v > 100.0 || v < 0.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": value: ", v, "% is ", v > 100.0 ? "above 100%" : "below 0%",
                       "; a percentage target must lie between 0% and 100%"));
    }
    if (v < 0.0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": value: ", v, " is negative"));
    }
    if (t.getByYear() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": byYear: not set"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PlanMessage> ParsePlanCsv(std::string_view csv, std::string_view what,
                                         const std::vector<IndicatorDef>& defs) {
  PlanMessage msg;
  auto plan = msg.builder();
  std::string table;  // the target table, with '#' and '@' lines blanked (line numbers kept)
  table.reserve(csv.size());
  std::string period_start, period_end;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t nl = csv.find('\n', pos);
    if (nl == std::string_view::npos) nl = csv.size();
    std::string_view line = csv.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (line.starts_with('#') || line.starts_with('@')) {
      if (line.starts_with('@')) {
        const size_t comma = line.find(',');
        const std::string where = absl::StrCat(Sv(what), ": line ", line_no);
        if (comma == std::string_view::npos) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": expected @field,value"));
        }
        const std::string_view key = line.substr(1, comma - 1);
        const std::string value(absl::StripAsciiWhitespace(Sv(line.substr(comma + 1))));
        if (key == "number")
          plan.setNumber(value);
        else if (key == "title")
          plan.setTitle(value);
        else if (key == "issuingUnitCode")
          plan.setIssuingUnitCode(value);
        else if (key == "parentReference")
          plan.setParentReference(value);
        else if (key == "note")
          plan.setNote(value);
        else if (key == "issuingLevel") {
          TREEM_ASSIGN_OR_RETURN(auto lvl,
                                 ParseLevel(value, absl::StrCat(where, ": issuingLevel")));
          plan.setIssuingLevel(lvl);
        } else if (key == "issuedOn") {
          TREEM_ASSIGN_OR_RETURN(auto d, core::ParseDate(value, absl::StrCat(where, ": issuedOn")));
          rules::ToSchemaDate(d, plan.initIssuedOn());
        } else if (key == "periodStart") {
          period_start = value;
        } else if (key == "periodEnd") {
          period_end = value;
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": unknown plan field \"", Sv(key), "\""));
        }
      }
      table += '\n';
      continue;
    }
    table.append(line.data(), line.size());
    table += '\n';
  }
  if (plan.getNumber().size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": @number: missing"));
  }
  if (period_start.empty() || period_end.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": @periodStart, @periodEnd: both are required"));
  }
  TREEM_ASSIGN_OR_RETURN(auto ps,
                         core::ParseDate(period_start, absl::StrCat(Sv(what), ": @periodStart")));
  TREEM_ASSIGN_OR_RETURN(auto pe,
                         core::ParseDate(period_end, absl::StrCat(Sv(what), ": @periodEnd")));
  if (pe < ps)
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": @periodEnd: before @periodStart"));
  auto period = plan.initPeriod();
  period.setKind(schema::PeriodKind::CUSTOM);
  period.setYear(static_cast<int16_t>(ps.year()));
  rules::ToSchemaDate(ps, period.initStart());
  rules::ToSchemaDate(pe, period.initEnd());
  SetUuid(core::NameUuid(absl::StrCat("plan:", std::string(plan.getNumber().cStr()), ":",
                                      std::string(plan.getIssuingUnitCode().cStr()))),
          plan.initId());

  TREEM_ASSIGN_OR_RETURN(auto rows, rules::ParseCsv(table, what));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no target table"));
  TREEM_ASSIGN_OR_RETURN(auto h,
                         rules::CsvHeader::Make(rows[0], {"indicator", "target", "byYear"}, what));
  auto targets = plan.initTargets(static_cast<unsigned>(rows.size() - 1));
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string id(h.Get(r, "indicator"));
    const std::string where = absl::StrCat(Sv(what), ": line ", r.line, " (", id, ")");
    const IndicatorDef* d = FindDef(defs, id);
    if (d == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, ": unknown indicator"));
    TREEM_ASSIGN_OR_RETURN(ParsedTarget t,
                           ParseTarget(h.Get(r, "target"), absl::StrCat(where, ": target")));
    const bool pct = d->unit == schema::IndicatorUnit::PERCENT;
    if (pct && t.strict && t.direction == schema::Direction::AT_LEAST && t.value >= 100.0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": target: more than ", t.value,
                       "% is impossible; a percentage target must lie between 0% and 100%"));
    }
    if (pct && (t.value > 100.0 || t.value < 0.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": target: ", t.value, "% is ", t.value > 100.0 ? "above 100%" : "below 0%",
          "; a percentage target must lie between 0% and 100%"));
    }
    if (t.percent_sign && !pct) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": target: a percentage for an indicator in ", Sv(UnitName(d->unit))));
    }
    int by_year = 0;
    if (!absl::SimpleAtoi(Sv(h.Get(r, "byYear")), &by_year) || by_year < 1900 || by_year > 9999) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": byYear: not a year"));
    }
    auto out = targets[static_cast<unsigned>(i - 1)];
    out.setIndicatorId(id);
    out.setValue(t.value);
    out.setDirection(t.direction);
    out.setByYear(static_cast<int16_t>(by_year));
    out.setScope(std::string(h.Get(r, "scope")));
    TREEM_ASSIGN_OR_RETURN(auto lvl,
                           ParseLevel(h.Get(r, "scopeLevel"), absl::StrCat(where, ": scopeLevel")));
    out.setScopeLevel(lvl);
    out.setPrinted(std::string(h.Get(r, "printed")));
    out.setNote(std::string(h.Get(r, "note")));
  }
  TREEM_RETURN_IF_ERROR(ValidatePlan(plan.asReader(), defs, what));
  return msg;
}

std::vector<std::string> EmbeddedPlanNames() { return {"qd-782-2021", "hoang-duc-2023"}; }

absl::StatusOr<PlanMessage> LoadEmbeddedPlan(std::string_view name) {
  const std::string path = absl::StrCat("plans/", Sv(name), ".csv");
  auto text = internal::EmbeddedFile(path);
  if (!text) return absl::NotFoundError(absl::StrCat("plan: no embedded plan \"", Sv(name), "\""));
  return ParsePlanCsv(*text, path);
}

}  // namespace treem::indicators
