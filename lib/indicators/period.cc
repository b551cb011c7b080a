#include "indicators/period.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "internal/status_macros.h"
#include "rules/classify.h"

namespace treem::indicators {
namespace {

using internal::Sv;

core::Date LastDayOfMonth(int y, int m) {
  return core::Date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), 1)
      .end_of_month();
}

absl::Status CheckYear(int year) {
  if (year < 1900 || year > 9999) {
    return absl::InvalidArgumentError(absl::StrCat("year: ", year, " is out of range 1900..9999"));
  }
  return absl::OkStatus();
}

}  // namespace

Period Period::Year(int year) {
  Period p;
  p.kind = schema::PeriodKind::YEAR;
  p.year = year;
  p.start = core::Date(static_cast<unsigned short>(year), 1, 1);
  p.end = core::Date(static_cast<unsigned short>(year), 12, 31);
  return p;
}

absl::StatusOr<Period> Period::Half(int year, int half) {
  TREEM_RETURN_IF_ERROR(CheckYear(year));
  if (half < 1 || half > 2) {
    return absl::InvalidArgumentError(absl::StrCat("index: half ", half, " is not 1 or 2"));
  }
  Period p;
  p.kind = schema::PeriodKind::HALF;
  p.year = year;
  p.index = half;
  p.start = core::Date(static_cast<unsigned short>(year), half == 1 ? 1 : 7, 1);
  p.end = LastDayOfMonth(year, half == 1 ? 6 : 12);
  return p;
}

absl::StatusOr<Period> Period::Quarter(int year, int quarter) {
  TREEM_RETURN_IF_ERROR(CheckYear(year));
  if (quarter < 1 || quarter > 4) {
    return absl::InvalidArgumentError(absl::StrCat("index: quarter ", quarter, " is not 1..4"));
  }
  Period p;
  p.kind = schema::PeriodKind::QUARTER;
  p.year = year;
  p.index = quarter;
  p.start = core::Date(static_cast<unsigned short>(year),
                       static_cast<unsigned short>(quarter * 3 - 2), 1);
  p.end = LastDayOfMonth(year, quarter * 3);
  return p;
}

absl::StatusOr<Period> Period::Month(int year, int month) {
  TREEM_RETURN_IF_ERROR(CheckYear(year));
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(absl::StrCat("index: month ", month, " is not 1..12"));
  }
  Period p;
  p.kind = schema::PeriodKind::MONTH;
  p.year = year;
  p.index = month;
  p.start = core::Date(static_cast<unsigned short>(year), static_cast<unsigned short>(month), 1);
  p.end = LastDayOfMonth(year, month);
  return p;
}

absl::StatusOr<Period> Period::Custom(core::Date start, core::Date end) {
  if (start.is_special() || end.is_special()) {
    return absl::InvalidArgumentError("start, end: both are required for a custom period");
  }
  if (end < start) return absl::InvalidArgumentError("end: before start");
  Period p;
  p.kind = schema::PeriodKind::CUSTOM;
  p.year = start.year();
  p.start = start;
  p.end = end;
  return p;
}

std::string Period::Label() const {
  switch (kind) {
    case schema::PeriodKind::YEAR:
      return absl::StrCat(year);
    case schema::PeriodKind::HALF:
      return absl::StrCat(year, "-H", index);
    case schema::PeriodKind::QUARTER:
      return absl::StrCat(year, "-Q", index);
    case schema::PeriodKind::MONTH:
      return absl::StrFormat("%d-%02d", year, index);
    default:
      return absl::StrCat(core::FormatDate(start), "..", core::FormatDate(end));
  }
}

absl::StatusOr<Period> ParsePeriod(std::string_view label) {
  const auto dots = label.find("..");
  if (dots != std::string_view::npos) {
    TREEM_ASSIGN_OR_RETURN(core::Date s, core::ParseDate(label.substr(0, dots), "period start"));
    TREEM_ASSIGN_OR_RETURN(core::Date e, core::ParseDate(label.substr(dots + 2), "period end"));
    return Period::Custom(s, e);
  }
  int year = 0;
  if (label.size() < 4 || !absl::SimpleAtoi(Sv(label.substr(0, 4)), &year)) {
    return absl::InvalidArgumentError("period: expected YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM or a..b");
  }
  TREEM_RETURN_IF_ERROR(CheckYear(year));
  const std::string_view rest = label.substr(4);
  if (rest.empty()) return Period::Year(year);
  int n = 0;
  if (rest.size() >= 3 && rest[0] == '-' && absl::SimpleAtoi(Sv(rest.substr(2)), &n)) {
    if (rest[1] == 'H') return Period::Half(year, n);
    if (rest[1] == 'Q') return Period::Quarter(year, n);
  }
  if (rest.size() == 3 && rest[0] == '-' && absl::SimpleAtoi(Sv(rest.substr(1)), &n)) {
    return Period::Month(year, n);
  }
  return absl::InvalidArgumentError("period: expected YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM or a..b");
}

absl::StatusOr<Period> FromSchema(schema::Period::Reader in, std::string_view field) {
  auto prefix = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat(Sv(field), ".", s.message()));
  };
  const bool has_start = in.hasStart() && in.getStart().getYear() != 0;
  const bool has_end = in.hasEnd() && in.getEnd().getYear() != 0;
  core::Date start, end;
  if (has_start) {
    auto d = rules::FromSchemaDate(in.getStart(), "start");
    if (!d.ok()) return prefix(d.status());
    start = *d;
  }
  if (has_end) {
    auto d = rules::FromSchemaDate(in.getEnd(), "end");
    if (!d.ok()) return prefix(d.status());
    end = *d;
  }
  absl::StatusOr<Period> p = absl::InvalidArgumentError("kind: not set");
  switch (in.getKind()) {
    case schema::PeriodKind::YEAR: {
      auto s = CheckYear(in.getYear());
      if (!s.ok()) return prefix(s);
      p = Period::Year(in.getYear());
      break;
    }
    case schema::PeriodKind::HALF:
      p = Period::Half(in.getYear(), in.getIndex());
      break;
    case schema::PeriodKind::QUARTER:
      p = Period::Quarter(in.getYear(), in.getIndex());
      break;
    case schema::PeriodKind::MONTH:
      p = Period::Month(in.getYear(), in.getIndex());
      break;
    case schema::PeriodKind::CUSTOM:
      if (!has_start || !has_end)
        p = absl::InvalidArgumentError("start, end: both are required for a custom period");
      else
        p = Period::Custom(start, end);
      break;
    default:
      break;
  }
  if (!p.ok()) return prefix(p.status());
  if (in.getKind() != schema::PeriodKind::CUSTOM) {
    if ((has_start && start != p->start) || (has_end && end != p->end)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(field), ": start/end disagree with kind, year and index"));
    }
  }
  return p;
}

void ToSchema(const Period& p, schema::Period::Builder out) {
  out.setKind(p.kind);
  out.setYear(static_cast<int16_t>(p.year));
  out.setIndex(static_cast<uint8_t>(p.index));
  rules::ToSchemaDate(p.start, out.initStart());
  rules::ToSchemaDate(p.end, out.initEnd());
}

}  // namespace treem::indicators
