#include "indicators/definitions.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"
#include "rules/csv.h"

namespace treem::indicators {
namespace {

using internal::Sv;
using schema::DisaggregationDimension;

constexpr std::array<std::pair<std::string_view, schema::IndicatorUnit>, 6> kUnits = {{
    {"unknown", schema::IndicatorUnit::UNKNOWN},
    {"percent", schema::IndicatorUnit::PERCENT},
    {"count", schema::IndicatorUnit::COUNT},
    {"perThousand", schema::IndicatorUnit::PER_THOUSAND},
    {"ratio", schema::IndicatorUnit::RATIO},
    {"vnd", schema::IndicatorUnit::VND},
}};
constexpr std::array<std::pair<std::string_view, schema::Direction>, 5> kDirections = {{
    {"unknown", schema::Direction::UNKNOWN},
    {"atLeast", schema::Direction::AT_LEAST},
    {"atMost", schema::Direction::AT_MOST},
    {"minimise", schema::Direction::MINIMISE},
    {"maximise", schema::Direction::MAXIMISE},
}};
constexpr std::array<std::pair<std::string_view, DisaggregationDimension>, 7> kDims = {{
    {"unknown", DisaggregationDimension::UNKNOWN},
    {"sex", DisaggregationDimension::SEX},
    {"statBand", DisaggregationDimension::STAT_BAND},
    {"ethnicity", DisaggregationDimension::ETHNICITY},
    {"ethnicMinority", DisaggregationDimension::ETHNIC_MINORITY},
    {"poverty", DisaggregationDimension::POVERTY},
    {"residence", DisaggregationDimension::RESIDENCE},
}};
constexpr std::array<std::pair<std::string_view, schema::AgeReference>, 3> kAgeRefs = {{
    {"periodEnd", schema::AgeReference::PERIOD_END},
    {"periodStart", schema::AgeReference::PERIOD_START},
    {"eventDate", schema::AgeReference::EVENT_DATE},
}};
constexpr std::array<std::pair<std::string_view, schema::Confidence>, 3> kConfidences = {{
    {"confirmed", schema::Confidence::CONFIRMED},
    {"secondary", schema::Confidence::SECONDARY},
    {"unconfirmed", schema::Confidence::UNCONFIRMED},
}};

template <typename E, size_t N>
absl::StatusOr<E> Lookup(const std::array<std::pair<std::string_view, E>, N>& table,
                         std::string_view text, std::string_view field) {
  for (const auto& [name, value] : table) {
    if (name == text) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": unknown value \"", Sv(text), "\""));
}
template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<std::string_view, E>, N>& table, E v) {
  for (const auto& [name, value] : table) {
    if (value == v) return name;
  }
  return "unknown";
}

// Built-in selectors without a parameter, and those taking one (after ':').
constexpr std::array<std::string_view, 27> kPlainSelectors = {"CHILDREN_5_17",
                                                              "CHILDREN_5_17_CHILD_LABOUR",
                                                              "CHILDREN_5_17_HAZARDOUS",
                                                              "CHILDREN_5_17_SDG_ECONOMIC",
                                                              "CHILDREN_5_17_INFORMED",
                                                              "CASES_P2",
                                                              "CASES_P2_IN_TIME",
                                                              "AT_RISK_OR_CL",
                                                              "AT_RISK_OR_CL_IN_EDUCATION",
                                                              "EDUCATION_STAFF",
                                                              "EDUCATION_STAFF_INFORMED",
                                                              "PARENTS_CARERS",
                                                              "PARENTS_CARERS_INFORMED",
                                                              "EMPLOYERS",
                                                              "EMPLOYERS_INFORMED",
                                                              "EMPLOYERS_TRAINED",
                                                              "OFFICIALS",
                                                              "OFFICIALS_TRAINED",
                                                              "OFFICIALS_PROVINCE",
                                                              "OFFICIALS_PROVINCE_TRAINED",
                                                              "OFFICIALS_COMMUNE",
                                                              "OFFICIALS_COMMUNE_TRAINED",
                                                              "CASES_OPENED",
                                                              "CASES_CLOSED",
                                                              "CASES_OVERDUE",
                                                              "REFERRALS",
                                                              "REFERRALS_OVERDUE"};
