// Case management with legal deadlines (DOMAIN.md section 5; RD-5 of LEGAL-RULES.md; Law on
// Children 2016 Arts 47-53; Decree 56/2017/ND-CP Arts 25-32). docs/cases.md explains the
// process, the state machine and the conventions.
//
// A CaseBook holds the cases, their referrals and the provider directory in memory, applies
// case commands (schema CaseCommand) atomically (a refused command changes nothing), keeps
// every open deadline in one index sorted by due instant, and answers "what is due, due soon
// or overdue at instant t" in O(log n + answer).
//
// Not thread-safe: one writer; concurrent const calls are safe when no writer runs.
#ifndef TREEM_LIB_CASES_CASE_BOOK_H_
#define TREEM_LIB_CASES_CASE_BOOK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/multi_index/identity.hpp"
#include "boost/multi_index/ranked_index.hpp"
#include "boost/multi_index_container.hpp"
#include "capnp/message.h"
#include "cases/deadline_rules.h"
#include "cases/referral.h"
#include "core/calendar.h"
#include "core/date.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/common.capnp.h"

namespace treem::cases {

// A form or sub-record kept as its canonical Cap'n Proto encoding (compact, written back as
// is; no hand-kept mirror of the schema).
using Frozen = kj::Array<capnp::word>;

struct StateEntry {
  schema::CaseState from = schema::CaseState::REPORTED;
  schema::CaseState to = schema::CaseState::REPORTED;
  Micros at = 0;
  ActorInfo actor;
  std::string reason;
};

struct DeadlineEntry {
  schema::DeadlineKind kind = schema::DeadlineKind::EMERGENCY_DECISION;
  Micros started_at = 0;
  Micros due_at = 0;
  schema::DeadlineStatus status = schema::DeadlineStatus::OPEN;
  Micros closed_at = 0;
  bool legal = true;
  const DeadlineRule* rule = nullptr;  // owned by the book's DeadlineRules

  bool open() const { return status == schema::DeadlineStatus::OPEN; }
};

struct FollowUpFacts {
  Micros at = 0;
  bool out_of_child_labour = false;
  bool in_school = false;
};

struct SeparationExtensionFacts {
  Micros at = 0;
  Micros new_ends_by = 0;
  std::string authority_request;
};

struct SeparationFacts {
  Micros started_at = 0;
  std::string decision_ref;
  std::string alternative_care;
  Micros ends_by = 0;
  std::vector<SeparationExtensionFacts> extensions;
  Micros ended_at = 0;
  std::string end_reason;

  bool active() const { return ended_at == 0; }
};

struct ClosureFacts {
  Micros at = 0;
  ActorInfo by;
  schema::ClosureReason reason = schema::ClosureReason::UNKNOWN;
  std::string note;
  uint32_t clean_follow_ups = 0;
};

// One case. Move-only (frozen forms).
struct CaseFile {
  Id id{};
  Id child_id{};
  std::string unit_code;
  schema::CaseKind kind = schema::CaseKind::OTHER;
  schema::ProtectionLevel level = schema::ProtectionLevel::PREVENTION;
  schema::CaseState state = schema::CaseState::REPORTED;
  Micros received_at = 0;
  Frozen notification;  // schema::Notification
  std::vector<StateEntry> history;
  std::vector<DeadlineEntry> deadlines;

  std::optional<Frozen> initial_assessment;  // schema::InitialAssessment
  bool emergency_needed = false;
  bool no_protection_need = false;
  std::vector<Frozen> needs_assessments;  // schema::NeedsAssessment
  std::vector<Frozen> conferences;        // schema::Conference
  std::vector<Frozen> plans;              // schema::Plan
  std::vector<Frozen> approvals;          // schema::Approval
  std::vector<Frozen> reviews;            // schema::Review
  std::vector<Frozen> follow_ups;         // schema::FollowUp
  std::vector<Frozen> court_referrals;    // schema::CourtReferral
  std::vector<FollowUpFacts> follow_up_facts;
  uint32_t plan_version = 0;
  core::Date plan_end;             // last end date of the current plan's services
  bool last_review_clean = false;  // no risk remains and the child is stable
  std::optional<SeparationFacts> separation;
  std::optional<ClosureFacts> closure;
  std::optional<Frozen> trigger;  // schema::CaseTrigger
  std::vector<Id> referrals;

