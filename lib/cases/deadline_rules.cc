#include "cases/deadline_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "capnp/schema.h"
#include "cases/simple_csv.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"

namespace treem::cases {
namespace {

using internal::Sv;

template <typename E>
const char* EnumName(E v) {
  // Enumerant names of the compiled schema: no hand-kept mapping to drift.
  auto enumerants = capnp::Schema::from<E>().getEnumerants();
  const auto i = static_cast<uint16_t>(v);
  if (i >= enumerants.size()) return "unknown";
  return enumerants[i].getProto().getName().cStr();
}

template <typename E>
std::optional<E> EnumFromName(absl::string_view name) {
  auto enumerants = capnp::Schema::from<E>().getEnumerants();
  for (auto e : enumerants) {
    if (name == absl::string_view(e.getProto().getName().cStr())) {
      return static_cast<E>(e.getOrdinal());
    }
  }
  return std::nullopt;
}

std::optional<ClockStart> ClockStartFromName(absl::string_view s) {
  if (s == "receipt") return ClockStart::kReceipt;
  if (s == "separation") return ClockStart::kSeparation;
  if (s == "conference") return ClockStart::kConference;
  if (s == "needsAssessment") return ClockStart::kNeedsAssessment;
  if (s == "replan") return ClockStart::kReplan;
  if (s == "planSubmitted") return ClockStart::kPlanSubmitted;
  if (s == "planStarted") return ClockStart::kPlanStarted;
  return std::nullopt;
}

std::optional<TermUnit> TermUnitFromName(absl::string_view s) {
  if (s == "hours") return TermUnit::kHours;
  if (s == "days") return TermUnit::kDays;
  if (s == "workingDays") return TermUnit::kWorkingDays;
  if (s == "planEnd") return TermUnit::kPlanEnd;
  return std::nullopt;
}

// Floor division for instants before the epoch.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

core::Date LocalDate(Micros t) {
  return core::FromDayNumber(
      static_cast<core::DayNumber>(FloorDiv(t + kVietnamUtcOffset, kMicrosPerDay)));
}

Micros StartOfLocalDay(core::Date d) {
  return static_cast<Micros>(core::ToDayNumber(d)) * kMicrosPerDay - kVietnamUtcOffset;
}

Micros EndOfLocalDay(core::Date d) { return StartOfLocalDay(d) + kMicrosPerDay - 1; }

Micros LocalInstant(core::Date d, int hour, int minute) {
  return StartOfLocalDay(d) + hour * kMicrosPerHour + int64_t{minute} * 60 * 1000000;
}

bool DeadlineRule::StartsOn(ClockStart e) const {
  for (ClockStart s : starts) {
    if (s == e) return true;
  }
  return false;
}

absl::StatusOr<DeadlineRules> DeadlineRules::FromCsv(std::string_view csv) {
  DeadlineRules out;
  TREEM_RETURN_IF_ERROR(ForEachSimpleCsvRow(
      csv, "deadlines", 7,
      [&](const std::string& where, const std::vector<absl::string_view>& f,
          int /*line_no*/) -> absl::Status {
        DeadlineRule r;
        auto kind = EnumFromName<schema::DeadlineKind>(f[0]);
        if (!kind || *kind == schema::DeadlineKind::REFERRAL_DUE) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": kind '", f[0], "' is not a case clock"));
        }
        r.kind = *kind;
        if (!absl::SimpleAtoi(f[1], &r.term) || r.term < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": term '", f[1], "' is not a non-negative integer"));
        }
        auto unit = TermUnitFromName(f[2]);
        if (!unit) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": unit '", f[2], "' is unknown"));
        }
        r.unit = *unit;
        if (r.unit == TermUnit::kPlanEnd && r.term != 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": term must be 0 for unit planEnd"));
        }
        for (absl::string_view s : absl::StrSplit(f[3], '|')) {
          auto start = ClockStartFromName(absl::StripAsciiWhitespace(s));
          if (!start) {
            return absl::InvalidArgumentError(absl::StrCat(where, ": start '", s, "' is unknown"));
          }
          r.starts.push_back(*start);
        }
        if (f[4] == "true") {
          r.legal = true;
        } else if (f[4] == "false") {
          r.legal = false;
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": legal '", f[4], "' is not true or false"));
        }
        r.citation = std::string(f[5]);
        if (f[6] != "confirmed" && f[6] != "secondary" && f[6] != "unconfirmed") {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": confidence '", f[6], "' is unknown"));
        }
        r.confidence = std::string(f[6]);
        if (out.Find(r.kind) != nullptr) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": kind '", f[0], "' repeated"));
        }
        out.rules_.push_back(std::move(r));
        return absl::OkStatus();
      }));
  if (out.rules_.empty()) return absl::InvalidArgumentError("deadlines: no rules");
  return out;
}

absl::StatusOr<DeadlineRules> DeadlineRules::Load() {
  auto bytes = internal::EmbeddedFile("cases/deadlines.csv");
  if (!bytes) return absl::DataLossError("deadlines: cases/deadlines.csv is not embedded");
  auto r = FromCsv(*bytes);
  if (!r.ok()) return internal::Annotate(r.status(), "cases/deadlines.csv");
  return r;
}

const DeadlineRules& DeadlineRules::Default() {
  static const DeadlineRules* const rules = [] {
    auto r = Load();
    return r.ok() ? new DeadlineRules(*std::move(r)) : new DeadlineRules();
  }();
  return *rules;
}

const DeadlineRule* DeadlineRules::Find(schema::DeadlineKind kind) const {
  for (const auto& r : rules_) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

absl::StatusOr<Micros> DeadlineRules::DueAt(const DeadlineRule& rule, Micros start,
                                            const core::WorkingCalendar& calendar,
                                            core::Date plan_end) const {
  switch (rule.unit) {
    case TermUnit::kHours:
      return start + rule.term * kMicrosPerHour;
    case TermUnit::kDays:
      return start + rule.term * kMicrosPerDay;
    case TermUnit::kWorkingDays: {
      auto due = calendar.AddWorkingDays(LocalDate(start), rule.term);
      if (!due.ok()) {
        return internal::Annotate(due.status(),
                                  absl::StrCat(DeadlineKindName(rule.kind), " deadline"));
      }
      return EndOfLocalDay(*due);
    }
    case TermUnit::kPlanEnd:
      if (plan_end.is_special()) {
        return absl::InvalidArgumentError(
            absl::StrCat(DeadlineKindName(rule.kind), " deadline: the plan has no end date"));
      }
      return EndOfLocalDay(plan_end);
  }
  return absl::InternalError("deadline unit");
}

const char* DeadlineKindName(schema::DeadlineKind k) { return EnumName(k); }
const char* CaseStateName(schema::CaseState s) { return EnumName(s); }
const char* ReferralStatusName(schema::ReferralStatus s) { return EnumName(s); }
const char* ServiceTypeName(schema::ServiceType s) { return EnumName(s); }
const char* ClosureReasonName(schema::ClosureReason r) { return EnumName(r); }

}  // namespace treem::cases