constexpr std::array<std::string_view, 17> kMoreSelectors = {
    "FOLLOWUP_CASES", "FOLLOWUP_VISITED", "INSPECTIONS", "INSPECTIONS_WITH_VIOLATIONS",
    "VIOLATIONS", "SANCTIONS", "SANCTIONS_PARENTS", "CRIMINAL_REFERRALS", "FINES_VND",
    "COMMITMENTS_IN_FORCE", "COMMITMENTS_BREACHED", "REACH_HEADCOUNT", "SPENDING",
    // parameterised (checked by the compute module's parameter parsers)
    "CASES_OVERDUE:", "REFERRALS:", "REFERRALS_SERVICE:", "SPENDING_SOURCE:"};

}  // namespace

bool IsKnownSelector(std::string_view s) {
  for (auto p : kPlainSelectors)
    if (p == s) return true;
  for (auto p : kMoreSelectors) {
    if (p == s) return true;
    if (p.back() == ':' && s.size() > p.size() && s.substr(0, p.size()) == p) return true;
  }
  if (s.starts_with("SPENDING_KIND:")) return s.size() > 14;
  return false;
}

bool IndicatorDef::Supports(schema::DisaggregationDimension d) const {
  return std::find(dimensions.begin(), dimensions.end(), d) != dimensions.end();
}

std::string_view UnitName(schema::IndicatorUnit u) { return NameOf(kUnits, u); }
std::string_view DirectionName(schema::Direction d) { return NameOf(kDirections, d); }
std::string_view DimensionName(schema::DisaggregationDimension d) { return NameOf(kDims, d); }

namespace {

absl::Status CheckDef(const IndicatorDef& d, std::string_view where) {
  if (d.id.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(where), ": id: empty"));
  if (d.numerator.selector.empty() || !IsKnownSelector(d.numerator.selector)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": numerator: unknown selector \"", d.numerator.selector, "\""));
  }
  if (d.has_denominator() && !IsKnownSelector(d.denominator.selector)) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(where), ": denominator: unknown selector \"",
                                                   d.denominator.selector, "\""));
  }
  const bool ratio = d.unit == schema::IndicatorUnit::PERCENT ||
                     d.unit == schema::IndicatorUnit::PER_THOUSAND ||
                     d.unit == schema::IndicatorUnit::RATIO;
  if (ratio && !d.has_denominator()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": denominator: required for unit ", Sv(UnitName(d.unit))));
  }
  if (!ratio && d.has_denominator()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": denominator: not allowed for unit ", Sv(UnitName(d.unit))));
  }
  if (d.unit == schema::IndicatorUnit::UNKNOWN) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(where), ": unit: not set"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<IndicatorDef>> ParseDefinitionsCsv(std::string_view csv,
                                                              std::string_view what) {
  TREEM_ASSIGN_OR_RETURN(auto rows, rules::ParseCsv(csv, what));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": empty file"));
  TREEM_ASSIGN_OR_RETURN(
      auto h, rules::CsvHeader::Make(rows[0],
                                     {"id", "name_vi", "name_en", "unit", "direction", "numerator",
                                      "denominator", "age_reference", "dimensions", "operational"},
                                     what));
  std::vector<IndicatorDef> out;
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string where = absl::StrCat(Sv(what), ": line ", r.line);
    IndicatorDef d;
    d.id = std::string(h.Get(r, "id"));
    d.name_vi = std::string(h.Get(r, "name_vi"));
    d.name_en = std::string(h.Get(r, "name_en"));
    d.numerator = {std::string(h.Get(r, "numerator_vi")), std::string(h.Get(r, "numerator_en")),
                   std::string(h.Get(r, "numerator"))};
    d.denominator = {std::string(h.Get(r, "denominator_vi")),
                     std::string(h.Get(r, "denominator_en")), std::string(h.Get(r, "denominator"))};
    TREEM_ASSIGN_OR_RETURN(d.unit, Lookup(kUnits, h.Get(r, "unit"), absl::StrCat(where, ": unit")));
    TREEM_ASSIGN_OR_RETURN(d.direction, Lookup(kDirections, h.Get(r, "direction"),
                                               absl::StrCat(where, ": direction")));
    TREEM_ASSIGN_OR_RETURN(d.age_reference, Lookup(kAgeRefs, h.Get(r, "age_reference"),
                                                   absl::StrCat(where, ": age_reference")));
    const std::string_view dims = h.Get(r, "dimensions");
    if (!dims.empty()) {
      for (absl::string_view part : absl::StrSplit(Sv(dims), ';')) {
        TREEM_ASSIGN_OR_RETURN(auto dim, Lookup(kDims, std::string_view(part.data(), part.size()),
                                                absl::StrCat(where, ": dimensions")));
        if (dim == DisaggregationDimension::UNKNOWN) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": dimensions: unknown"));
        }
        d.dimensions.push_back(dim);
      }
    }
    const std::string_view op = h.Get(r, "operational");
    if (op != "0" && op != "1") {
      return absl::InvalidArgumentError(absl::StrCat(where, ": operational: must be 0 or 1"));
    }
    d.operational = op == "1";
    d.source = std::string(h.Get(r, "source"));
    if (!h.Get(r, "confidence").empty()) {
      TREEM_ASSIGN_OR_RETURN(d.confidence, Lookup(kConfidences, h.Get(r, "confidence"),
                                                  absl::StrCat(where, ": confidence")));
    }
    TREEM_RETURN_IF_ERROR(CheckDef(d, where));
    if (!ids.insert(d.id).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": id: duplicate \"", d.id, "\""));
    }
    out.push_back(std::move(d));
  }
  return out;
}