  bool closed() const { return state == schema::CaseState::CLOSED; }
  // Consecutive follow-ups, counted back from the latest, that found the child out of child
  // labour.
  uint32_t CleanFollowUps() const;
  // Whether the CLMRS two-visit rule applies (child-labour and trafficking cases).
  bool FollowsClmrs() const;
};

// States the case may move to from `from` (RD-5; docs/cases.md).
std::vector<schema::CaseState> AllowedTransitions(schema::CaseState from);

// "Supported in time" (indicator P2) at instant `at`: no legal deadline was met late or
// missed, and no open legal deadline is past due.
bool SupportedInTime(const CaseFile& c, Micros at);

// Whether closure may be proposed now: reviewed, the last review found no risk and a stable
// child, and (child-labour cases) the last two follow-ups found the child out of child labour.
bool ClosureProposable(const CaseFile& c);

// C++ form of DeadlineQuery.
struct DeadlineFilter {
  Micros at = 0;
  Micros due_soon_within = 48 * kMicrosPerHour;
  std::vector<std::string> unit_codes;  // cases handled by these units (empty = all)
  std::optional<Id> case_id;
  bool include_overdue = true;
  bool include_due_soon = true;
  bool include_later = false;
  size_t limit = 0;  // 0 = no limit
};

struct DueEntry {
  Id case_id{};
  Id referral_id{};  // zero unless kind is referralDue
  schema::DeadlineKind kind = schema::DeadlineKind::EMERGENCY_DECISION;
  Micros due_at = 0;
  schema::DueStatus status = schema::DueStatus::LATER;
  schema::CaseState state = schema::CaseState::REPORTED;
  std::string unit_code;
  std::string citation;
};

struct DeadlineAnswer {
  std::vector<DueEntry> items;  // sorted by due instant
  uint32_t overdue = 0;
  uint32_t due_soon = 0;
  uint32_t later = 0;
  bool truncated = false;
};

class CaseBook {
 public:
  // Both references must outlive the book.
  explicit CaseBook(const core::WorkingCalendar& calendar = core::WorkingCalendar::Vietnam(),
                    const DeadlineRules& rules = DeadlineRules::Default());
  CaseBook(const CaseBook&) = delete;
  CaseBook& operator=(const CaseBook&) = delete;

  // Applies one case command at ctx.at by ctx.actor. Refused commands change nothing; errors
  // name the command, the field and the reason (illegal transitions: the current state and the
  // allowed ones). Exceptions from reading `cmd` become kInvalidArgument.
  [[nodiscard]] absl::Status Apply(schema::CaseCommand::Reader cmd, const CommandContext& ctx);

  const CaseFile* FindCase(const Id& id) const;
  const ReferralFile* FindReferral(const Id& id) const;
  ServiceDirectory& providers() { return providers_; }
  const ServiceDirectory& providers() const { return providers_; }
  size_t case_count() const { return cases_.size(); }
  size_t open_deadline_count() const { return index_.size(); }

  // "What is due": open deadlines and referrals at an instant.
  DeadlineAnswer QueryDeadlines(const DeadlineFilter& f) const;
  [[nodiscard]] absl::Status QueryDeadlines(schema::DeadlineQuery::Reader q,
                                            schema::DeadlineReport::Builder out) const;

  // "Supported in time" for one case at an instant (kNotFound for an unknown case).
  [[nodiscard]] absl::StatusOr<bool> SupportedInTime(const Id& case_id, Micros at) const;

  // Writes a case (with its deadlines, forms and history) or a referral.
  [[nodiscard]] absl::Status WriteCase(const Id& case_id, Micros at,
                                       schema::Case::Builder out) const;
  [[nodiscard]] absl::Status WriteReferral(const Id& referral_id,
                                           schema::Referral::Builder out) const;

 private:
  struct DueKey {
    Micros due = 0;
    Id case_id{};
    Id referral_id{};
    schema::DeadlineKind kind = schema::DeadlineKind::EMERGENCY_DECISION;
  };
  struct DueLess {
    bool operator()(const DueKey& a, const DueKey& b) const;
  };
  struct Pending;  // a validated change not yet applied

  absl::Status ApplyImpl(schema::CaseCommand::Reader cmd, const CommandContext& ctx);
  absl::Status Open(schema::CaseCommand::Reader cmd, const CommandContext& ctx);
  absl::Status ApplyToCase(CaseFile& c, schema::CaseCommand::Reader cmd, const CommandContext& ctx);
  absl::Status ApplyReferral(CaseFile& c, schema::CaseCommand::Reader cmd,
                             const CommandContext& ctx);
  void Unindex(const CaseFile& c);
  void Index(const CaseFile& c);
  void AddAnswer(const DueKey& k, const DeadlineFilter& f, DeadlineAnswer& out) const;

  const core::WorkingCalendar& calendar_;
  const DeadlineRules& rules_;
  absl::flat_hash_map<Id, CaseFile, IdHash, IdEq> cases_;
  absl::flat_hash_map<Id, ReferralFile, IdHash, IdEq> referrals_;
  ServiceDirectory providers_;
  // Sorted by due instant with O(log n) rank, so counts of overdue and due-soon entries cost
  // two binary searches, not a walk.
  using DueIndex =
      boost::multi_index_container<DueKey,
                                   boost::multi_index::indexed_by<boost::multi_index::ranked_unique<
                                       boost::multi_index::identity<DueKey>, DueLess>>>;

  DueIndex index_;                                         // every open deadline and open referral
  absl::flat_hash_map<std::string, DueIndex> unit_index_;  // the same, per unit
};

}  // namespace treem::cases

#endif  // TREEM_LIB_CASES_CASE_BOOK_H_
