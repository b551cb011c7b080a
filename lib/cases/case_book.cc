#include "cases/case_book.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "capnp/message.h"
#include "internal/status_macros.h"

namespace treem::cases {
namespace {

using internal::Sv;
using schema::CaseState;
using schema::DeadlineKind;
using schema::DeadlineStatus;

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

template <typename T>
typename T::Reader Thaw(const Frozen& f) {
  return capnp::readMessageUnchecked<T>(f.begin());
}

// Copies `r`, lets `edit` stamp it (instant, actor, version), and keeps the canonical bytes.
template <typename T, typename Fn>
Frozen FreezeWith(typename T::Reader r, Fn&& edit) {
  capnp::MallocMessageBuilder mb(128);
  mb.setRoot(r);
  auto b = mb.getRoot<T>();
  edit(b);
  return capnp::canonicalize(b.asReader());
}

template <typename T>
Frozen Freeze(typename T::Reader r) {
  return FreezeWith<T>(r, [](typename T::Builder) {});
}

std::string StateList(const std::vector<CaseState>& states) {
  if (states.empty()) return "none (the case is closed)";
  std::vector<std::string> names;
  for (auto s : states) names.push_back(absl::StrCat("'", CaseStateName(s), "'"));
  return absl::StrJoin(names, ", ");
}

absl::Status CheckTransition(const CaseFile& c, CaseState to, const char* command) {
  const auto allowed = AllowedTransitions(c.state);
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(command, ": cannot move the case to '", CaseStateName(to), "' from state '",
                   CaseStateName(c.state), "'; allowed from here: ", StateList(allowed)));
}

absl::Status RequireRole(const CommandContext& ctx, const char* command, const char* citation,
                         bool province_ok = false) {
  if (ctx.actor.role == schema::Role::COMMUNE_CHAIR) return absl::OkStatus();
  if (province_ok && ctx.actor.role == schema::Role::PROVINCE_OFFICER) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(command, ": actor.role must be communeChair",
                                                  province_ok ? " or provinceOfficer" : "", " (",
                                                  citation, ")"));
}

void Transition(CaseFile& c, CaseState to, const CommandContext& ctx, std::string reason) {
  c.history.push_back({c.state, to, ctx.at, ctx.actor, std::move(reason)});
  c.state = to;
}

// Ends a clock: met (or metLate) when `meet`, else cancelled (or missed when past due).
void EndClock(DeadlineEntry& d, Micros at, bool meet) {
  const bool in_time = at <= d.due_at;
  if (meet) {
    d.status = in_time ? DeadlineStatus::MET : DeadlineStatus::MET_LATE;
  } else {
    d.status = in_time ? DeadlineStatus::CANCELLED : DeadlineStatus::MISSED;
  }
  d.closed_at = at;
}

// Meets the open clock of `kind`, if any.
void MeetClock(CaseFile& c, DeadlineKind kind, Micros at) {
  for (auto it = c.deadlines.rbegin(); it != c.deadlines.rend(); ++it) {
    if (it->kind == kind && it->open()) {
      EndClock(*it, at, /*meet=*/true);
      return;
    }
  }
}

void CancelClocks(CaseFile& c, std::initializer_list<DeadlineKind> kinds, Micros at) {
  for (auto& d : c.deadlines) {
    if (!d.open()) continue;
    if (kinds.size() == 0 || std::find(kinds.begin(), kinds.end(), d.kind) != kinds.end()) {
      EndClock(d, at, /*meet=*/false);
    }
  }
}

// Adds clocks, cancelling an open clock of the same kind first (a restarted step).
void AddClocks(CaseFile& c, std::vector<DeadlineEntry> clocks, Micros at) {
  for (auto& n : clocks) {
    for (auto& d : c.deadlines) {
      if (d.kind == n.kind && d.open()) EndClock(d, at, /*meet=*/false);
    }
    c.deadlines.push_back(std::move(n));
  }
}

bool DateUnset(schema::Date::Reader d) {
  return d.getYear() == 0 && d.getMonth() == 0 && d.getDay() == 0;
}

}  // namespace

uint32_t CaseFile::CleanFollowUps() const {
  uint32_t n = 0;
  for (auto it = follow_up_facts.rbegin(); it != follow_up_facts.rend(); ++it) {
    if (!it->out_of_child_labour) break;
    ++n;
  }
  return n;
}

bool CaseFile::FollowsClmrs() const {
  return kind == schema::CaseKind::CHILD_LABOUR || kind == schema::CaseKind::TRAFFICKING;
}

std::vector<CaseState> AllowedTransitions(CaseState from) {
  using S = CaseState;
  switch (from) {
    case S::REPORTED:
      return {S::FORWARDED, S::INITIAL_ASSESSED, S::COURT_REFERRAL};
    case S::FORWARDED:
      return {S::INITIAL_ASSESSED, S::COURT_REFERRAL};
    case S::INITIAL_ASSESSED:
      return {S::EMERGENCY, S::NEEDS_ASSESSED, S::CLOSED, S::COURT_REFERRAL};
    case S::EMERGENCY:
      return {S::SEPARATED, S::NEEDS_ASSESSED, S::COURT_REFERRAL};
    case S::SEPARATED:
      return {S::NEEDS_ASSESSED, S::COURT_REFERRAL};
    case S::NEEDS_ASSESSED:
      return {S::CONFERENCE_HELD, S::COURT_REFERRAL};
    case S::CONFERENCE_HELD:
      return {S::PLAN_DRAFTED, S::COURT_REFERRAL};
    case S::PLAN_DRAFTED:
      return {S::PLAN_APPROVED, S::COURT_REFERRAL};
    case S::PLAN_APPROVED:
      return {S::IN_PROGRESS, S::COURT_REFERRAL};
    case S::IN_PROGRESS:
      return {S::REVIEWED, S::COURT_REFERRAL};
    case S::REVIEWED:
      return {S::CLOSED, S::REPLAN, S::COURT_REFERRAL};
    case S::REPLAN:
      return {S::PLAN_DRAFTED, S::COURT_REFERRAL};
    case S::COURT_REFERRAL:
      return {S::NEEDS_ASSESSED, S::REPLAN, S::CLOSED};
    case S::CLOSED:
      return {};
  }
  return {};
}

