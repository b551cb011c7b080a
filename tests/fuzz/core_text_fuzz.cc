// Fuzz target: the text decoders of lib/core: WorkingCalendar::FromCsv (holiday calendars,
// data/calendar/), ParseDate ("YYYY-MM-DD") and ParseUuid (8-4-4-4-12).
//
// Input: byte 0 chooses the decoder (mod 3), the rest is the text.
//
// Invariants: a parsed date or uuid formats back to the text it came from (either case for
// uuids); a loaded calendar answers queries inside its years without failing.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/calendar.h"
#include "core/date.h"
#include "core/ids.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  if (size < 1) return 0;
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      absl::StatusOr<core::WorkingCalendar> cal = core::WorkingCalendar::FromCsv(text);
      if (!cal.ok()) break;
      if (cal->first_year() > cal->last_year()) break;
      const core::Date first(cal->first_year(), 1, 1);
      const core::Date last(cal->last_year(), 12, 31);
      absl::StatusOr<bool> working = cal->IsWorkingDay(first);
      if (!working.ok()) fuzz::FuzzFail("IsWorkingDay inside the calendar", working.status());
      absl::StatusOr<int> between = cal->WorkingDaysBetween(first, last);
      if (!between.ok()) fuzz::FuzzFail("WorkingDaysBetween inside the calendar", between.status());
      absl::StatusOr<core::Date> added = cal->AddWorkingDays(first, 5);
      (void)added;  // may leave the covered years (kOutOfRange)
      for (int y = cal->first_year(); y <= cal->last_year() && y < cal->first_year() + 3; ++y) {
        (void)cal->SpecialDays(y);
      }
      break;
    }
    case 1: {
      absl::StatusOr<core::Date> d = core::ParseDate(text, "date");
      if (d.ok() && core::FormatDate(*d) != text) fuzz::FuzzFail("ParseDate/FormatDate");
      break;
    }
    case 2: {
      absl::StatusOr<core::Uuid> id = core::ParseUuid(text, "id");
      if (!id.ok()) break;
      std::string lower(text);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (core::ToString(*id) != lower) fuzz::FuzzFail("ParseUuid/ToString");
      break;
    }
  }
  return 0;
}
