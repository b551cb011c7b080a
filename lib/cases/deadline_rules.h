// Legal clocks of a child-protection case (RD-5; Decree 56/2017 Arts 26-32) as data, and the
// instant arithmetic behind them.
//
// Conventions (see docs/cases.md):
// - An instant is microseconds since 1970-01-01T00:00:00Z (common.capnp Timestamp).
// - Vietnam local time is UTC+7 all year (no daylight saving).
// - Clocks counted in hours or calendar days run from the start instant.
// - A clock counted in working days ends at the end of the local day (23:59:59.999999 UTC+7)
//   of the date n working days after the local date of the start; the start day does not count.
// - A deadline is met when the step happens at or before the due instant.
#ifndef TREEM_LIB_CASES_DEADLINE_RULES_H_
#define TREEM_LIB_CASES_DEADLINE_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/calendar.h"
#include "core/date.h"
#include "treem/schema/cases.capnp.h"

namespace treem::cases {

using Micros = int64_t;  // an instant, microseconds since the epoch (UTC)

inline constexpr Micros kMicrosPerHour = int64_t{3600} * 1000000;
inline constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;
inline constexpr Micros kVietnamUtcOffset = 7 * kMicrosPerHour;

// The local (UTC+7) calendar date of an instant.
core::Date LocalDate(Micros t);
// The first instant of a local date (00:00 UTC+7).
Micros StartOfLocalDay(core::Date d);
// The last instant of a local date (23:59:59.999999 UTC+7).
Micros EndOfLocalDay(core::Date d);
// An instant from a local wall-clock time (UTC+7); for tests and callers holding local times.
Micros LocalInstant(core::Date d, int hour, int minute);

// The events that start a clock.
enum class ClockStart : uint8_t {
  kReceipt,
  kSeparation,
  kConference,
  kNeedsAssessment,
  kReplan,
  kPlanSubmitted,
  kPlanStarted,
};

enum class TermUnit : uint8_t { kHours, kDays, kWorkingDays, kPlanEnd };

// One row of data/cases/deadlines.csv.
struct DeadlineRule {
  schema::DeadlineKind kind = schema::DeadlineKind::EMERGENCY_DECISION;
  int term = 0;
  TermUnit unit = TermUnit::kHours;
  std::vector<ClockStart> starts;
  bool legal = true;
  std::string citation;
  std::string confidence;

  bool StartsOn(ClockStart e) const;
};

class DeadlineRules {
 public:
  // The rules shipped in data/cases/deadlines.csv (parsed once; aborts never: a broken embedded
  // file yields an empty table, which DeadlineRules::Load reports as an error).
  static const DeadlineRules& Default();
  // Parses the CSV format documented in data/cases/deadlines.csv.
  static absl::StatusOr<DeadlineRules> FromCsv(std::string_view csv);
  // Loads the embedded rules, reporting parse errors.
  static absl::StatusOr<DeadlineRules> Load();

  // The rule for a kind, or nullptr when the table has none (the clock is then not kept).
  const DeadlineRule* Find(schema::DeadlineKind kind) const;
  const std::vector<DeadlineRule>& rules() const { return rules_; }

  // The due instant of a clock started at `start`. `plan_end` is the plan's last end date (used
  // by kPlanEnd rules). Fails with kOutOfRange when working days fall outside the calendar.
  absl::StatusOr<Micros> DueAt(const DeadlineRule& rule, Micros start,
                               const core::WorkingCalendar& calendar,
                               core::Date plan_end = core::Date()) const;

 private:
  std::vector<DeadlineRule> rules_;
};

// Lower-camel schema names, for messages and docs ("planDraft", "inProgress").
const char* DeadlineKindName(schema::DeadlineKind k);
const char* CaseStateName(schema::CaseState s);
const char* ReferralStatusName(schema::ReferralStatus s);
const char* ServiceTypeName(schema::ServiceType s);
const char* ClosureReasonName(schema::ClosureReason r);

}  // namespace treem::cases

#endif  // TREEM_LIB_CASES_DEADLINE_RULES_H_
