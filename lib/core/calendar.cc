#include "core/calendar.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"

namespace treem::core {
using internal::Sv;
namespace {

constexpr std::string_view kEmbeddedPath = "calendar/vn-public-holidays.csv";

constexpr std::array<std::string_view, 6> kColumns = {"date",    "kind",   "name_vi",
                                                      "name_en", "source", "confidence"};
constexpr std::string_view kHeader = "date,kind,name_vi,name_en,source,confidence";
enum Column { kDateCol = 0, kKindCol, kNameViCol, kNameEnCol, kSourceCol, kConfidenceCol };

// Values quoted back in errors are calendar data, never personal data; still keep them short.
std::string Quote(std::string_view value) {
  constexpr size_t kMax = 40;
  if (value.size() <= kMax) return absl::StrCat("'", Sv(value), "'");
  return absl::StrCat("'", Sv(value.substr(0, kMax)), "...'");
}

std::string Where(int line, int column) {
  return absl::StrCat("line ", line, ", column ", column + 1, " (", Sv(kColumns[column]), ")");
}

const char* WeekdayName(Date d) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[d.day_of_week().as_number()];
}

bool IsWeekend(Date d) {
  const int wd = d.day_of_week().as_number();  // 0 = Sunday
  return wd == 0 || wd == 6;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits one CSV record (RFC 4180 quoting; records never span lines). Unquoted fields are
// trimmed of blanks; quoted fields are kept verbatim with "" read as ".
absl::Status SplitRecord(std::string_view line, int line_no, std::vector<std::string>* fields) {
  fields->clear();
  size_t pos = 0;
  while (true) {
    const int column = static_cast<int>(fields->size()) + 1;
    // Skip blanks before a possible opening quote.
    size_t start = pos;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
    if (start < line.size() && line[start] == '"') {
      std::string value;
      size_t i = start + 1;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            value.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        value.push_back(line[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ", column ", column, ": unterminated quoted field"));
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ", column ", column, ": text after the closing quote"));
      }
      fields->push_back(std::move(value));
      if (i >= line.size()) return absl::OkStatus();
      pos = i + 1;
    } else {
      const size_t comma = line.find(',', pos);
      const std::string_view raw =
          line.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (raw.find('"') != std::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ", column ", column,
                                                       ": a quote inside an unquoted field"));
      }
      fields->emplace_back(TrimBlanks(raw));
      if (comma == std::string_view::npos) return absl::OkStatus();
      pos = comma + 1;
    }
  }
}

absl::StatusOr<CalendarDay::Kind> ParseKind(std::string_view s, int line) {
  if (s == "holiday") return CalendarDay::Kind::kHoliday;
  if (s == "substitute_day_off") return CalendarDay::Kind::kSubstituteDayOff;
  if (s == "makeup_workday") return CalendarDay::Kind::kMakeUpWorkday;
  return absl::InvalidArgumentError(
      absl::StrCat(Where(line, kKindCol), ": unknown kind ", Quote(s),
                   "; expected holiday, substitute_day_off or makeup_workday"));
}

absl::StatusOr<CalendarDay::Confidence> ParseConfidence(std::string_view s, int line) {
  if (s == "confirmed") return CalendarDay::Confidence::kConfirmed;
  if (s == "computed") return CalendarDay::Confidence::kComputed;
  return absl::InvalidArgumentError(absl::StrCat(Where(line, kConfidenceCol),
                                                 ": unknown confidence ", Quote(s),
                                                 "; expected confirmed or computed"));
}

