// Working-day calendar: weekends and Vietnamese public holidays (Labour Code 2019 Art 112,
// including lunar Tết, Hùng Kings' day and the substituted days decided each year), as
// effective-dated data per year (data/calendar/). Used for legal deadlines counted in working
// days (Decree 56/2017 Art 28: plan within 5 working days, approval within 2).
#ifndef TREEM_LIB_CORE_CALENDAR_H_
#define TREEM_LIB_CORE_CALENDAR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/date.h"

namespace treem::core {

// One day off (or a make-up working day on a weekend) with its reason and source.
struct CalendarDay {
  Date date;
  enum class Kind { kHoliday, kSubstituteDayOff, kMakeUpWorkday } kind = Kind::kHoliday;
  std::string name_vi;  // e.g. "Tết Nguyên đán"
  std::string name_en;  // e.g. "Lunar New Year"
  std::string source;   // e.g. "Labour Code 2019 Art 112; Official Letter 6150/LĐTBXH-CV"
  // kConfirmed: the officially announced schedule; kComputed: derived from the lunar calendar and
  // the usual rules before the government announced the year's schedule (may still change).
  enum class Confidence { kConfirmed, kComputed } confidence = Confidence::kConfirmed;
};

class WorkingCalendar {
 public:
  // The calendar shipped with the library (Vietnam, the years its data covers), built from the
  // embedded data/calendar/vn-public-holidays.csv on first use (thread-safe) and immutable after.
  // Its days are the public-administration schedule (công chức, viên chức): Monday to Friday.
  static const WorkingCalendar& Vietnam();
  // Loads a calendar from CSV text in the format of data/calendar/ (documented there).
  // Malformed input fails with kInvalidArgument naming the line and column ("line 7, column 2
  // (kind): unknown kind 'holyday'").
  static absl::StatusOr<WorkingCalendar> FromCsv(std::string_view csv);

  // First and last year the data covers. Outside them only weekends are known: queries
  // on such dates return kOutOfRange rather than guessing.
  int first_year() const;
  int last_year() const;

  // Monday to Friday unless a holiday or substitute day off; a Saturday or Sunday only when it
  // is a make-up working day. O(1).
  absl::StatusOr<bool> IsWorkingDay(Date d) const;
  // The date n working days after `start` (n >= 0; start itself does not count: 5 working
  // days after Friday is the next Friday when no holiday intervenes). `start` may be a day off;
  // n == 0 returns `start`. kInvalidArgument for n < 0, kOutOfRange when `start` or the result
  // falls outside the covered years. O(log days).
  absl::StatusOr<Date> AddWorkingDays(Date start, int n) const;
  // Working days in (from, to]; negative when to < from (minus the working days in (to, from]).
  // O(1).
  absl::StatusOr<int> WorkingDaysBetween(Date from, Date to) const;
  // The special days of a year, sorted (empty outside the covered years).
  std::vector<CalendarDay> SpecialDays(int year) const;

  // (implementation-defined members follow)
 private:
  WorkingCalendar() = default;
  // kOutOfRange (or the load error of a broken embedded calendar) unless d is covered.
  absl::StatusOr<int32_t> IndexOf(Date d, std::string_view field) const;

  // Set only for a Vietnam() whose embedded data failed to load: every query returns it.
  absl::Status load_error_;
  int first_year_ = 0;
  int last_year_ = -1;
  DayNumber first_day_ = 0;  // 1 January of first_year_
  // working_[i]: day first_day_ + i is a working day. cumulative_[i]: working days in
  // [first_day_, first_day_ + i]. Both span first_year_..last_year_, so IsWorkingDay and
  // WorkingDaysBetween are O(1) and AddWorkingDays is a binary search over cumulative_.
  std::vector<uint8_t> working_;
  std::vector<int32_t> cumulative_;
  std::vector<CalendarDay> days_;  // sorted by date
};

}  // namespace treem::core

#endif  // TREEM_LIB_CORE_CALENDAR_H_