bool SupportedInTime(const CaseFile& c, Micros at) {
  for (const auto& d : c.deadlines) {
    if (!d.legal) continue;
    switch (d.status) {
      case DeadlineStatus::MET_LATE:
      case DeadlineStatus::MISSED:
        return false;
      case DeadlineStatus::OPEN:
        if (at > d.due_at) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

bool ClosureProposable(const CaseFile& c) {
  if (c.state != CaseState::REVIEWED || !c.last_review_clean) return false;
  if (c.separation && c.separation->active()) return false;
  return !c.FollowsClmrs() || c.CleanFollowUps() >= 2;
}

bool CaseBook::DueLess::operator()(const DueKey& a, const DueKey& b) const {
  if (a.due != b.due) return a.due < b.due;
  if (!IdEq{}(a.case_id, b.case_id)) return IdLess(a.case_id, b.case_id);
  if (!IdEq{}(a.referral_id, b.referral_id)) return IdLess(a.referral_id, b.referral_id);
  return static_cast<uint16_t>(a.kind) < static_cast<uint16_t>(b.kind);
}

CaseBook::CaseBook(const core::WorkingCalendar& calendar, const DeadlineRules& rules)
    : calendar_(calendar), rules_(rules) {}

const CaseFile* CaseBook::FindCase(const Id& id) const {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

const ReferralFile* CaseBook::FindReferral(const Id& id) const {
  auto it = referrals_.find(id);
  return it == referrals_.end() ? nullptr : &it->second;
}

absl::Status CaseBook::Apply(schema::CaseCommand::Reader cmd, const CommandContext& ctx) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&]() -> absl::Status { return ApplyImpl(cmd, ctx); });
}

absl::Status CaseBook::ApplyImpl(schema::CaseCommand::Reader cmd, const CommandContext& ctx) {
  if (ctx.at <= 0) return absl::InvalidArgumentError("command time: not set");
  if (cmd.getBody().which() == schema::CaseCommand::Body::OPEN_CASE) return Open(cmd, ctx);
  const Id case_id = IdFrom(cmd.getCaseId());
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return absl::NotFoundError("caseId: no such case");
  CaseFile& c = it->second;
  if (!c.history.empty() && ctx.at < c.history.back().at) {
    return absl::InvalidArgumentError("command time: before the case's last change");
  }
  Unindex(c);
  absl::Status st = ApplyToCase(c, cmd, ctx);
  Index(c);  // a refused command changed nothing: this restores the same entries
  return st;
}

absl::Status CaseBook::Open(schema::CaseCommand::Reader cmd, const CommandContext& ctx) {
  auto o = cmd.getBody().getOpenCase();
  CaseFile c;
  c.id = IdFrom(o.getCaseId());
  if (IsZero(c.id)) return absl::InvalidArgumentError("openCase.caseId: zero");
  const Id envelope_id = IdFrom(cmd.getCaseId());
  if (!IsZero(envelope_id) && !IdEq{}(envelope_id, c.id)) {
    return absl::InvalidArgumentError("caseId: differs from openCase.caseId");
  }
  if (cases_.contains(c.id)) return absl::AlreadyExistsError("openCase.caseId: already used");
  c.child_id = IdFrom(o.getChildId());
  if (IsZero(c.child_id)) return absl::InvalidArgumentError("openCase.childId: zero");
  c.unit_code = Str(o.getUnitCode());
  if (c.unit_code.empty()) return absl::InvalidArgumentError("openCase.unitCode: empty");
  c.kind = o.getKind();
  c.level = o.getLevel();
  auto n = o.getNotification();
  c.received_at = n.getReceivedAt().getMicros();
  if (c.received_at <= 0) {
    return absl::InvalidArgumentError("openCase.notification.receivedAt: not set");
  }
  if (c.received_at > ctx.at) {
    return absl::InvalidArgumentError(
        "openCase.notification.receivedAt: after the time the case is opened");
  }
  c.notification = Freeze<schema::Notification>(n);
  if (o.hasTrigger() && !IsZero(IdFrom(o.getTrigger().getChildId()))) {
    c.trigger = Freeze<schema::CaseTrigger>(o.getTrigger());
  }
  std::vector<DeadlineEntry> clocks;
  for (const auto& r : rules_.rules()) {
    if (!r.StartsOn(ClockStart::kReceipt) || r.kind == DeadlineKind::SEPARATION_DECISION) continue;
    TREEM_ASSIGN_OR_RETURN(Micros due, rules_.DueAt(r, c.received_at, calendar_));
    clocks.push_back({r.kind, c.received_at, due, DeadlineStatus::OPEN, 0, r.legal, &r});
  }
  c.state = CaseState::REPORTED;
  c.history.push_back(
      {CaseState::REPORTED, CaseState::REPORTED, ctx.at, ctx.actor, Str(cmd.getReason())});
  c.deadlines = std::move(clocks);
  const Id id = c.id;
  auto [it, inserted] = cases_.emplace(id, std::move(c));
  Index(it->second);
  return absl::OkStatus();
}

absl::Status CaseBook::ApplyToCase(CaseFile& c, schema::CaseCommand::Reader cmd,
                                   const CommandContext& ctx) {
  using Body = schema::CaseCommand::Body;
  auto body = cmd.getBody();
  std::string reason = Str(cmd.getReason());

  // The clocks a step starts, computed before anything changes (the calendar may refuse).
  auto clocks_for = [&](ClockStart e, Micros start,
                        core::Date plan_end) -> absl::StatusOr<std::vector<DeadlineEntry>> {
    std::vector<DeadlineEntry> out;
    for (const auto& r : rules_.rules()) {
      if (!r.StartsOn(e) || r.kind == DeadlineKind::SEPARATION_DECISION) continue;
      TREEM_ASSIGN_OR_RETURN(Micros due, rules_.DueAt(r, start, calendar_, plan_end));
      out.push_back({r.kind, start, due, DeadlineStatus::OPEN, 0, r.legal, &r});
    }
    return out;
  };

  switch (body.which()) {
    case Body::OPEN_CASE:
      return absl::InternalError("openCase on an existing case");

    case Body::FORWARD: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::FORWARDED, "forward"));
      std::string to = Str(body.getForward().getToUnitCode());
      if (to.empty()) return absl::InvalidArgumentError("forward.toUnitCode: empty");
      c.unit_code = std::move(to);
      Transition(c, CaseState::FORWARDED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::INITIAL_ASSESSMENT: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::INITIAL_ASSESSED, "initialAssessment"));
      auto a = body.getInitialAssessment().getAssessment();
      if (a.getNoProtectionNeed() && (a.getEmergencyNeeded() || a.getSeriousHarm())) {
        return absl::InvalidArgumentError(
            "initialAssessment.noProtectionNeed: set together with emergencyNeeded or "
            "seriousHarm");
      }
      Frozen f = FreezeWith<schema::InitialAssessment>(a, [&](auto b) {
        b.initAssessedAt().setMicros(ctx.at);
        SetActor(b.initAssessor(), ctx.actor);
      });
      c.initial_assessment = std::move(f);
      c.emergency_needed = a.getEmergencyNeeded();
      c.no_protection_need = a.getNoProtectionNeed();
      if (static_cast<uint16_t>(a.getLevel()) > static_cast<uint16_t>(c.level)) {
        c.level = a.getLevel();
      }
      // Deciding that no emergency measure is needed answers the 12-hour clock.
      if (!c.emergency_needed) MeetClock(c, DeadlineKind::EMERGENCY_DECISION, ctx.at);
      Transition(c, CaseState::INITIAL_ASSESSED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::START_EMERGENCY: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::EMERGENCY, "startEmergency"));
      std::string measures = Str(body.getStartEmergency().getMeasures());
      if (measures.empty()) {
        return absl::InvalidArgumentError("startEmergency.measures: empty");
      }
      c.emergency_needed = true;
      MeetClock(c, DeadlineKind::EMERGENCY_DECISION, ctx.at);
      Transition(c, CaseState::EMERGENCY, ctx,
                 reason.empty() ? absl::StrCat("measures: ", measures)
                                : absl::StrCat(reason, "; measures: ", measures));
      return absl::OkStatus();
    }

    case Body::SEPARATE: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::SEPARATED, "separate"));
      TREEM_RETURN_IF_ERROR(RequireRole(ctx, "separate", "Decree 56/2017 Art 32.2"));
      auto s = body.getSeparate();
      if (c.separation && c.separation->active()) {
        return absl::FailedPreconditionError("separate: the child is already separated");
      }
      if (s.getDecisionRef().size() == 0) {
        return absl::InvalidArgumentError("separate.decisionRef: empty (form 07 decision)");
      }
      std::vector<DeadlineEntry> clocks;
      if (const DeadlineRule* r = rules_.Find(DeadlineKind::SEPARATION_DECISION)) {
        TREEM_ASSIGN_OR_RETURN(Micros due, rules_.DueAt(*r, c.received_at, calendar_));
        DeadlineEntry d{r->kind, c.received_at, due, DeadlineStatus::OPEN, 0, r->legal, r};
        EndClock(d, ctx.at, /*meet=*/true);
        clocks.push_back(d);
      }
      TREEM_ASSIGN_OR_RETURN(auto max_clocks, clocks_for(ClockStart::kSeparation, ctx.at, {}));
      SeparationFacts sep;
      sep.started_at = ctx.at;
      sep.decision_ref = Str(s.getDecisionRef());
      sep.alternative_care = Str(s.getAlternativeCare());
      sep.ends_by = 0;
      for (const auto& d : max_clocks) {
        if (d.kind == DeadlineKind::SEPARATION_MAX) sep.ends_by = d.due_at;
      }
      clocks.insert(clocks.end(), max_clocks.begin(), max_clocks.end());
      AddClocks(c, std::move(clocks), ctx.at);
      c.separation = std::move(sep);
      Transition(c, CaseState::SEPARATED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::EXTEND_SEPARATION: {
      if (c.closed()) return absl::FailedPreconditionError("extendSeparation: the case is closed");
      if (!c.separation || !c.separation->active()) {
        return absl::FailedPreconditionError("extendSeparation: the child is not separated");
      }
      auto e = body.getExtendSeparation();
      std::string request = Str(e.getAuthorityRequest());
      if (request.empty()) {
        return absl::FailedPreconditionError(
            "extendSeparation.authorityRequest: empty; a temporary separation lasts at most 15 "
            "days and is extended only at a competent authority's request (Decree 56/2017 Art "
            "32.3)");
      }
      const Micros new_end = e.getNewEndsBy().getMicros();
      if (new_end <= c.separation->ends_by) {
        return absl::InvalidArgumentError(
            "extendSeparation.newEndsBy: not after the current end of the separation");
      }
      DeadlineEntry* open_max = nullptr;
      for (auto& d : c.deadlines) {
        if (d.kind == DeadlineKind::SEPARATION_MAX && d.open()) open_max = &d;
      }
      if (open_max != nullptr && ctx.at > open_max->due_at) {
        // The request came after the separation had outlasted its term: that term was missed.
        DeadlineEntry next = *open_max;
        EndClock(*open_max, ctx.at, /*meet=*/false);
        next.started_at = ctx.at;
        next.due_at = new_end;
        c.deadlines.push_back(next);
      } else if (open_max != nullptr) {
        open_max->due_at = new_end;
      }
      c.separation->extensions.push_back({ctx.at, new_end, std::move(request)});
      c.separation->ends_by = new_end;
      return absl::OkStatus();
    }

    case Body::END_SEPARATION: {
      if (c.closed()) return absl::FailedPreconditionError("endSeparation: the case is closed");
      if (!c.separation || !c.separation->active()) {
        return absl::FailedPreconditionError("endSeparation: the child is not separated");
      }
      std::string why = Str(body.getEndSeparation().getReason());
      if (why.empty()) return absl::InvalidArgumentError("endSeparation.reason: empty");
      MeetClock(c, DeadlineKind::SEPARATION_MAX, ctx.at);
      c.separation->ended_at = ctx.at;
      c.separation->end_reason = std::move(why);
      return absl::OkStatus();
    }

    case Body::NEEDS_ASSESSMENT: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::NEEDS_ASSESSED, "needsAssessment"));
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(ClockStart::kNeedsAssessment, ctx.at, {}));
      Frozen f = FreezeWith<schema::NeedsAssessment>(body.getNeedsAssessment().getAssessment(),
                                                     [&](auto b) {
                                                       b.initAssessedAt().setMicros(ctx.at);
                                                       SetActor(b.initAssessor(), ctx.actor);
                                                     });
      c.needs_assessments.push_back(std::move(f));
      AddClocks(c, std::move(clocks), ctx.at);
      Transition(c, CaseState::NEEDS_ASSESSED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::CONFERENCE: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::CONFERENCE_HELD, "conference"));
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(ClockStart::kConference, ctx.at, {}));
      Frozen f = FreezeWith<schema::Conference>(body.getConference().getConference(),
                                                [&](auto b) { b.initHeldAt().setMicros(ctx.at); });
      c.conferences.push_back(std::move(f));
      AddClocks(c, std::move(clocks), ctx.at);
      Transition(c, CaseState::CONFERENCE_HELD, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::DRAFT_PLAN: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::PLAN_DRAFTED, "draftPlan"));
      auto plan = body.getDraftPlan().getPlan();
      auto services = plan.getServices();
      if (services.size() == 0) {
        return absl::InvalidArgumentError("draftPlan.plan.services: empty");
      }
      core::Date last_end;
      for (unsigned i = 0; i < services.size(); ++i) {
        auto s = services[i];
        const std::string where = absl::StrCat("draftPlan.plan.services[", i, "]");
        if (s.getService() == schema::ServiceType::UNKNOWN) {
          return absl::InvalidArgumentError(absl::StrCat(where, ".service: not set"));
        }
        if (DateUnset(s.getStart()) || DateUnset(s.getEnd())) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": start and end are required"));
        }
        TREEM_ASSIGN_OR_RETURN(core::Date start,
                               core::MakeDate(s.getStart().getYear(), s.getStart().getMonth(),
                                              s.getStart().getDay(), where + ".start"));
        TREEM_ASSIGN_OR_RETURN(core::Date end,
                               core::MakeDate(s.getEnd().getYear(), s.getEnd().getMonth(),
                                              s.getEnd().getDay(), where + ".end"));
        if (end < start) {
          return absl::InvalidArgumentError(absl::StrCat(where, ".end: before start"));
        }
        if (s.getResponsible().size() == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".responsible: empty (who is responsible in the commune)"));
        }
        if (s.getCost().getVnd() < 0) {
          return absl::InvalidArgumentError(absl::StrCat(where, ".cost: negative"));
        }
        if (last_end.is_special() || end > last_end) last_end = end;
      }
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(ClockStart::kPlanSubmitted, ctx.at, {}));
      const uint32_t version = c.plan_version + 1;
      Frozen f = FreezeWith<schema::Plan>(plan, [&](auto b) {
        b.setVersion(version);
        b.initDraftedAt().setMicros(ctx.at);
        SetActor(b.initAuthor(), ctx.actor);
      });
      c.plans.push_back(std::move(f));
      c.plan_version = version;
      c.plan_end = last_end;
      MeetClock(c, DeadlineKind::PLAN_DRAFT, ctx.at);
      AddClocks(c, std::move(clocks), ctx.at);
      Transition(c, CaseState::PLAN_DRAFTED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::APPROVE_PLAN: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::PLAN_APPROVED, "approvePlan"));
      TREEM_RETURN_IF_ERROR(RequireRole(ctx, "approvePlan", "Decree 56/2017 Art 28.4"));
      std::string ref = Str(body.getApprovePlan().getDecisionRef());
      if (ref.empty()) {
        return absl::InvalidArgumentError("approvePlan.decisionRef: empty (form 05 decision)");
      }
      capnp::MallocMessageBuilder mb(64);
      auto a = mb.initRoot<schema::Approval>();
      a.initApprovedAt().setMicros(ctx.at);
      SetActor(a.initApprover(), ctx.actor);
      a.setDecisionRef(ref);
      a.setPlanVersion(c.plan_version);
      c.approvals.push_back(capnp::canonicalize(a.asReader()));
      MeetClock(c, DeadlineKind::PLAN_APPROVAL, ctx.at);
      Transition(c, CaseState::PLAN_APPROVED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::START_PLAN: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::IN_PROGRESS, "startPlan"));
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(ClockStart::kPlanStarted, ctx.at, c.plan_end));
      AddClocks(c, std::move(clocks), ctx.at);
      std::string note = Str(body.getStartPlan().getNote());
      Transition(c, CaseState::IN_PROGRESS, ctx,
                 note.empty() ? std::move(reason)
                              : absl::StrCat(reason, reason.empty() ? "" : "; ", note));
      return absl::OkStatus();
    }

    case Body::REVIEW: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::REVIEWED, "review"));
      auto r = body.getReview().getReview();
      Frozen f = FreezeWith<schema::Review>(r, [&](auto b) {
        b.initReviewedAt().setMicros(ctx.at);
        SetActor(b.initReviewer(), ctx.actor);
        b.setPlanVersion(c.plan_version);
      });
      c.reviews.push_back(std::move(f));
      c.last_review_clean = !r.getRiskRemains() && r.getChildStable();
      MeetClock(c, DeadlineKind::REVIEW, ctx.at);
      Transition(c, CaseState::REVIEWED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::REPLAN: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::REPLAN, "replan"));
      std::string why = Str(body.getReplan().getReason());
      if (why.empty()) why = reason;
      if (why.empty()) return absl::InvalidArgumentError("replan.reason: empty");
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(ClockStart::kReplan, ctx.at, {}));
      AddClocks(c, std::move(clocks), ctx.at);
      c.last_review_clean = false;
      Transition(c, CaseState::REPLAN, ctx, std::move(why));
      return absl::OkStatus();
    }

    case Body::REFER_TO_COURT: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::COURT_REFERRAL, "referToCourt"));
      TREEM_RETURN_IF_ERROR(
          RequireRole(ctx, "referToCourt", "Law on Children 2016 Art 52.3", true));
      auto r = body.getReferToCourt();
      if (r.getGround() == schema::CourtGround::UNKNOWN) {
        return absl::InvalidArgumentError(
            "referToCourt.ground: not set (carerPerpetrator or carerRefusesPlan)");
      }
      if (r.getRequest().size() == 0) {
        return absl::InvalidArgumentError("referToCourt.request: empty");
      }
      capnp::MallocMessageBuilder mb(64);
      auto b = mb.initRoot<schema::CourtReferral>();
      b.initAt().setMicros(ctx.at);
      b.setGround(r.getGround());
      b.setRequest(r.getRequest());
      b.setFromState(c.state);
      c.court_referrals.push_back(capnp::canonicalize(b.asReader()));
      // The plan steps wait for the court; emergency and separation clocks keep running.
      CancelClocks(c, {DeadlineKind::PLAN_DRAFT, DeadlineKind::PLAN_APPROVAL, DeadlineKind::REVIEW},
                   ctx.at);
      Transition(c, CaseState::COURT_REFERRAL, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::RESUME_AFTER_COURT: {
      auto r = body.getResumeAfterCourt();
      const CaseState target = r.getTarget();
      if (c.state == CaseState::COURT_REFERRAL && target != CaseState::NEEDS_ASSESSED &&
          target != CaseState::REPLAN) {
        return absl::InvalidArgumentError(
            "resumeAfterCourt.target: must be 'needsAssessed' or 'replan'");
      }
      TREEM_RETURN_IF_ERROR(CheckTransition(c, target, "resumeAfterCourt"));
      if (c.state != CaseState::COURT_REFERRAL) {
        return absl::FailedPreconditionError(
            absl::StrCat("resumeAfterCourt: the case is in state '", CaseStateName(c.state),
                         "', not 'courtReferral'"));
      }
      std::string decision = Str(r.getCourtDecision());
      if (decision.empty()) {
        return absl::InvalidArgumentError("resumeAfterCourt.courtDecision: empty");
      }
      const ClockStart e =
          target == CaseState::REPLAN ? ClockStart::kReplan : ClockStart::kNeedsAssessment;
      TREEM_ASSIGN_OR_RETURN(auto clocks, clocks_for(e, ctx.at, {}));
      AddClocks(c, std::move(clocks), ctx.at);
      Transition(c, target, ctx,
                 absl::StrCat(reason, reason.empty() ? "" : "; ", "court decision: ", decision));
      return absl::OkStatus();
    }

    case Body::FOLLOW_UP: {
      if (c.closed()) return absl::FailedPreconditionError("followUp: the case is closed");
      auto v = body.getFollowUp().getFollowUp();
      Frozen f = FreezeWith<schema::FollowUp>(v, [&](auto b) {
        b.initVisitedAt().setMicros(ctx.at);
        SetActor(b.initVisitor(), ctx.actor);
      });
      c.follow_ups.push_back(std::move(f));
      c.follow_up_facts.push_back({ctx.at, v.getOutOfChildLabour(), v.getInSchool()});
      return absl::OkStatus();
    }

    case Body::CLOSE: {
      TREEM_RETURN_IF_ERROR(CheckTransition(c, CaseState::CLOSED, "close"));
      TREEM_RETURN_IF_ERROR(RequireRole(ctx, "close", "Decree 56/2017 Art 30.1"));
      auto r = body.getClose();
      const auto why = r.getReason();
      std::string note = Str(r.getNote());
      if (why == schema::ClosureReason::UNKNOWN) {
        return absl::InvalidArgumentError("close.reason: not set");
      }
      if (c.separation && c.separation->active()) {
        return absl::FailedPreconditionError(
            "close: the child is still separated; end the separation first");
      }
      if (c.state == CaseState::INITIAL_ASSESSED) {
        if (why != schema::ClosureReason::NO_PROTECTION_NEED || !c.no_protection_need) {
          return absl::FailedPreconditionError(
              "close: from 'initialAssessed' a case closes only as 'noProtectionNeed' when form "
              "02 found no protection need");
        }
      } else if (why == schema::ClosureReason::NO_PROTECTION_NEED) {
        return absl::FailedPreconditionError(
            "close.reason: 'noProtectionNeed' applies only right after the initial assessment");
      } else if (why == schema::ClosureReason::RESOLVED) {
        if (c.reviews.empty() || !c.last_review_clean || c.state != CaseState::REVIEWED) {
          return absl::FailedPreconditionError(
              "close.reason: 'resolved' needs a review (form 06) finding no remaining risk and a "
              "stable child (Decree 56/2017 Art 30.1.b); re-plan, or give another reason with a "
              "note");
        }
        if (c.FollowsClmrs() && c.CleanFollowUps() < 2) {
          return absl::FailedPreconditionError(absl::StrCat(
              "close.reason: a child-labour case closes as 'resolved' only after two "
              "consecutive follow-ups find the child out of child labour (found ",
              c.CleanFollowUps(), "); record more follow-ups, or give another reason with a note"));
        }
      } else if (note.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("close.note: required for reason '", ClosureReasonName(why), "'"));
      }
      ClosureFacts cl;
      cl.at = ctx.at;
      cl.by = ctx.actor;
      cl.reason = why;
      cl.note = std::move(note);
      cl.clean_follow_ups = c.CleanFollowUps();
      CancelClocks(c, {}, ctx.at);
      c.closure = std::move(cl);
      Transition(c, CaseState::CLOSED, ctx, std::move(reason));
      return absl::OkStatus();
    }

    case Body::REQUEST_REFERRAL:
    case Body::UPDATE_REFERRAL:
      return ApplyReferral(c, cmd, ctx);
  }
  return absl::InvalidArgumentError("case command: unknown body");
}

