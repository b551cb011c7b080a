#include "core/calendar.h"

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

// Readable dates in test failures (found by ADL for boost::gregorian::date).
namespace boost::gregorian {
void PrintTo(const date& d, std::ostream* os) { *os << treem::core::FormatDate(d); }
}  // namespace boost::gregorian

namespace treem::core {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Date D(int y, int m, int d) { return Date(y, m, d); }

const WorkingCalendar& Vn() { return WorkingCalendar::Vietnam(); }

bool Working(Date d) {
  absl::StatusOr<bool> w = Vn().IsWorkingDay(d);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.value_or(false);
}

Date Add(Date start, int n) {
  absl::StatusOr<Date> r = Vn().AddWorkingDays(start, n);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.value_or(Date());
}

constexpr char kHeader[] = "date,kind,name_vi,name_en,source,confidence\n";

// ---- the shipped calendar ----

TEST(CalendarTest, ShippedCalendarLoadsAndCovers2021To2030) {
  EXPECT_EQ(Vn().first_year(), 2021);
  EXPECT_EQ(Vn().last_year(), 2030);
  // The same object every time (lazily built singleton).
  EXPECT_EQ(&Vn(), &WorkingCalendar::Vietnam());
}

TEST(CalendarTest, PlainWeekAndWeekend) {
  // 2024-03-04 is a Monday with no holiday that week.
  for (int d = 4; d <= 8; ++d) EXPECT_TRUE(Working(D(2024, 3, d))) << d;
  EXPECT_FALSE(Working(D(2024, 3, 9)));   // Saturday
  EXPECT_FALSE(Working(D(2024, 3, 10)));  // Sunday
}

TEST(CalendarTest, PlanDueAcrossAWeekend) {
  // Needs assessment done on Friday 2024-03-08: 5 working days -> Friday 2024-03-15.
  EXPECT_EQ(Add(D(2024, 3, 8), 5), D(2024, 3, 15));
  // Approval within 2 working days of a plan submitted on Thursday: the next Monday.
  EXPECT_EQ(Add(D(2024, 3, 14), 2), D(2024, 3, 18));
  // Starting on a Saturday counts from the following Monday.
  EXPECT_EQ(Add(D(2024, 3, 9), 1), D(2024, 3, 11));
  EXPECT_EQ(Add(D(2024, 3, 9), 0), D(2024, 3, 9));
}

TEST(CalendarTest, AcrossTet2024) {
  // Officially off 2024-02-08 (Thu) .. 2024-02-14 (Wed).
  for (int d = 8; d <= 14; ++d) EXPECT_FALSE(Working(D(2024, 2, d))) << d;
  EXPECT_TRUE(Working(D(2024, 2, 7)));
  EXPECT_TRUE(Working(D(2024, 2, 15)));
  // 5 working days from Wednesday 2024-02-07: Feb 15, 16, 19, 20, 21.
  EXPECT_EQ(Add(D(2024, 2, 7), 5), D(2024, 2, 21));
  EXPECT_EQ(*Vn().WorkingDaysBetween(D(2024, 2, 7), D(2024, 2, 21)), 5);
}

TEST(CalendarTest, ReunificationAndLabourDay2024WithSwap) {
  // 2024: off Sat 27/4 .. Wed 1/5 (Mon 29/4 swapped), Saturday 4/5 worked instead.
  EXPECT_FALSE(Working(D(2024, 4, 29)));
  EXPECT_FALSE(Working(D(2024, 4, 30)));
  EXPECT_FALSE(Working(D(2024, 5, 1)));
  EXPECT_TRUE(Working(D(2024, 5, 4)));  // a Saturday made a working day
  EXPECT_FALSE(Working(D(2024, 5, 5)));
  // From Friday 26/4: Thu 2/5, Fri 3/5, Sat 4/5 (make-up), Mon 6/5.
  EXPECT_EQ(Add(D(2024, 4, 26), 4), D(2024, 5, 6));
}

TEST(CalendarTest, ReunificationAndLabourDay2023Substitutes) {
  // Hùng Kings' day (Sat 29/4) and 30/4 (Sun) fell on the weekend: off until Wed 3/5.
  for (int d : {29, 30}) EXPECT_FALSE(Working(D(2023, 4, d))) << d;
  for (int d = 1; d <= 3; ++d) EXPECT_FALSE(Working(D(2023, 5, d))) << d;
  EXPECT_TRUE(Working(D(2023, 5, 4)));
  EXPECT_EQ(Add(D(2023, 4, 28), 1), D(2023, 5, 4));
}

TEST(CalendarTest, NationalDayCluster) {
  // 2023: 1/9 (Fri) + 2/9 (Sat) with the substitute on Monday 4/9.
  EXPECT_FALSE(Working(D(2023, 9, 1)));
  EXPECT_FALSE(Working(D(2023, 9, 4)));
  EXPECT_TRUE(Working(D(2023, 9, 5)));
  EXPECT_EQ(Add(D(2023, 8, 31), 1), D(2023, 9, 5));
  // 2025: 1/9 (Mon) + 2/9 (Tue).
  EXPECT_FALSE(Working(D(2025, 9, 1)));
  EXPECT_FALSE(Working(D(2025, 9, 2)));
  EXPECT_TRUE(Working(D(2025, 9, 3)));
  EXPECT_EQ(Add(D(2025, 8, 29), 5), D(2025, 9, 9));
  // 2026: 1/9 + 2/9 plus Monday 31/8 swapped with Saturday 22/8.
  EXPECT_TRUE(Working(D(2026, 8, 22)));
  EXPECT_FALSE(Working(D(2026, 8, 31)));
  EXPECT_EQ(Add(D(2026, 8, 28), 1), D(2026, 9, 3));
}

TEST(CalendarTest, SubstitutedDayOff) {
  // Hùng Kings' day 2022 fell on Sunday 10/4: Monday 11/4 is the day off in lieu.
  EXPECT_FALSE(Working(D(2022, 4, 11)));
  bool found = false;
  for (const CalendarDay& day : Vn().SpecialDays(2022)) {
    if (day.date == D(2022, 4, 11)) {
      found = true;
      EXPECT_EQ(day.kind, CalendarDay::Kind::kSubstituteDayOff);
      EXPECT_THAT(day.source, HasSubstr("Art 111"));
      EXPECT_EQ(day.confidence, CalendarDay::Confidence::kConfirmed);
    }
  }
  EXPECT_TRUE(found);
  // New Year 2022 (Saturday) -> Monday 3/1.
  EXPECT_FALSE(Working(D(2022, 1, 3)));
  EXPECT_TRUE(Working(D(2022, 1, 4)));
}

TEST(CalendarTest, HungKingsDaysMatchLunarConversion) {
  const std::vector<Date> expected = {
      D(2021, 4, 21), D(2022, 4, 10), D(2023, 4, 29), D(2024, 4, 18), D(2025, 4, 7),
      D(2026, 4, 26), D(2027, 4, 16), D(2028, 4, 4),  D(2029, 4, 23), D(2030, 4, 12)};
  for (const Date& want : expected) {
    int hung = 0;
    for (const CalendarDay& day : Vn().SpecialDays(want.year())) {
      if (day.kind == CalendarDay::Kind::kHoliday &&
          day.name_vi.find("Hùng") != std::string::npos) {
        ++hung;
        EXPECT_EQ(day.date, want);
      }
    }
    EXPECT_EQ(hung, 1) << want.year();
  }
}

TEST(CalendarTest, EveryYearHasElevenHolidaysAndBalancedSwaps) {
  for (int y = Vn().first_year(); y <= Vn().last_year(); ++y) {
    int holidays = 0, makeup = 0, substitutes_on_weekdays = 0;
    for (const CalendarDay& day : Vn().SpecialDays(y)) {
      EXPECT_EQ(day.date.year(), y);
      switch (day.kind) {
        case CalendarDay::Kind::kHoliday:
          ++holidays;
          break;
        case CalendarDay::Kind::kMakeUpWorkday:
          ++makeup;
          break;
        case CalendarDay::Kind::kSubstituteDayOff:
          ++substitutes_on_weekdays;
          break;
      }
    }
    // Labour Code 2019 Art 112.1: 1 + 5 + 1 + 1 + 1 + 2 = 11 holidays a year.
    EXPECT_EQ(holidays, 11) << y;
    // Each holiday on a weekend gives one substitute, each swap one extra day off.
    int weekend_holidays = 0;
    for (const CalendarDay& day : Vn().SpecialDays(y)) {
      const int wd = day.date.day_of_week().as_number();
      if (day.kind == CalendarDay::Kind::kHoliday && (wd == 0 || wd == 6)) ++weekend_holidays;
    }
    EXPECT_EQ(substitutes_on_weekdays, weekend_holidays + makeup) << y;
    const CalendarDay::Confidence want =
        y <= 2026 ? CalendarDay::Confidence::kConfirmed : CalendarDay::Confidence::kComputed;
    for (const CalendarDay& day : Vn().SpecialDays(y)) EXPECT_EQ(day.confidence, want) << y;
  }
}

TEST(CalendarTest, SpecialDaysAreSortedAndEmptyOutsideCoverage) {
  const std::vector<CalendarDay> days = Vn().SpecialDays(2025);
  ASSERT_FALSE(days.empty());
  for (size_t i = 1; i < days.size(); ++i) EXPECT_LT(days[i - 1].date, days[i].date);
  EXPECT_TRUE(Vn().SpecialDays(2020).empty());
  EXPECT_TRUE(Vn().SpecialDays(2031).empty());
}

TEST(CalendarTest, OutsideCoveredYearsIsOutOfRange) {
  EXPECT_EQ(Vn().IsWorkingDay(D(2020, 12, 31)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Vn().IsWorkingDay(D(2031, 1, 1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(Vn().IsWorkingDay(D(2031, 1, 1)).status().message()),
              AllOf(HasSubstr("date"), HasSubstr("2021-2030")));
  EXPECT_EQ(Vn().AddWorkingDays(D(2020, 6, 1), 1).status().code(), absl::StatusCode::kOutOfRange);
  // The start is covered but the result is not.
  EXPECT_EQ(Vn().AddWorkingDays(D(2030, 12, 27), 5).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(Vn().AddWorkingDays(D(2030, 12, 27), 2).ok());
  EXPECT_EQ(Vn().WorkingDaysBetween(D(2025, 1, 1), D(2031, 1, 1)).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(CalendarTest, InvalidArguments) {
  EXPECT_EQ(Vn().AddWorkingDays(D(2025, 3, 3), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Vn().IsWorkingDay(Date()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CalendarTest, WorkingDaysBetweenIsSignedAndInvertsAdd) {
  EXPECT_EQ(*Vn().WorkingDaysBetween(D(2024, 3, 8), D(2024, 3, 15)), 5);
  EXPECT_EQ(*Vn().WorkingDaysBetween(D(2024, 3, 15), D(2024, 3, 8)), -5);
  EXPECT_EQ(*Vn().WorkingDaysBetween(D(2024, 3, 8), D(2024, 3, 8)), 0);
  // A full year: 2024 had 366 days and 104 weekend days; 9 of its 11 holidays fell on weekdays,
  // Tết 10-11/2 (a weekend) gave 2 substitute days, Monday 29/4 was swapped for Saturday 4/5.
  const int y2024 = *Vn().WorkingDaysBetween(D(2023, 12, 31), D(2024, 12, 31));
  EXPECT_EQ(y2024, 366 - 104 - 9 - 2 - 1 + 1);
}

// Oracle: day-by-day stepping over the public data (weekends + SpecialDays) must agree with the
// precomputed tables for every start date of the covered years and n up to 30.
TEST(CalendarTest, AgreesWithDayByDayOracle) {
  std::set<Date> off, makeup;
  for (int y = Vn().first_year(); y <= Vn().last_year(); ++y) {
    for (const CalendarDay& day : Vn().SpecialDays(y)) {
      (day.kind == CalendarDay::Kind::kMakeUpWorkday ? makeup : off).insert(day.date);
    }
  }
  auto oracle_working = [&](Date d) {
    const int wd = d.day_of_week().as_number();
    if (makeup.count(d)) return true;
    if (wd == 0 || wd == 6) return false;
    return off.count(d) == 0;
  };
  const boost::gregorian::days one(1);
  int checked = 0;
  for (Date start = D(2021, 1, 1); start <= D(2030, 11, 15); start += one) {
    ASSERT_EQ(Working(start), oracle_working(start)) << FormatDate(start);
    Date d = start;
    for (int n = 1; n <= 30; ++n) {
      do {
        d += one;
      } while (!oracle_working(d));
      ASSERT_EQ(Add(start, n), d) << FormatDate(start) << " + " << n;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000);
}

// ---- CSV loading ----

TEST(CalendarCsvTest, LoadsAUserFile) {
  const std::string csv = std::string("# a comment\n\n") + kHeader +
                          "2040-01-02,holiday,\"Ngày A, B\",Day A,\"src \"\"x\"\"\",computed\r\n"
                          "2040-01-07,makeup_workday,Làm bù,Make-up,src,confirmed\n"
                          "2040-01-05,substitute_day_off,Nghỉ bù,Day off,src,confirmed\n";
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::FromCsv(csv);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(cal->first_year(), 2040);
  EXPECT_EQ(cal->last_year(), 2040);
  EXPECT_FALSE(*cal->IsWorkingDay(D(2040, 1, 2)));  // Monday holiday
  EXPECT_TRUE(*cal->IsWorkingDay(D(2040, 1, 3)));
  EXPECT_FALSE(*cal->IsWorkingDay(D(2040, 1, 5)));
  EXPECT_TRUE(*cal->IsWorkingDay(D(2040, 1, 7)));  // Saturday made a working day
  EXPECT_FALSE(*cal->IsWorkingDay(D(2040, 1, 8)));
  const std::vector<CalendarDay> days = cal->SpecialDays(2040);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].name_vi, "Ngày A, B");
  EXPECT_EQ(days[0].source, "src \"x\"");
  EXPECT_EQ(days[0].confidence, CalendarDay::Confidence::kComputed);
  EXPECT_EQ(days[1].date, D(2040, 1, 5));  // sorted by date
  EXPECT_EQ(cal->IsWorkingDay(D(2041, 1, 1)).status().code(), absl::StatusCode::kOutOfRange);
}

absl::Status LoadError(const std::string& rows) {
  return WorkingCalendar::FromCsv(std::string("# c\n") + kHeader + rows).status();
}

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

TEST(CalendarCsvTest, BadDateNamesLineAndColumn) {
  const absl::Status s = LoadError(
      "2024-01-01,holiday,a,b,c,confirmed\n"
      "2024-02-30,holiday,a,b,c,confirmed\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("line 4, column 1 (date)"));
  EXPECT_THAT(Msg(LoadError("2024/01/01,holiday,a,b,c,confirmed\n")),
              AllOf(HasSubstr("line 3, column 1 (date)"), HasSubstr("YYYY-MM-DD")));
}

TEST(CalendarCsvTest, UnknownKindNamesLineAndColumn) {
  const absl::Status s = LoadError("2024-01-01,holyday,a,b,c,confirmed\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), AllOf(HasSubstr("line 3, column 2 (kind)"), HasSubstr("'holyday'")));
}

TEST(CalendarCsvTest, UnknownConfidence) {
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a,b,c,sure\n")),
              HasSubstr("line 3, column 6 (confidence)"));
}

TEST(CalendarCsvTest, MissingAndExtraColumns) {
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a,b,c\n")),
              AllOf(HasSubstr("line 3, column 6 (confidence): missing"), HasSubstr("found 5")));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday\n")),
              HasSubstr("line 3, column 3 (name_vi): missing"));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a,b,c,confirmed,x\n")),
              HasSubstr("line 3, column 7: unexpected extra column"));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,,b,c,confirmed\n")),
              HasSubstr("line 3, column 3 (name_vi): empty"));
}

TEST(CalendarCsvTest, QuotingErrors) {
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,\"a,b,c,confirmed\n")),
              HasSubstr("line 3, column 3: unterminated quoted field"));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,\"a\"x,b,c,confirmed\n")),
              HasSubstr("line 3, column 3: text after the closing quote"));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a\"b,b,c,confirmed\n")),
              HasSubstr("line 3, column 3: a quote inside an unquoted field"));
}

