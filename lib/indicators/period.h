// Reporting periods: year, half, quarter, month or a custom range (schema::Period). The last day
// is the reference date for populations (ages in completed years on that day, RD-1).
#ifndef TREEM_LIB_INDICATORS_PERIOD_H_
#define TREEM_LIB_INDICATORS_PERIOD_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/date.h"
#include "treem/schema/indicators.capnp.h"

namespace treem::indicators {

struct Period {
  schema::PeriodKind kind = schema::PeriodKind::YEAR;
  int year = 0;
  int index = 0;     // half 1..2, quarter 1..4, month 1..12; 0 for year and custom
  core::Date start;  // first day (inclusive)
  core::Date end;    // last day (inclusive); the reference date

  static Period Year(int year);
  static absl::StatusOr<Period> Half(int year, int half);
  static absl::StatusOr<Period> Quarter(int year, int quarter);
  static absl::StatusOr<Period> Month(int year, int month);
  static absl::StatusOr<Period> Custom(core::Date start, core::Date end);

  // "2024", "2024-H1", "2024-Q3", "2024-07", "2021-01-01..2025-12-31".
  std::string Label() const;
};

// Parses a label as written by Label().
absl::StatusOr<Period> ParsePeriod(std::string_view label);

// Reads and checks a schema period (start/end are derived for year/half/quarter/month and, when
// given, must agree). `field` prefixes errors.
absl::StatusOr<Period> FromSchema(schema::Period::Reader in, std::string_view field);
void ToSchema(const Period& p, schema::Period::Builder out);

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_PERIOD_H_