absl::Status CaseBook::ApplyReferral(CaseFile& c, schema::CaseCommand::Reader cmd,
                                     const CommandContext& ctx) {
  using Body = schema::CaseCommand::Body;
  auto body = cmd.getBody();
  if (body.which() == Body::REQUEST_REFERRAL) {
    if (c.closed()) return absl::FailedPreconditionError("requestReferral: the case is closed");
    auto r = body.getRequestReferral();
    const Id id = IdFrom(r.getReferralId());
    if (referrals_.contains(id)) {
      return absl::AlreadyExistsError("requestReferral.referralId: already used");
    }
    const ReferralFile* previous = FindReferral(IdFrom(r.getReReferralOf()));
    TREEM_ASSIGN_OR_RETURN(ReferralFile f, NewReferral(c.id, r, ctx, providers_, previous));
    c.referrals.push_back(f.id);
    referrals_.emplace(f.id, std::move(f));
    return absl::OkStatus();
  }
  auto u = body.getUpdateReferral();
  auto it = referrals_.find(IdFrom(u.getReferralId()));
  if (it == referrals_.end()) {
    return absl::NotFoundError("updateReferral.referralId: no such referral");
  }
  if (!IdEq{}(it->second.case_id, c.id)) {
    return absl::InvalidArgumentError("updateReferral.referralId: belongs to another case");
  }
  return MoveReferral(it->second, u.getStatus(), Str(u.getNote()).c_str(), ctx);
}

