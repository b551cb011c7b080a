#include "cases/case_opening.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "capnp/message.h"
#include "capnp/schema.h"
#include "cases/simple_csv.h"
#include "internal/embedded.h"
#include "internal/status_macros.h"

namespace treem::cases {
namespace {

using internal::Sv;

template <typename E>
std::optional<E> FromName(absl::string_view name) {
  for (auto e : capnp::Schema::from<E>().getEnumerants()) {
    if (name == absl::string_view(e.getProto().getName().cStr())) {
      return static_cast<E>(e.getOrdinal());
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<OpeningPolicy> OpeningPolicy::Default() {
  auto bytes = internal::EmbeddedFile("cases/opening_policy.csv");
  if (!bytes) return absl::DataLossError("cases/opening_policy.csv is not embedded");
  auto p = FromCsv(*bytes);
  if (!p.ok()) return internal::Annotate(p.status(), "cases/opening_policy.csv");
  return p;
}

absl::StatusOr<OpeningPolicy> OpeningPolicy::FromCsv(std::string_view csv) {
  OpeningPolicy out;
  TREEM_RETURN_IF_ERROR(ForEachSimpleCsvRow(
      csv, "opening policy", 5,
      [&](const std::string& where, const std::vector<absl::string_view>& f,
          int line_no) -> absl::Status {
        Row r;
        r.decision.rule_line = line_no;
        if (f[0] == "*") {
          r.any_outcome = true;
        } else if (auto o = FromName<schema::TriggerOutcome>(f[0])) {
          r.outcome = *o;
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": outcome '", f[0], "' is unknown"));
        }
        if (f[1] == "*") {
          r.any_risk = true;
        } else if (auto k = FromName<schema::ScreenRisk>(f[1])) {
          r.risk = *k;
        } else {
          return absl::InvalidArgumentError(absl::StrCat(where, ": risk '", f[1], "' is unknown"));
        }
        if (f[2] == "automatic") {
          r.decision.mode = OpeningMode::kAutomatic;
        } else if (f[2] == "suggested") {
          r.decision.mode = OpeningMode::kSuggested;
        } else if (f[2] == "none") {
          r.decision.mode = OpeningMode::kNone;
        } else {
          return absl::InvalidArgumentError(absl::StrCat(where, ": mode '", f[2], "' is unknown"));
        }
        auto level = FromName<schema::ProtectionLevel>(f[3]);
        if (!level) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": level '", f[3], "' is unknown"));
        }
        r.decision.level = *level;
        auto kind = FromName<schema::CaseKind>(f[4]);
        if (!kind) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": kind '", f[4], "' is unknown"));
        }
        r.decision.kind = *kind;
        out.rows_.push_back(r);
        return absl::OkStatus();
      }));
  if (out.rows_.empty()) return absl::InvalidArgumentError("opening policy: no rows");
  return out;
}

OpeningDecision OpeningPolicy::Decide(schema::TriggerOutcome outcome,
                                      schema::ScreenRisk risk) const {
  for (const Row& r : rows_) {
    if ((r.any_outcome || r.outcome == outcome) && (r.any_risk || r.risk == risk)) {
      return r.decision;
    }
  }
  return OpeningDecision{};
}

void BuildOpenFromTrigger(const CaseTriggerInput& t, const OpeningDecision& d, const Id& case_id,
                          schema::CaseCommand::Builder out) {
  SetId(out.initCaseId(), case_id);
  out.setReason(d.mode == OpeningMode::kAutomatic ? "opened automatically by policy"
                                                  : "opened on a confirmed suggestion");
  auto o = out.initBody().initOpenCase();
  SetId(o.initCaseId(), case_id);
  SetId(o.initChildId(), t.child_id);
  o.setUnitCode(t.unit_code);
  o.setKind(d.kind);
  o.setLevel(d.level);
  auto n = o.initNotification();
  n.setSource(schema::NotificationSource::SCREENING);
  n.initReceivedAt().setMicros(t.at);
  auto tr = o.initTrigger();
  SetId(tr.initChildId(), t.child_id);
  tr.setOutcome(t.outcome);
  tr.setRisk(t.risk);
  tr.initAt().setMicros(t.at);
  tr.setUnitCode(t.unit_code);
}

absl::StatusOr<OpeningResult> OpenFromTrigger(CaseBook& book, const OpeningPolicy& policy,
                                              const CaseTriggerInput& t, const Id& case_id,
                                              bool confirm_suggestion, const CommandContext& ctx) {
  if (IsZero(t.child_id)) return absl::InvalidArgumentError("trigger.childId: zero");
  OpeningResult result;
  result.decision = policy.Decide(t.outcome, t.risk);
  const bool open = result.decision.mode == OpeningMode::kAutomatic ||
                    (result.decision.mode == OpeningMode::kSuggested && confirm_suggestion);
  if (!open) return result;
  capnp::MallocMessageBuilder mb;
  auto cmd = mb.initRoot<schema::CaseCommand>();
  BuildOpenFromTrigger(t, result.decision, case_id, cmd);
  TREEM_RETURN_IF_ERROR(book.Apply(cmd.asReader(), ctx));
  result.opened = true;
  return result;
}

}  // namespace treem::cases
