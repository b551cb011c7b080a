// Indicator definitions as data (DOMAIN.md section 6; RD-6): id, names, numerator and
// denominator (each a built-in counter, named by its selector), unit, direction, age reference
// and the breakdowns that make sense. The built-in set (P1-P10, P8.PROVINCE, P8.COMMUNE, SDG871
// and the operational figures OP.*) ships in data/indicators/indicators.csv; callers may load
// their own with the same columns or pass schema::IndicatorDefinition records.
// docs/indicators.md lists every definition and every selector.
#ifndef TREEM_LIB_INDICATORS_DEFINITIONS_H_
#define TREEM_LIB_INDICATORS_DEFINITIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "treem/schema/indicators.capnp.h"

namespace treem::indicators {

struct CountDef {
  std::string text_vi;
  std::string text_en;
  std::string selector;  // built-in counter, e.g. "CHILDREN_5_17"; "" = none (count indicators)
};

struct IndicatorDef {
  std::string id;  // "P1"
  std::string name_vi;
  std::string name_en;
  CountDef numerator;
  CountDef denominator;
  schema::IndicatorUnit unit = schema::IndicatorUnit::PERCENT;
  schema::Direction direction = schema::Direction::UNKNOWN;
  schema::AgeReference age_reference = schema::AgeReference::PERIOD_END;
  std::vector<schema::DisaggregationDimension> dimensions;
  std::string source;  // citation text
  schema::Confidence confidence = schema::Confidence::UNCONFIRMED;
  std::string version = "2026.1";
  bool operational = false;

  bool has_denominator() const { return !denominator.selector.empty(); }
  bool Supports(schema::DisaggregationDimension d) const;
};

// Whether `selector` names a built-in counter (with its parameter, e.g. "REFERRALS:accepted").
bool IsKnownSelector(std::string_view selector);

// Parses a definitions CSV (columns: see data/indicators/indicators.csv). Checks every field
// (unknown unit, direction, dimension or selector; duplicate id; a ratio unit without a
// denominator; a count or vnd unit with one). `what` names the file in errors.
absl::StatusOr<std::vector<IndicatorDef>> ParseDefinitionsCsv(std::string_view csv,
                                                              std::string_view what);
// The definitions embedded from data/indicators/indicators.csv (parsed once, cached).
const std::vector<IndicatorDef>& BuiltinDefinitions();
// The built-in definition with this id, or null.
const IndicatorDef* FindBuiltin(std::string_view id);

void ToSchema(const IndicatorDef& def, schema::IndicatorDefinition::Builder out);
// Validates like ParseDefinitionsCsv; `field` prefixes errors.
absl::StatusOr<IndicatorDef> FromSchema(schema::IndicatorDefinition::Reader in,
                                        std::string_view field);

// Enum names as in the schema ("percent", "atLeast", "statBand", ...).
std::string_view UnitName(schema::IndicatorUnit u);
std::string_view DirectionName(schema::Direction d);
std::string_view DimensionName(schema::DisaggregationDimension d);

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_DEFINITIONS_H_