void CaseBook::Unindex(const CaseFile& c) {
  for (const auto& d : c.deadlines) {
    if (d.open()) index_.erase(DueKey{d.due_at, c.id, Id{}, d.kind});
  }
  for (const auto& rid : c.referrals) {
    const ReferralFile* r = FindReferral(rid);
    if (r != nullptr && !r->Terminal()) {
      index_.erase(DueKey{r->DueAt(), c.id, r->id, DeadlineKind::REFERRAL_DUE});
    }
  }
  auto u = unit_index_.find(c.unit_code);
  if (u != unit_index_.end()) {
    for (const auto& d : c.deadlines) {
      if (d.open()) u->second.erase(DueKey{d.due_at, c.id, Id{}, d.kind});
    }
    for (const auto& rid : c.referrals) {
      const ReferralFile* r = FindReferral(rid);
      if (r != nullptr && !r->Terminal()) {
        u->second.erase(DueKey{r->DueAt(), c.id, r->id, DeadlineKind::REFERRAL_DUE});
      }
    }
    if (u->second.empty()) unit_index_.erase(u);
  }
}

void CaseBook::Index(const CaseFile& c) {
  std::vector<DueKey> keys;
  for (const auto& d : c.deadlines) {
    if (d.open()) keys.push_back(DueKey{d.due_at, c.id, Id{}, d.kind});
  }
  for (const auto& rid : c.referrals) {
    const ReferralFile* r = FindReferral(rid);
    if (r != nullptr && !r->Terminal()) {
      keys.push_back(DueKey{r->DueAt(), c.id, r->id, DeadlineKind::REFERRAL_DUE});
    }
  }
  if (keys.empty()) return;
  auto& unit = unit_index_[c.unit_code];
  for (const auto& k : keys) {
    index_.insert(k);
    unit.insert(k);
  }
}