TEST(CalendarCsvTest, KindMustFitTheWeekday) {
  // 2024-01-06 is a Saturday, 2024-01-02 a Tuesday.
  EXPECT_THAT(Msg(LoadError("2024-01-06,substitute_day_off,a,b,c,confirmed\n")),
              AllOf(HasSubstr("line 3, column 2 (kind)"), HasSubstr("Saturday")));
  EXPECT_THAT(Msg(LoadError("2024-01-02,makeup_workday,a,b,c,confirmed\n")),
              AllOf(HasSubstr("line 3, column 2 (kind)"), HasSubstr("Tuesday")));
}

TEST(CalendarCsvTest, DuplicateDate) {
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a,b,c,confirmed\n"
                            "2024-01-01,holiday,a,b,c,confirmed\n")),
              AllOf(HasSubstr("line 4, column 1 (date)"), HasSubstr("already listed on line 3")));
}

TEST(CalendarCsvTest, HeaderAndCoverageErrors) {
  EXPECT_THAT(Msg(WorkingCalendar::FromCsv("date,kind\n2024-01-01,holiday\n").status()),
              HasSubstr("line 1: expected the header"));
  EXPECT_THAT(Msg(WorkingCalendar::FromCsv("# only comments\n").status()),
              HasSubstr("missing header"));
  EXPECT_THAT(Msg(WorkingCalendar::FromCsv(kHeader).status()), HasSubstr("no rows"));
  EXPECT_THAT(Msg(LoadError("2024-01-01,holiday,a,b,c,confirmed\n"
                            "2026-01-01,holiday,a,b,c,confirmed\n")),
              HasSubstr("no rows for year 2025"));
}

}  // namespace
}  // namespace treem::core