absl::StatusOr<CalendarDay> ParseRow(const std::vector<std::string>& f, int line) {
  if (f.size() < kColumns.size()) {
    return absl::InvalidArgumentError(absl::StrCat(Where(line, static_cast<int>(f.size())),
                                                   ": missing; expected ", kColumns.size(),
                                                   " columns, found ", f.size()));
  }
  if (f.size() > kColumns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", kColumns.size() + 1,
                                                   ": unexpected extra column; expected ",
                                                   kColumns.size(), " columns"));
  }
  CalendarDay day;
  TREEM_ASSIGN_OR_RETURN(day.date, ParseDate(f[kDateCol], Where(line, kDateCol)));
  TREEM_ASSIGN_OR_RETURN(day.kind, ParseKind(f[kKindCol], line));
  for (int c : {kNameViCol, kNameEnCol, kSourceCol}) {
    if (f[c].empty()) return absl::InvalidArgumentError(absl::StrCat(Where(line, c), ": empty"));
  }
  day.name_vi = f[kNameViCol];
  day.name_en = f[kNameEnCol];
  day.source = f[kSourceCol];
  TREEM_ASSIGN_OR_RETURN(day.confidence, ParseConfidence(f[kConfidenceCol], line));

  if (day.kind == CalendarDay::Kind::kSubstituteDayOff && IsWeekend(day.date)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(line, kKindCol), ": substitute_day_off on a ", WeekdayName(day.date),
                     "; a day off in lieu must be a weekday"));
  }
  if (day.kind == CalendarDay::Kind::kMakeUpWorkday && !IsWeekend(day.date)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(line, kKindCol), ": makeup_workday on a ", WeekdayName(day.date),
                     "; only a Saturday or Sunday can be made a working day"));
  }
  return day;
}

}  // namespace

absl::StatusOr<WorkingCalendar> WorkingCalendar::FromCsv(std::string_view csv) {
  // A UTF-8 byte order mark, as some spreadsheet programs write, is not part of the header.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (csv.substr(0, kBom.size()) == kBom) csv.remove_prefix(kBom.size());

  std::vector<CalendarDay> days;
  std::map<DayNumber, int> line_of;  // date -> line, to report duplicates
  bool header_seen = false;
  std::vector<std::string> fields;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= csv.size()) {
    const size_t nl = csv.find('\n', pos);
    std::string_view line =
        csv.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? csv.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimBlanks(line).empty() || line.front() == '#') continue;

    TREEM_RETURN_IF_ERROR(SplitRecord(line, line_no, &fields));
    if (!header_seen) {
      const bool ok = fields.size() == kColumns.size() &&
                      std::equal(fields.begin(), fields.end(), kColumns.begin());
      if (!ok) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": expected the header '", Sv(kHeader), "'"));
      }
      header_seen = true;
      continue;
    }
    TREEM_ASSIGN_OR_RETURN(CalendarDay day, ParseRow(fields, line_no));
    const auto [it, inserted] = line_of.emplace(ToDayNumber(day.date), line_no);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(Where(line_no, kDateCol), ": ",
                                                     FormatDate(day.date),
                                                     " is already listed on line ", it->second));
    }
    days.push_back(std::move(day));
  }
  if (!header_seen) return absl::InvalidArgumentError("calendar: missing header line");
  if (days.empty()) return absl::InvalidArgumentError("calendar: no rows");

  std::sort(days.begin(), days.end(),
            [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  WorkingCalendar cal;
  cal.first_year_ = days.front().date.year();
  cal.last_year_ = days.back().date.year();
  // Coverage is the contiguous run of years with rows: a year without any row would silently
  // become "no holidays", so refuse it.
  for (size_t i = 1; i < days.size(); ++i) {
    const int prev = days[i - 1].date.year(), cur = days[i].date.year();
    if (cur > prev + 1) {
      return absl::InvalidArgumentError(absl::StrCat("calendar: no rows for year ", prev + 1,
                                                     "; covered years must be contiguous (",
                                                     cal.first_year_, "-", cal.last_year_, ")"));
    }
  }
  cal.first_day_ = ToDayNumber(Date(cal.first_year_, 1, 1));
  const DayNumber end_day = ToDayNumber(Date(cal.last_year_, 12, 31));
  const size_t n = static_cast<size_t>(end_day - cal.first_day_ + 1);
  cal.working_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    cal.working_[i] = IsWeekend(FromDayNumber(cal.first_day_ + static_cast<DayNumber>(i))) ? 0 : 1;
  }
  for (const CalendarDay& d : days) {
    const size_t i = static_cast<size_t>(ToDayNumber(d.date) - cal.first_day_);
    cal.working_[i] = d.kind == CalendarDay::Kind::kMakeUpWorkday ? 1 : 0;
  }
  cal.cumulative_.resize(n);
  int32_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    total += cal.working_[i];
    cal.cumulative_[i] = total;
  }
  cal.days_ = std::move(days);
  return cal;
}

