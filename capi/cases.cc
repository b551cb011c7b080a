// extern "C" definitions of treem/c/cases.h.
#include "treem/c/cases.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/schema_out.h"
#include "capnp/message.h"
#include "cases/case_book.h"
#include "cases/case_opening.h"
#include "cases/deadline_rules.h"
#include "core/calendar.h"
#include "core/ids.h"
#include "internal/status_macros.h"
#include "treem/schema/cases.capnp.h"

struct treem_casebook {
  treem_casebook(treem::cases::DeadlineRules r, treem::cases::OpeningPolicy p)
      : rules(std::move(r)),
        policy(std::move(p)),
        book(treem::core::WorkingCalendar::Vietnam(), rules) {}

  treem::cases::DeadlineRules rules;  // referenced by `book`: declared before it
  treem::cases::OpeningPolicy policy;
  treem::cases::CaseBook book;
};

namespace treem::capi {
namespace {

using cases::CommandContext;
using cases::Id;
using internal::Sv;

absl::StatusOr<Id> IdArg(const char* text, std::string_view name) {
  if (text == nullptr) return Misuse(absl::StrCat(Sv(name), ": null id"));
  return core::ParseUuid(text, name);
}

absl::StatusOr<CommandContext> ContextArg(int64_t at, const char* user_id, int32_t role,
                                          const char* unit_code) {
  if (user_id == nullptr) return Misuse("actor_user_id: null");
  if (unit_code == nullptr) return Misuse("actor_unit_code: null");
  if (role < TREEM_ROLE_UNKNOWN || role > TREEM_ROLE_SYSTEM) {
    return Misuse(absl::StrCat("actor_role: unknown role ", role));
  }
  CommandContext ctx;
  ctx.at = at;
  ctx.actor.user_id = user_id;
  ctx.actor.role = static_cast<schema::Role>(role);
  ctx.actor.unit_code = unit_code;
  return ctx;
}

// The shipped calendar reports a failed load on every query; surface it at creation.
absl::Status CheckCalendar(const core::WorkingCalendar& cal) {
  if (cal.first_year() <= cal.last_year()) return absl::OkStatus();
  absl::Status s = cal.IsWorkingDay(core::Date(2025, 1, 1)).status();
  if (!s.ok()) return s;
  return absl::DataLossError("embedded holiday calendar: no years loaded");
}

absl::StatusOr<cases::CaseTriggerInput> TriggerFrom(schema::CaseTrigger::Reader t) {
  const auto outcome = static_cast<uint16_t>(t.getOutcome());
  if (outcome > static_cast<uint16_t>(schema::TriggerOutcome::WORST_FORM)) {
    return absl::InvalidArgumentError(
        absl::StrCat("trigger.outcome: ", outcome, " is not a known outcome"));
  }
  const auto risk = static_cast<uint16_t>(t.getRisk());
  if (risk > static_cast<uint16_t>(schema::ScreenRisk::HIGH)) {
    return absl::InvalidArgumentError(
        absl::StrCat("trigger.risk: ", risk, " is not a known risk level"));
  }
  cases::CaseTriggerInput in;
  in.child_id = cases::IdFrom(t.getChildId());
  in.outcome = t.getOutcome();
  in.risk = t.getRisk();
  in.at = t.getAt().getMicros();
  in.unit_code = std::string(t.getUnitCode().cStr(), t.getUnitCode().size());
  return in;
}

treem_opening_mode ModeValue(cases::OpeningMode m) {
  switch (m) {
    case cases::OpeningMode::kNone:
      return TREEM_OPENING_NONE;
    case cases::OpeningMode::kSuggested:
      return TREEM_OPENING_SUGGESTED;
    case cases::OpeningMode::kAutomatic:
      return TREEM_OPENING_AUTOMATIC;
  }
  return TREEM_OPENING_NONE;
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;
namespace schema = treem::schema;

extern "C" {

treem_status treem_casebook_new(treem_casebook** out) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_casebook_new: out is null");
    *out = nullptr;
    TREEM_RETURN_IF_ERROR(treem::capi::CheckCalendar(treem::core::WorkingCalendar::Vietnam()));
    TREEM_ASSIGN_OR_RETURN(auto rules, treem::cases::DeadlineRules::Load());
    TREEM_ASSIGN_OR_RETURN(auto policy, treem::cases::OpeningPolicy::Default());
    *out = new treem_casebook(std::move(rules), std::move(policy));
    return absl::OkStatus();
  });
}

void treem_casebook_free(treem_casebook* book) { delete book; }

treem_status treem_casebook_apply(treem_casebook* book, const uint8_t* command, size_t len,
                                  treem_format fmt, int64_t at_micros, const char* actor_user_id,
                                  int32_t actor_role, const char* actor_unit_code) {
  return Guard([&]() -> absl::Status {
    if (book == nullptr) return Misuse("treem_casebook_apply: book is null");
    TREEM_ASSIGN_OR_RETURN(
        auto ctx, treem::capi::ContextArg(at_micros, actor_user_id, actor_role, actor_unit_code));
    capnp::MallocMessageBuilder in;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::CaseCommand>(command, len, fmt, in, "command"));
    return book->book.Apply(in.getRoot<schema::CaseCommand>().asReader(), ctx);
  });
}

