// Calendar dates, ages in completed years and the age bands of RD-1.
//
// Age follows the Civil Code 2015 (Arts 147-148): a child reaches age N at the end of the day
// that corresponds to the birth date N years later, so on that birthday the child is N. A child
// born on 29 February is N on 28 February of a common year (the period ends on the last day of
// the month).
#ifndef TREEM_LIB_CORE_DATE_H_
#define TREEM_LIB_CORE_DATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/date_time/gregorian/gregorian_types.hpp"

namespace treem::core {

using Date = boost::gregorian::date;

// Days since 1970-01-01 (negative before). The compact form used in columns and on the wire.
using DayNumber = int32_t;
DayNumber ToDayNumber(Date d);
Date FromDayNumber(DayNumber n);

// Parses "YYYY-MM-DD". `field` names the input in the error ("birthDate: not a calendar date").
absl::StatusOr<Date> ParseDate(std::string_view iso, std::string_view field);
// Builds a date, refusing impossible ones (2023-02-29) with an error naming `field`.
absl::StatusOr<Date> MakeDate(int year, int month, int day, std::string_view field);
// "YYYY-MM-DD".
std::string FormatDate(Date d);

// Age in completed years on `on` (Civil Code rule above). Requires on >= birth.
int AgeInCompletedYears(Date birth, Date on);

// Legal bands of the Labour Code 2019 (Art 143).
enum class LegalBand : uint8_t { kUnder13 = 0, k13To14 = 1, k15To17 = 2, kAdult = 3 };
// Statistical bands of the ILO / SDG 8.7.1 standard; ages under 5 and 18+ are out of scope.
enum class StatBand : uint8_t { kUnder5 = 0, k5To11 = 1, k12To14 = 2, k15To17 = 3, kAdult = 4 };

LegalBand LegalBandFor(int age);
StatBand StatBandFor(int age);
const char* LegalBandName(LegalBand b);  // "LT13", "A13_14", "A15_17", "ADULT"
const char* StatBandName(StatBand b);    // "S_UNDER5", "S5_11", "S12_14", "S15_17", "S_ADULT"

// A birth date as recorded: exact, or estimated. An estimated birth date means the true date is
// only known to lie within the calendar year of the recorded date.
struct BirthDate {
  Date date;
  bool estimated = false;
};

// The age on a date with its uncertainty. For an exact birth date min == max == age.
struct AgeOnDate {
  int age = 0;      // from the recorded date
  int min_age = 0;  // youngest possible (born 31 December of the recorded year)
  int max_age = 0;  // oldest possible (born 1 January of the recorded year)
  LegalBand legal_band = LegalBand::kUnder13;
  StatBand stat_band = StatBand::kUnder5;
  bool legal_band_uncertain = false;  // min and max ages fall in different legal bands
  bool stat_band_uncertain = false;   // ... in different statistical bands
};

// Fails with kInvalidArgument naming `field` when `on` is before the (earliest possible) birth.
absl::StatusOr<AgeOnDate> AgeOn(const BirthDate& birth, Date on, std::string_view field);

}  // namespace treem::core

#endif  // TREEM_LIB_CORE_DATE_H_