void CaseBook::AddAnswer(const DueKey& k, const DeadlineFilter& f, DeadlineAnswer& out) const {
  DueEntry e;
  e.case_id = k.case_id;
  e.referral_id = k.referral_id;
  e.kind = k.kind;
  e.due_at = k.due;
  if (k.due < f.at) {
    e.status = schema::DueStatus::OVERDUE;
  } else if (k.due <= f.at + f.due_soon_within) {
    e.status = schema::DueStatus::DUE_SOON;
  } else {
    e.status = schema::DueStatus::LATER;
  }
  if (const CaseFile* c = FindCase(k.case_id)) {
    e.state = c->state;
    e.unit_code = c->unit_code;
  }
  if (k.kind == DeadlineKind::REFERRAL_DUE) {
    e.citation = "referral due date agreed with the provider";
  } else if (const DeadlineRule* r = rules_.Find(k.kind)) {
    e.citation = r->citation;
  }
  out.items.push_back(std::move(e));
}

DeadlineAnswer CaseBook::QueryDeadlines(const DeadlineFilter& f) const {
  DeadlineAnswer out;
  const DueKey soon_end{f.at + f.due_soon_within + 1, Id{}, Id{}, DeadlineKind::EMERGENCY_DECISION};
  const DueKey now{f.at, Id{}, Id{}, DeadlineKind::EMERGENCY_DECISION};
  std::vector<DueKey> picked;

  // Counts every matching entry of one sorted set and picks up to `limit` wanted ones.
  auto scan = [&](const DueIndex& s) {
    auto lo = s.lower_bound(now);
    auto hi = s.lower_bound(soon_end);
    const auto overdue = static_cast<uint32_t>(s.rank(lo));
    const auto soon = static_cast<uint32_t>(s.rank(hi) - s.rank(lo));
    out.overdue += overdue;
    out.due_soon += soon;
    out.later += static_cast<uint32_t>(s.size()) - overdue - soon;
    size_t taken = 0;
    auto take = [&](auto from, auto to) {
      for (auto it = from; it != to; ++it) {
        if (f.limit != 0 && taken >= f.limit) return;
        picked.push_back(*it);
        ++taken;
      }
    };
    if (f.include_overdue) take(s.begin(), lo);
    if (f.include_due_soon) take(lo, hi);
    if (f.include_later) take(hi, s.end());
  };

  if (f.case_id) {
    DueIndex one;
    if (const CaseFile* c = FindCase(*f.case_id)) {
      const bool unit_ok =
          f.unit_codes.empty() ||
          std::find(f.unit_codes.begin(), f.unit_codes.end(), c->unit_code) != f.unit_codes.end();
      if (unit_ok) {
        for (const auto& d : c->deadlines) {
          if (d.open()) one.insert(DueKey{d.due_at, c->id, Id{}, d.kind});
        }
        for (const auto& rid : c->referrals) {
          const ReferralFile* r = FindReferral(rid);
          if (r != nullptr && !r->Terminal()) {
            one.insert(DueKey{r->DueAt(), c->id, r->id, DeadlineKind::REFERRAL_DUE});
          }
        }
      }
    }
    scan(one);
  } else if (!f.unit_codes.empty()) {
    for (const auto& code : f.unit_codes) {
      auto u = unit_index_.find(code);
      if (u != unit_index_.end()) scan(u->second);
    }
  } else {
    scan(index_);
  }
  std::sort(picked.begin(), picked.end(), DueLess{});
  if (f.limit != 0 && picked.size() > f.limit) picked.resize(f.limit);
  size_t wanted = 0;
  if (f.include_overdue) wanted += out.overdue;
  if (f.include_due_soon) wanted += out.due_soon;
  if (f.include_later) wanted += out.later;
  out.truncated = picked.size() < wanted;
  out.items.reserve(picked.size());
  for (const auto& k : picked) AddAnswer(k, f, out);
  return out;
}