treem_status treem_casebook_put_provider(treem_casebook* book, const uint8_t* provider, size_t len,
                                         treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (book == nullptr) return Misuse("treem_casebook_put_provider: book is null");
    capnp::MallocMessageBuilder in;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::ServiceProvider>(provider, len, fmt, in, "provider"));
    return book->book.providers().Put(in.getRoot<schema::ServiceProvider>().asReader());
  });
}

treem_status treem_casebook_open_from_trigger(treem_opening_mode* mode_out, int* opened_out,
                                              treem_casebook* book, const uint8_t* trigger,
                                              size_t len, treem_format fmt, const char* case_id,
                                              int confirm_suggestion, int64_t at_micros,
                                              const char* actor_user_id, int32_t actor_role,
                                              const char* actor_unit_code) {
  return Guard([&]() -> absl::Status {
    if (mode_out == nullptr || opened_out == nullptr || book == nullptr) {
      return Misuse("treem_casebook_open_from_trigger: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(
        auto ctx, treem::capi::ContextArg(at_micros, actor_user_id, actor_role, actor_unit_code));
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(case_id, "case_id"));
    capnp::MallocMessageBuilder in;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::CaseTrigger>(trigger, len, fmt, in, "trigger"));
    TREEM_ASSIGN_OR_RETURN(auto input,
                           treem::capi::TriggerFrom(in.getRoot<schema::CaseTrigger>().asReader()));
    TREEM_ASSIGN_OR_RETURN(auto result,
                           treem::cases::OpenFromTrigger(book->book, book->policy, input, id,
                                                         confirm_suggestion != 0, ctx));
    *mode_out = treem::capi::ModeValue(result.decision.mode);
    *opened_out = result.opened ? 1 : 0;
    return absl::OkStatus();
  });
}

treem_status treem_casebook_due(treem_buf* out, const treem_casebook* book, const uint8_t* query,
                                size_t len, treem_format in_fmt, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || book == nullptr) return Misuse("treem_casebook_due: null argument");
    treem_buf_dispose(out);  // an out-parameter is disposed first, so it is empty on error
    TREEM_RETURN_IF_ERROR(treem::capi::ToFormat(in_fmt, "in_fmt").status());
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(out_fmt, "out_fmt"));
    capnp::MallocMessageBuilder in;
    TREEM_RETURN_IF_ERROR(
        treem::capi::ReadMessage<schema::DeadlineQuery>(query, len, in_fmt, in, "query"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::DeadlineReport>();
    TREEM_RETURN_IF_ERROR(
        book->book.QueryDeadlines(in.getRoot<schema::DeadlineQuery>().asReader(), root));
    return treem::capi::WriteMessage<schema::DeadlineReport>(out, root.asReader(), format);
  });
}

treem_status treem_casebook_get_case(treem_buf* out, const treem_casebook* book,
                                     const char* case_id, int64_t at_micros, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || book == nullptr) {
      return Misuse("treem_casebook_get_case: null argument");
    }
    treem_buf_dispose(out);  // an out-parameter is disposed first, so it is empty on error
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(case_id, "case_id"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::Case>();
    TREEM_RETURN_IF_ERROR(book->book.WriteCase(id, at_micros, root));
    return treem::capi::WriteMessage<schema::Case>(out, root.asReader(), format);
  });
}

treem_status treem_casebook_get_referral(treem_buf* out, const treem_casebook* book,
                                         const char* referral_id, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || book == nullptr) {
      return Misuse("treem_casebook_get_referral: null argument");
    }
    treem_buf_dispose(out);  // an out-parameter is disposed first, so it is empty on error
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(referral_id, "referral_id"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::Referral>();
    TREEM_RETURN_IF_ERROR(book->book.WriteReferral(id, root));
    return treem::capi::WriteMessage<schema::Referral>(out, root.asReader(), format);
  });
}

treem_status treem_casebook_supported_in_time(int* out, const treem_casebook* book,
                                              const char* case_id, int64_t at_micros) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || book == nullptr) {
      return Misuse("treem_casebook_supported_in_time: null argument");
    }
    TREEM_ASSIGN_OR_RETURN(auto id, treem::capi::IdArg(case_id, "case_id"));
    TREEM_ASSIGN_OR_RETURN(bool in_time, book->book.SupportedInTime(id, at_micros));
    *out = in_time ? 1 : 0;
    return absl::OkStatus();
  });
}

}  // extern "C"