const WorkingCalendar& WorkingCalendar::Vietnam() {
  // Built once, never destroyed (no static destructors); immutable, so safe to share.
  static const WorkingCalendar* const kCalendar = [] {
    std::optional<std::string_view> csv = internal::EmbeddedFile(kEmbeddedPath);
    absl::StatusOr<WorkingCalendar> cal =
        csv.has_value() ? FromCsv(*csv)
                        : absl::StatusOr<WorkingCalendar>(absl::InternalError(
                              absl::StrCat(Sv(kEmbeddedPath), ": not embedded in the library")));
    if (cal.ok()) return new WorkingCalendar(*std::move(cal));
    auto* broken = new WorkingCalendar();
    broken->load_error_ = absl::Status(cal.status().code() == absl::StatusCode::kInvalidArgument
                                           ? absl::StatusCode::kDataLoss
                                           : cal.status().code(),
                                       absl::StrCat("embedded holiday calendar ", Sv(kEmbeddedPath),
                                                    ": ", cal.status().message()));
    return broken;
  }();
  return *kCalendar;
}

int WorkingCalendar::first_year() const { return first_year_; }
int WorkingCalendar::last_year() const { return last_year_; }

absl::StatusOr<int32_t> WorkingCalendar::IndexOf(Date d, std::string_view field) const {
  if (!load_error_.ok()) return load_error_;
  if (d.is_special()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": not a calendar date"));
  }
  const int64_t i = static_cast<int64_t>(ToDayNumber(d)) - first_day_;
  if (i < 0 || i >= static_cast<int64_t>(working_.size())) {
    return absl::OutOfRangeError(absl::StrCat(Sv(field), ": ", FormatDate(d),
                                              " is outside the years the calendar covers (",
                                              first_year_, "-", last_year_, ")"));
  }
  return static_cast<int32_t>(i);
}

absl::StatusOr<bool> WorkingCalendar::IsWorkingDay(Date d) const {
  TREEM_ASSIGN_OR_RETURN(const int32_t i, IndexOf(d, "date"));
  return working_[i] != 0;
}

absl::StatusOr<Date> WorkingCalendar::AddWorkingDays(Date start, int n) const {
  TREEM_ASSIGN_OR_RETURN(const int32_t i, IndexOf(start, "start"));
  if (n < 0) {
    return absl::InvalidArgumentError(absl::StrCat("workingDays: ", n, " is negative"));
  }
  if (n == 0) return start;
  const int64_t target = static_cast<int64_t>(cumulative_[i]) + n;
  if (target > cumulative_.back()) {
    return absl::OutOfRangeError(absl::StrCat("start: ", n, " working days after ",
                                              FormatDate(start), " fall after ", last_year_,
                                              ", the last year the calendar covers"));
  }
  // The first day whose running count reaches the target is the n-th working day after start.
  const auto it = std::lower_bound(cumulative_.begin() + i, cumulative_.end(), target);
  return FromDayNumber(first_day_ + static_cast<DayNumber>(it - cumulative_.begin()));
}

absl::StatusOr<int> WorkingCalendar::WorkingDaysBetween(Date from, Date to) const {
  TREEM_ASSIGN_OR_RETURN(const int32_t f, IndexOf(from, "from"));
  TREEM_ASSIGN_OR_RETURN(const int32_t t, IndexOf(to, "to"));
  return cumulative_[t] - cumulative_[f];
}

std::vector<CalendarDay> WorkingCalendar::SpecialDays(int year) const {
  const auto lo = std::lower_bound(days_.begin(), days_.end(), year,
                                   [](const CalendarDay& d, int y) { return d.date.year() < y; });
  const auto hi = std::upper_bound(lo, days_.end(), year,
                                   [](int y, const CalendarDay& d) { return y < d.date.year(); });
  return std::vector<CalendarDay>(lo, hi);
}

}  // namespace treem::core