absl::Status CaseBook::QueryDeadlines(schema::DeadlineQuery::Reader q,
                                      schema::DeadlineReport::Builder out) const {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    DeadlineFilter f;
    f.at = q.getAt().getMicros();
    if (f.at <= 0) return absl::InvalidArgumentError("deadlineQuery.at: not set");
    f.due_soon_within = static_cast<Micros>(q.getDueSoonWithinHours()) * kMicrosPerHour;
    for (auto code : q.getUnitCodes()) f.unit_codes.push_back(Str(code));
    const Id case_id = IdFrom(q.getCaseId());
    if (!IsZero(case_id)) f.case_id = case_id;
    f.include_overdue = q.getIncludeOverdue();
    f.include_due_soon = q.getIncludeDueSoon();
    f.include_later = q.getIncludeLater();
    f.limit = q.getLimit();
    DeadlineAnswer a = QueryDeadlines(f);
    out.initAt().setMicros(f.at);
    auto items = out.initItems(static_cast<unsigned>(a.items.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      const DueEntry& e = a.items[i];
      auto b = items[i];
      SetId(b.initCaseId(), e.case_id);
      SetId(b.initReferralId(), e.referral_id);
      b.setKind(e.kind);
      b.initDueAt().setMicros(e.due_at);
      b.setStatus(e.status);
      b.setState(e.state);
      b.setUnitCode(e.unit_code);
      b.setCitation(e.citation);
    }
    out.setOverdueCount(a.overdue);
    out.setDueSoonCount(a.due_soon);
    out.setLaterCount(a.later);
    out.setTruncated(a.truncated);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> CaseBook::SupportedInTime(const Id& case_id, Micros at) const {
  const CaseFile* c = FindCase(case_id);
  if (c == nullptr) return absl::NotFoundError("caseId: no such case");
  return cases::SupportedInTime(*c, at);
}

absl::Status CaseBook::WriteReferral(const Id& referral_id, schema::Referral::Builder out) const {
  const ReferralFile* r = FindReferral(referral_id);
  if (r == nullptr) return absl::NotFoundError("referralId: no such referral");
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    cases::WriteReferral(*r, out);
    return absl::OkStatus();
  });
}

