#include "core/date.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/date_time/gregorian/gregorian.hpp"
#include "internal/status_macros.h"

namespace treem::core {
using internal::Sv;
namespace {
const Date kEpoch(1970, 1, 1);

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}
}  // namespace

DayNumber ToDayNumber(Date d) { return static_cast<DayNumber>((d - kEpoch).days()); }
Date FromDayNumber(DayNumber n) { return kEpoch + boost::gregorian::days(n); }

absl::StatusOr<Date> MakeDate(int year, int month, int day, std::string_view field) {
  // Boost.Gregorian covers 1400-9999; treem records need 1900-2199.
  if (year < 1900 || year > 2199) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": year ", year, " is outside 1900-2199"));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": month ", month, " does not exist"));
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %04d-%02d has no day %d", Sv(field), year, month, day));
  }
  return Date(year, month, day);
}

absl::StatusOr<Date> ParseDate(std::string_view iso, std::string_view field) {
  int y = 0, m = 0, d = 0;
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-' ||
      !absl::SimpleAtoi(Sv(iso.substr(0, 4)), &y) || !absl::SimpleAtoi(Sv(iso.substr(5, 2)), &m) ||
      !absl::SimpleAtoi(Sv(iso.substr(8, 2)), &d) ||
      !std::all_of(iso.begin(), iso.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); })) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": expected a date as YYYY-MM-DD"));
  }
  return MakeDate(y, m, d, field);
}

std::string FormatDate(Date d) {
  return absl::StrFormat("%04d-%02d-%02d", static_cast<int>(d.year()),
                         static_cast<int>(d.month()), static_cast<int>(d.day()));
}

int AgeInCompletedYears(Date birth, Date on) {
  const int by = birth.year(), bm = birth.month(), bd = birth.day();
  const int oy = on.year(), om = on.month(), od = on.day();
  int age = oy - by;
  // The anniversary in year oy; 29 February falls back to 28 February in a common year.
  int anniv_day = bd;
  if (bm == 2 && bd == 29 && !IsLeap(oy)) anniv_day = 28;
  if (om < bm || (om == bm && od < anniv_day)) --age;
  return age;
}

LegalBand LegalBandFor(int age) {
  if (age < 13) return LegalBand::kUnder13;
  if (age < 15) return LegalBand::k13To14;
  if (age < 18) return LegalBand::k15To17;
  return LegalBand::kAdult;
}

StatBand StatBandFor(int age) {
  if (age < 5) return StatBand::kUnder5;
  if (age <= 11) return StatBand::k5To11;
  if (age <= 14) return StatBand::k12To14;
  if (age <= 17) return StatBand::k15To17;
  return StatBand::kAdult;
}

const char* LegalBandName(LegalBand b) {
  switch (b) {
    case LegalBand::kUnder13: return "LT13";
    case LegalBand::k13To14: return "A13_14";
    case LegalBand::k15To17: return "A15_17";
    case LegalBand::kAdult: return "ADULT";
  }
  return "?";
}

const char* StatBandName(StatBand b) {
  switch (b) {
    case StatBand::kUnder5: return "S_UNDER5";
    case StatBand::k5To11: return "S5_11";
    case StatBand::k12To14: return "S12_14";
    case StatBand::k15To17: return "S15_17";
    case StatBand::kAdult: return "S_ADULT";
  }
  return "?";
}

absl::StatusOr<AgeOnDate> AgeOn(const BirthDate& birth, Date on, std::string_view field) {
  if (birth.date.is_special() || on.is_special()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": date is not set"));
  }
  Date earliest = birth.estimated ? Date(birth.date.year(), 1, 1) : birth.date;
  Date latest = birth.estimated ? Date(birth.date.year(), 12, 31) : birth.date;
  if (on < birth.date) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": date is before the birth date"));
  }
  AgeOnDate r;
  r.age = AgeInCompletedYears(birth.date, on);
  r.max_age = AgeInCompletedYears(earliest, on);
  r.min_age = on < latest ? 0 : AgeInCompletedYears(latest, on);
  r.legal_band = LegalBandFor(r.age);
  r.stat_band = StatBandFor(r.age);
  r.legal_band_uncertain = LegalBandFor(r.min_age) != LegalBandFor(r.max_age);
  r.stat_band_uncertain = StatBandFor(r.min_age) != StatBandFor(r.max_age);
  return r;
}

}  // namespace treem::core