const std::vector<IndicatorDef>& BuiltinDefinitions() {
  static const std::vector<IndicatorDef>* defs = [] {
    auto text = internal::EmbeddedFile("indicators/indicators.csv");
    auto parsed =
        ParseDefinitionsCsv(text ? *text : std::string_view(), "indicators/indicators.csv");
    // The embedded file is tested; an error here is a build defect.
    return new std::vector<IndicatorDef>(parsed.ok() ? std::move(*parsed)
                                                     : std::vector<IndicatorDef>{});
  }();
  return *defs;
}

const IndicatorDef* FindBuiltin(std::string_view id) {
  for (const auto& d : BuiltinDefinitions())
    if (d.id == id) return &d;
  return nullptr;
}

void ToSchema(const IndicatorDef& d, schema::IndicatorDefinition::Builder out) {
  out.setId(d.id);
  out.setNameVi(d.name_vi);
  out.setNameEn(d.name_en);
  auto n = out.initNumerator();
  n.setTextVi(d.numerator.text_vi);
  n.setTextEn(d.numerator.text_en);
  n.setSelector(d.numerator.selector);
  auto m = out.initDenominator();
  m.setTextVi(d.denominator.text_vi);
  m.setTextEn(d.denominator.text_en);
  m.setSelector(d.denominator.selector);
  out.setUnit(d.unit);
  out.setDirection(d.direction);
  out.setAgeReference(d.age_reference);
  auto dims = out.initDimensions(static_cast<unsigned>(d.dimensions.size()));
  for (unsigned i = 0; i < d.dimensions.size(); ++i) dims.set(i, d.dimensions[i]);
  if (!d.source.empty()) {
    auto c = out.initCitations(1);
    c[0].setInstrument(d.source);
    c[0].setConfidence(d.confidence);
  }
  out.setVersion(d.version);
  out.setOperational(d.operational);
}

absl::StatusOr<IndicatorDef> FromSchema(schema::IndicatorDefinition::Reader in,
                                        std::string_view field) {
  IndicatorDef d;
  d.id = in.getId();
  d.name_vi = in.getNameVi();
  d.name_en = in.getNameEn();
  d.numerator = {in.getNumerator().getTextVi(), in.getNumerator().getTextEn(),
                 in.getNumerator().getSelector()};
  d.denominator = {in.getDenominator().getTextVi(), in.getDenominator().getTextEn(),
                   in.getDenominator().getSelector()};
  d.unit = in.getUnit();
  d.direction = in.getDirection();
  d.age_reference = in.getAgeReference();
  for (auto dim : in.getDimensions()) {
    if (dim == DisaggregationDimension::UNKNOWN || static_cast<unsigned>(dim) > 6) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(field), ".dimensions: unknown value"));
    }
    d.dimensions.push_back(dim);
  }
  if (in.getCitations().size() > 0) {
    d.source = in.getCitations()[0].getInstrument();
    d.confidence = in.getCitations()[0].getConfidence();
  }
  d.version = in.getVersion();
  d.operational = in.getOperational();
  TREEM_RETURN_IF_ERROR(CheckDef(d, field));
  return d;
}

}  // namespace treem::indicators