absl::Status CaseBook::WriteCase(const Id& case_id, Micros at, schema::Case::Builder out) const {
  const CaseFile* cp = FindCase(case_id);
  if (cp == nullptr) return absl::NotFoundError("caseId: no such case");
  const CaseFile& c = *cp;
  return internal::CatchToStatus(absl::StatusCode::kInternal, [&]() -> absl::Status {
    SetId(out.initId(), c.id);
    SetId(out.initChildId(), c.child_id);
    out.setUnitCode(c.unit_code);
    out.setKind(c.kind);
    out.setNotification(Thaw<schema::Notification>(c.notification));
    out.setLevel(c.level);
    out.setState(c.state);
    auto history = out.initHistory(static_cast<unsigned>(c.history.size()));
    for (unsigned i = 0; i < history.size(); ++i) {
      const StateEntry& h = c.history[i];
      auto b = history[i];
      b.setFrom(h.from);
      b.setTo(h.to);
      b.initAt().setMicros(h.at);
      SetActor(b.initActor(), h.actor);
      b.setReason(h.reason);
    }
    auto deadlines = out.initDeadlines(static_cast<unsigned>(c.deadlines.size()));
    for (unsigned i = 0; i < deadlines.size(); ++i) {
      const DeadlineEntry& d = c.deadlines[i];
      auto b = deadlines[i];
      b.setKind(d.kind);
      b.initStartedAt().setMicros(d.started_at);
      b.initDueAt().setMicros(d.due_at);
      b.setStatus(d.status);
      b.initClosedAt().setMicros(d.closed_at);
      b.setLegal(d.legal);
      if (d.rule != nullptr) b.setCitation(d.rule->citation);
    }
    if (c.initial_assessment) {
      out.setInitialAssessment(Thaw<schema::InitialAssessment>(*c.initial_assessment));
    }
    out.setHasInitialAssessment(c.initial_assessment.has_value());
    auto n = static_cast<unsigned>(c.needs_assessments.size());
    auto na = out.initNeedsAssessments(n);
    for (unsigned i = 0; i < n; ++i) {
      na.setWithCaveats(i, Thaw<schema::NeedsAssessment>(c.needs_assessments[i]));
    }
    auto conf = out.initConferences(static_cast<unsigned>(c.conferences.size()));
    for (unsigned i = 0; i < conf.size(); ++i) {
      conf.setWithCaveats(i, Thaw<schema::Conference>(c.conferences[i]));
    }
    auto plans = out.initPlans(static_cast<unsigned>(c.plans.size()));
    for (unsigned i = 0; i < plans.size(); ++i) {
      plans.setWithCaveats(i, Thaw<schema::Plan>(c.plans[i]));
    }
    auto approvals = out.initApprovals(static_cast<unsigned>(c.approvals.size()));
    for (unsigned i = 0; i < approvals.size(); ++i) {
      approvals.setWithCaveats(i, Thaw<schema::Approval>(c.approvals[i]));
    }
    auto reviews = out.initReviews(static_cast<unsigned>(c.reviews.size()));
    for (unsigned i = 0; i < reviews.size(); ++i) {
      reviews.setWithCaveats(i, Thaw<schema::Review>(c.reviews[i]));
    }
    auto follow = out.initFollowUps(static_cast<unsigned>(c.follow_ups.size()));
    for (unsigned i = 0; i < follow.size(); ++i) {
      follow.setWithCaveats(i, Thaw<schema::FollowUp>(c.follow_ups[i]));
    }
    auto court = out.initCourtReferrals(static_cast<unsigned>(c.court_referrals.size()));
    for (unsigned i = 0; i < court.size(); ++i) {
      court.setWithCaveats(i, Thaw<schema::CourtReferral>(c.court_referrals[i]));
    }
    out.setHasSeparation(c.separation.has_value());
    if (c.separation) {
      const SeparationFacts& s = *c.separation;
      auto b = out.initSeparation();
      b.initStartedAt().setMicros(s.started_at);
      b.setDecisionRef(s.decision_ref);
      b.setAlternativeCare(s.alternative_care);
      b.initEndsBy().setMicros(s.ends_by);
      auto ext = b.initExtensions(static_cast<unsigned>(s.extensions.size()));
      for (unsigned i = 0; i < ext.size(); ++i) {
        ext[i].initAt().setMicros(s.extensions[i].at);
        ext[i].initNewEndsBy().setMicros(s.extensions[i].new_ends_by);
        ext[i].setAuthorityRequest(s.extensions[i].authority_request);
      }
      b.initEndedAt().setMicros(s.ended_at);
      b.setEndReason(s.end_reason);
    }
    if (c.closure) {
      auto b = out.initClosure();
      b.initClosedAt().setMicros(c.closure->at);
      SetActor(b.initClosedBy(), c.closure->by);
      b.setReason(c.closure->reason);
      b.setNote(c.closure->note);
      b.setCleanFollowUps(c.closure->clean_follow_ups);
    }
    if (c.trigger) out.setTrigger(Thaw<schema::CaseTrigger>(*c.trigger));
    out.setInTime(cases::SupportedInTime(c, at));
    return absl::OkStatus();
  });
}

}  // namespace treem::cases
