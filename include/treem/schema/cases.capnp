# treem case management: a child-protection case from the report to closure (Law on Children
# 2016 Arts 47-53; Decree 56/2017/ND-CP Arts 25-32; RD-5 of LEGAL-RULES.md), its legal
# deadlines, referrals to services, the directory of service providers, the commands that move
# a case, and the "what is due" query and report.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal).
@0xfeecc17ddd85b710;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Date = import "/treem/schema/common.capnp".Date;
using Timestamp = import "/treem/schema/common.capnp".Timestamp;
using Uuid = import "/treem/schema/common.capnp".Uuid;
using Actor = import "/treem/schema/common.capnp".Actor;
using Money = import "/treem/schema/common.capnp".Money;

# ---------------------------------------------------------------------------------------------
# States, levels, sources
# ---------------------------------------------------------------------------------------------

enum CaseState {
  # The steps of RD-5 (D56 Arts 25-32). Allowed transitions are listed in docs/cases.md.
  reported @0;          # report received and recorded on form 01 (D56 25.1)
  forwarded @1;         # forwarded to the commune where the incident happened (D56 26.1)
  initialAssessed @2;   # initial assessment of risk and harm done, form 02 (D56 26.2)
  emergency @3;         # emergency measures under way (D56 26.3, 31)
  separated @4;         # child temporarily separated from the parent or carer, form 07 (D56 32)
  needsAssessed @5;     # detailed needs and risk assessment done, form 03 (D56 27.1)
  conferenceHeld @6;    # case conference held, chaired by the commune PC Chair (D56 27.2)
  planDrafted @7;       # support/intervention plan drafted, form 04 + draft form 05 (D56 28.1-28.3)
  planApproved @8;      # plan approved by the commune PC Chair, form 05 (D56 28.4)
  inProgress @9;        # plan being carried out (D56 29)
  reviewed @10;         # plan reviewed and evaluated, form 06 (D56 30.1-30.2)
  closed @11;           # case closed and archived (D56 30.1.b, 30.3)
  replan @12;           # risk remains: a new plan is to be drafted (D56 30.1.c)
  courtReferral @13;    # the court is asked to restrict parental rights or separate (LoC 52.3)
}

enum ProtectionLevel {
  # The three levels of child protection (LoC Arts 47-50).
  prevention @0;    # phòng ngừa (Art 48): all children
  support @1;       # hỗ trợ (Art 49): children at risk, children in special circumstances
  intervention @2;  # can thiệp (Art 50): abused children, child labour, trafficked children
}

enum NotificationSource {
  # Who reported the child (nguồn thông báo, D56 25).
  unknown @0;     # not recorded
  hotline111 @1;  # Tổng đài quốc gia bảo vệ trẻ em 111
  school @2;      # a school or teacher
  village @3;     # village head, neighbours, the residential area (thôn, tổ dân phố)
  police @4;      # police
  health @5;      # a health facility
  self @6;        # the child
  other @7;       # anyone else (family member, employer, organisation)
  screening @8;   # the library's own classification or risk screen (see CaseTrigger)
}

enum CaseKind {
  # What the case is about; child-labour cases follow the CLMRS closure rule (two clean
  # follow-ups, LEGAL-RULES 9.3).
  other @0;        # other protection concern
  childLabour @1;  # child labour found (LoC Art 10.k.1 "lao động trái pháp luật")
  atRisk @2;       # child at risk of becoming a child labourer
  trafficking @3;  # child trafficked for labour (LoC Art 10.m)
  abuse @4;        # violence or abuse
}

struct Notification {
  # The report that opened the case (form 01).
  source @0 :NotificationSource;  # who reported
  receivedAt @1 :Timestamp;       # instant the receiving point got the information; 12-hour clocks start here
  receivedBy @2 :Actor;           # the receiving point's staff member
  summary @3 :Text;               # what was reported (no names of third parties)
}

struct StateChange {
  # One entry of the state history: who moved the case, when and why.
  from @0 :CaseState;   # state before (equal to `to` for the opening entry)
  to @1 :CaseState;     # state after
  at @2 :Timestamp;     # when
  actor @3 :Actor;      # who
  reason @4 :Text;      # why (free text given with the command)
}

# ---------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------

enum DeadlineKind {
  # The legal clocks of RD-5; rules with citations are in data/cases/deadlines.csv.
  emergencyDecision @0;  # decide and apply emergency measures within 12 h of receipt (D56 26.3, 31.2)
  separationDecision @1; # temporary separation decided within 12 h of receipt, form 07 (D56 32.2)
  separationMax @2;      # separation ends within 15 days unless an authority requests more (D56 32.3)
  planDraft @3;          # plan drafted within 5 working days (D56 28.1)
  planApproval @4;       # plan approved within 2 working days of submission (D56 28.4)
  review @5;             # review at the plan's end date, form 06 (D56 30; no fixed legal term)
  referralDue @6;        # a referral's agreed due date (not a legal deadline)
}

enum DeadlineStatus {
  # Where a deadline stands.
  open @0;       # running, not yet met
  met @1;        # met at or before its due instant
  metLate @2;    # met after its due instant (the deadline was missed)
  cancelled @3;  # no longer applies (e.g. court referral suspended the plan steps)
  missed @4;     # the case closed (or the step was skipped) after the due instant without meeting it
}

struct Deadline {
  # One legal clock of a case.
  kind @0 :DeadlineKind;       # which clock
  startedAt @1 :Timestamp;     # instant the clock started
  dueAt @2 :Timestamp;         # last instant at which it is met (working-day deadlines: end of the local day, 23:59:59.999999 UTC+7)
  status @3 :DeadlineStatus;   # where it stands
  closedAt @4 :Timestamp;      # when it was met or cancelled (0 while open)
  legal @5 :Bool;              # true when set by law and counted for "supported in time" (P2)
  citation @6 :Text;           # legal source, e.g. "Decree 56/2017/ND-CP Art 28.1"
}

# ---------------------------------------------------------------------------------------------
# Assessments, plan, approval, review, follow-up
# ---------------------------------------------------------------------------------------------

enum Concern {
  # How serious an assessed domain is.
  notAssessed @0;  # not assessed
  none @1;         # no concern
  low @2;          # low concern
  medium @3;       # medium concern
  high @4;         # high concern
}

struct InitialAssessment {
  # Form 02 (D56 26.2): initial assessment of risk and harm.
  assessedAt @0 :Timestamp;        # when
  assessor @1 :Actor;              # the commune child-protection worker
  seriousHarm @2 :Bool;            # risk of, or actual, serious harm to life, health or dignity
  carerIsPerpetrator @3 :Bool;     # the parent or carer caused the harm
  emergencyNeeded @4 :Bool;        # emergency measures apply (D56 26.3)
  level @5 :ProtectionLevel;       # protection level found
  summary @6 :Text;                # findings
  noProtectionNeed @7 :Bool;       # the report is unfounded: the case may close from here
}

struct DomainFinding {
  # One domain of form 03.
  concern @0 :Concern;  # how serious
  finding @1 :Text;     # what was found
}

struct NeedsAssessment {
  # Form 03 (D56 27.1): the eight domains (a)..(h).
  assessedAt @0 :Timestamp;             # when
  assessor @1 :Actor;                   # the commune child-protection worker
  physicalPsychological @2 :DomainFinding;  # (a) physical, psychological and emotional state
  family @3 :DomainFinding;             # (b) family circumstances and protective capacity of parents
  riskFactors @4 :DomainFinding;        # (c) factors that may cause (further) abuse or keep special circumstances
  learningSelfProtection @5 :DomainFinding; # (d) learning conditions and ability; self-protection ability
  community @6 :DomainFinding;          # (đ) safety and support capacity of the community
  serviceNeeds @7 :DomainFinding;       # (e) needs for medical, social, education, legal, counselling services
  childViews @8 :DomainFinding;         # (g) the child's views and wishes
  carerViews @9 :DomainFinding;         # (h) the parents' or carer's views (unless they caused the harm)
  servicesNeeded @10 :List(ServiceType);# services domain (e) calls for
  carersSafe @11 :Bool;                 # carers assessed safe: a separation can be cancelled (D56 32.3)
}

struct Conference {
  # The case conference (D56 27.2).
  heldAt @0 :Timestamp;           # when
  chair @1 :Actor;                # the commune PC Chair
  participants @2 :List(Text);    # roles present (responsible persons, residential-area representative, parents or carer)
  agreedMeasures @3 :Text;        # protection measures agreed (LoC Arts 47-50)
}

struct PlannedService {
  # One line of the plan (D56 28.3).
  service @0 :ServiceType;   # what
  description @1 :Text;      # the task
  start @2 :Date;            # start date
  end @3 :Date;              # expected end date
  responsible @4 :Text;      # who is responsible in the commune (role or staff name)
  providerId @5 :Uuid;       # provider mobilised (zero if none)
  cost @6 :Money;            # cost estimate
}

struct Plan {
  # Form 04: the support/intervention plan (D56 28.1-28.3).
  version @0 :UInt32;                 # 1 for the first plan, +1 for each re-plan
  draftedAt @1 :Timestamp;            # when submitted for approval
  author @2 :Actor;                   # the commune child-protection worker
  services @3 :List(PlannedService);  # services and tasks
  goals @4 :Text;                     # objectives
}

struct Approval {
  # Form 05: the commune PC Chair's decision approving the plan (D56 28.4-28.5).
  approvedAt @0 :Timestamp;  # when
  approver @1 :Actor;        # the commune PC Chair
  decisionRef @2 :Text;      # decision number
  planVersion @3 :UInt32;    # plan approved
}

struct Review {
  # Form 06: review and evaluation at the plan's end (D56 30.1-30.2).
  reviewedAt @0 :Timestamp;  # when
  reviewer @1 :Actor;        # the commune worker
  riskRemains @2 :Bool;      # a risk of abuse (or of child labour) remains
  childStable @3 :Bool;      # physically, psychologically, cognitively and emotionally stable
  findings @4 :Text;         # evaluation
  planVersion @5 :UInt32;    # plan reviewed
}

struct FollowUp {
  # A monitoring visit (CLMRS practice, LEGAL-RULES 9.3).
  visitedAt @0 :Timestamp;      # when
  visitor @1 :Actor;            # who
  outOfChildLabour @2 :Bool;    # the child was found no longer in child labour
  inSchool @3 :Bool;            # the child attends school or training
  findings @4 :Text;            # what was seen
}

struct Separation {
  # Temporary separation from the parent or carer (D56 32; form 07).
  startedAt @0 :Timestamp;      # when the separation decision took effect
  decisionRef @1 :Text;         # form 07 decision number
  alternativeCare @2 :Text;     # kind of alternative care or safe shelter
  endsBy @3 :Timestamp;         # latest end: 15 days after start, or as extended
  extensions @4 :List(SeparationExtension);  # extensions, each at an authority's request
  endedAt @5 :Timestamp;        # when it ended (0 while active)
  endReason @6 :Text;           # why it ended (e.g. carers assessed safe on form 03)
}

struct SeparationExtension {
  # An extension of a separation beyond 15 days (D56 32.3).
  at @0 :Timestamp;              # when recorded
  newEndsBy @1 :Timestamp;       # new latest end
  authorityRequest @2 :Text;     # the competent authority's request (body and reference); required
}

enum CourtGround {
  # Grounds to ask the court (LoC 52.3).
  unknown @0;            # not recorded
  carerPerpetrator @1;   # the parent or carer caused the harm or puts the child at risk
  carerRefusesPlan @2;   # the parent or carer refuses the plan
}

struct CourtReferral {
  # A request to the court (LoC 52.3).
  at @0 :Timestamp;        # when the request was made
  ground @1 :CourtGround;  # why
  request @2 :Text;        # what is asked (restrict parental rights, separation, alternative care)
  fromState @3 :CaseState; # the state the case was in
}

enum ClosureReason {
  # Why a case closed.
  unknown @0;            # not recorded
  resolved @1;           # no more risk and the child is stable (D56 30.1.b)
  noProtectionNeed @2;   # the initial assessment found the report unfounded
  childTurned18 @3;      # no longer a child
  movedAway @4;          # moved: transferred to another commune
  deceased @5;           # the child died
  courtDecision @6;      # closed after a court decision
  other @7;              # another reason, given in the note
}

struct Closure {
  # How the case closed.
  closedAt @0 :Timestamp;    # when
  closedBy @1 :Actor;        # the commune PC Chair
  reason @2 :ClosureReason;  # why
  note @3 :Text;             # details; required when the CLMRS two-visit rule is not met
  cleanFollowUps @4 :UInt32; # consecutive follow-ups finding the child out of child labour at closure
}

struct CaseTrigger {
  # The input from classification or risk screening that may open a case (policy as data).
  childId @0 :Uuid;              # the child
  outcome @1 :TriggerOutcome;    # legal classification outcome
  risk @2 :ScreenRisk;            # at-risk screen level
  at @3 :Timestamp;              # when the result was produced
  unitCode @4 :Text;             # commune of the child
}

enum TriggerOutcome {
  # Classification outcome as far as case opening cares. From rules.capnp ClassificationOutcome:
  # notChildLabour and permittedWorkWithViolations -> notChildLabour; unknownCode -> none; the
  # other three map by name.
  none @0;                 # no classification
  notChildLabour @1;       # permitted work or no work
  childLabour @2;          # child labour (non-hazardous)
  hazardousChildLabour @3; # hazardous child labour
  worstForm @4;            # unconditional worst form (trafficking, forced labour, ...)
}

enum ScreenRisk {
  # At-risk screen result (RD-9; rules.capnp RiskLevel low/medium/high, plus "not screened").
  none @0;    # not screened
  low @1;     # low risk
  medium @2;  # medium risk
  high @3;    # high risk
}

struct Case {
  # A child-protection case (hồ sơ quản lý trường hợp).
  id @0 :Uuid;                          # case id
  childId @1 :Uuid;                     # the child
  unitCode @2 :Text;                    # commune handling the case (5 digits)
  kind @3 :CaseKind;                    # what the case is about
  notification @4 :Notification;        # the report (form 01)
  level @5 :ProtectionLevel;            # protection level
  state @6 :CaseState;                  # current state
  history @7 :List(StateChange);        # every transition, oldest first
  deadlines @8 :List(Deadline);         # every clock ever started, oldest first
  initialAssessment @9 :InitialAssessment;   # form 02
  needsAssessments @10 :List(NeedsAssessment); # form 03 (latest last)
  conferences @11 :List(Conference);    # case conferences
  plans @12 :List(Plan);                # form 04, one per (re)plan
  approvals @13 :List(Approval);        # form 05
  reviews @14 :List(Review);            # form 06
  followUps @15 :List(FollowUp);        # monitoring visits
  separation @16 :Separation;           # separation, if any (startedAt 0 when none)
  courtReferrals @17 :List(CourtReferral); # requests to the court
  closure @18 :Closure;                 # set when closed
  trigger @19 :CaseTrigger;             # what opened it, when opened from screening
  hasSeparation @20 :Bool;              # a separation was decided
  hasInitialAssessment @21 :Bool;       # form 02 recorded
  inTime @22 :Bool;                     # every legal deadline so far met ("supported in time", P2)
}

# ---------------------------------------------------------------------------------------------
# Referrals and service providers
# ---------------------------------------------------------------------------------------------

enum ServiceType {
  # Services a child or family is referred to (DOMAIN.md section 5).
  unknown @0;             # not recorded
  generalEducation @1;    # education: general education (phổ thông)
  reEnrolment @2;         # education: return to school
  vocationalTraining @3;  # education: vocational training (học nghề)
  medical @4;             # health: medical care
  psychological @5;       # health: psychological support, therapy
  legalAid @6;            # legal aid (trợ giúp pháp lý)
  cashAssistance @7;      # social assistance: cash (trợ cấp xã hội)
  povertyProgramme @8;    # social assistance: poverty reduction programme
  livelihood @9;          # social assistance: livelihood support for the household
  alternativeCare @10;    # protection: alternative care (chăm sóc thay thế)
  policeTrafficking @11;  # protection: police, for trafficking
}

enum ReferralStatus {
  # Referral lifecycle; "overdue" is derived from dueBy, not stored.
  requested @0;   # sent to the provider
  accepted @1;    # the provider agreed
  declined @2;    # the provider refused (terminal; re-refer with a new referral)
  inProgress @3;  # service being delivered
  completed @4;   # service delivered (terminal)
  revoked @5;     # withdrawn by the case worker (terminal)
}

struct ReferralStatusChange {
  # One entry of a referral's history.
  status @0 :ReferralStatus;  # new status
  at @1 :Timestamp;           # when
  actor @2 :Actor;            # who
  note @3 :Text;              # why
}

struct Consent {
  # Consent of the parent or carer, or an override with its reason.
  given @0 :Bool;              # consent recorded
  givenBy @1 :Text;            # relationship of who consented (e.g. "mother"), not a name
  at @2 :Timestamp;            # when
  overrideReason @3 :Text;     # when consent is absent: why the referral goes ahead (e.g. carer is the perpetrator)
}

struct Referral {
  # A referral of a case's child (or family) to a service.
  id @0 :Uuid;                            # referral id
  caseId @1 :Uuid;                        # the case
  service @2 :ServiceType;                # service requested
  providerId @3 :Uuid;                    # provider (zero if not in the directory)
  requestedAt @4 :Timestamp;              # when requested
  dueBy @5 :Date;                         # agreed date for the service to be delivered
  consent @6 :Consent;                    # consent or override
  status @7 :ReferralStatus;              # current status
  history @8 :List(ReferralStatusChange); # every change, oldest first
  outcome @9 :Text;                       # result when completed, or reason when declined/revoked
  reReferralOf @10 :Uuid;                 # the declined or revoked referral this one replaces (zero if none)
}

enum ProviderKind {
  # Kinds of service providers.
  other @0;                  # anything else
  school @1;                 # school
  vocationalCentre @2;       # vocational training centre
  healthFacility @3;         # commune health station, hospital
  mentalHealth @4;           # psychological service
  legalAidCentre @5;         # state legal aid centre
  socialAssistanceOffice @6; # commune or provincial social assistance
  socialProtectionCentre @7; # social protection / work centre (cơ sở trợ giúp xã hội)
  police @8;                 # police
  ngo @9;                    # non-governmental organisation
  hotline @10;               # Tổng đài 111
}

struct ServiceProvider {
  # An entry of the directory of service providers.
  id @0 :Uuid;                          # provider id
  name @1 :Text;                        # name of the organisation
  kind @2 :ProviderKind;                # kind
  unitCode @3 :Text;                    # admin unit served (province 2 digits or commune 5)
  services @4 :List(ServiceType);       # services offered
  contact @5 :Text;                     # phone or address of the organisation
}

# ---------------------------------------------------------------------------------------------
# Commands: one struct per transition (each may be put in the global Command union), plus the
# CaseCommand wrapper. The instant and the actor come from the command envelope.
# ---------------------------------------------------------------------------------------------

struct OpenCase {
  # Opens a case from a report (form 01). The case starts in `reported`.
  caseId @0 :Uuid;                 # new case id
  childId @1 :Uuid;                # the child
  unitCode @2 :Text;               # commune handling it
  kind @3 :CaseKind;               # what it is about
  notification @4 :Notification;   # the report
  level @5 :ProtectionLevel;       # initial protection level
  trigger @6 :CaseTrigger;         # set when opened from screening
}

struct ForwardCase {
  # Forwards the case to the commune where the incident happened (D56 26.1).
  toUnitCode @0 :Text;  # receiving commune
}

struct RecordInitialAssessment {
  # Records form 02; moves to initialAssessed.
  assessment @0 :InitialAssessment;  # the form
}

struct StartEmergency {
  # Emergency measures applied (D56 26.3, 31); moves to emergency.
  measures @0 :Text;  # what was done (police stop harm, first aid, evidence kept, safe place)
}

struct SeparateChild {
  # Temporary separation decided (D56 32, form 07); moves to separated. Commune PC Chair only.
  decisionRef @0 :Text;      # form 07 decision number
  alternativeCare @1 :Text;  # alternative care or safe shelter
}

struct ExtendSeparation {
  # Extends a separation beyond 15 days: only at a competent authority's request (D56 32.3).
  newEndsBy @0 :Timestamp;    # new latest end
  authorityRequest @1 :Text;  # the request (body, reference): required
}

struct EndSeparation {
  # Ends a separation (carers assessed safe, or long-term care decided).
  reason @0 :Text;  # why
}

struct RecordNeedsAssessment {
  # Records form 03; moves to needsAssessed.
  assessment @0 :NeedsAssessment;  # the form
}

struct HoldConference {
  # Records the case conference; moves to conferenceHeld. Starts the 5-working-day plan clock.
  conference @0 :Conference;  # the meeting
}

struct DraftPlan {
  # Submits a plan (form 04 + draft 05); moves to planDrafted. Starts the 2-working-day clock.
  plan @0 :Plan;  # the plan
}

struct ApprovePlan {
  # The commune PC Chair approves the plan (form 05); moves to planApproved.
  decisionRef @0 :Text;  # decision number
}

struct StartPlan {
  # The decision and plan were sent to the implementers and carers (D56 28.5); moves to inProgress.
  note @0 :Text;  # details
}

struct RecordReview {
  # Records form 06; moves to reviewed.
  review @0 :Review;  # the evaluation
}

struct Replan {
  # Risk remains after review: a new plan is needed (D56 30.1.c); moves to replan.
  reason @0 :Text;  # why
}

struct ReferToCourt {
  # Asks the court (LoC 52.3); allowed from any open state; moves to courtReferral.
  ground @0 :CourtGround;  # why
  request @1 :Text;        # what is asked
}

struct ResumeAfterCourt {
  # After the court's decision the case continues: to needsAssessed (reassess) or replan.
  target @0 :CaseState;  # needsAssessed or replan
  courtDecision @1 :Text; # what the court decided
}

struct RecordFollowUp {
  # Records a monitoring visit; no state change.
  followUp @0 :FollowUp;  # the visit
}

struct CloseCase {
  # Closes the case (D56 30.1.b). Commune PC Chair only.
  reason @0 :ClosureReason;  # why
  note @1 :Text;             # required unless the case is resolved by the rules (see docs/cases.md)
}

struct RequestReferral {
  # Refers the child or family to a service. Needs consent or an override with its reason.
  referralId @0 :Uuid;     # new referral id
  service @1 :ServiceType; # service
  providerId @2 :Uuid;     # provider (zero if not in the directory)
  dueBy @3 :Date;          # agreed date
  consent @4 :Consent;     # consent or override
  reReferralOf @5 :Uuid;   # a declined or revoked referral this replaces (zero if none)
}

struct UpdateReferral {
  # Moves a referral along its lifecycle.
  referralId @0 :Uuid;         # the referral
  status @1 :ReferralStatus;   # new status (accepted, declined, inProgress, completed, revoked)
  note @2 :Text;               # reason or outcome
}

struct CaseCommand {
  # One change to a case. The instant and actor come from the command envelope.
  caseId @0 :Uuid;   # the case (for openCase: same as openCase.caseId)
  reason @1 :Text;   # why (recorded in the history)
  body :union {
    openCase @2 :OpenCase;                           # open
    forward @3 :ForwardCase;                         # forward to the commune
    initialAssessment @4 :RecordInitialAssessment;   # form 02
    startEmergency @5 :StartEmergency;               # emergency measures
    separate @6 :SeparateChild;                      # form 07
    extendSeparation @7 :ExtendSeparation;           # extension at an authority's request
    endSeparation @8 :EndSeparation;                 # end of separation
    needsAssessment @9 :RecordNeedsAssessment;       # form 03
    conference @10 :HoldConference;                  # case conference
    draftPlan @11 :DraftPlan;                        # form 04
    approvePlan @12 :ApprovePlan;                    # form 05
    startPlan @13 :StartPlan;                        # carry out
    review @14 :RecordReview;                        # form 06
    replan @15 :Replan;                              # re-plan
    referToCourt @16 :ReferToCourt;                  # court
    resumeAfterCourt @17 :ResumeAfterCourt;          # after the court
    followUp @18 :RecordFollowUp;                    # monitoring visit
    close @19 :CloseCase;                            # closure
    requestReferral @20 :RequestReferral;            # referral
    updateReferral @21 :UpdateReferral;              # referral status
  }
}

# ---------------------------------------------------------------------------------------------
# "What is due": query and report
# ---------------------------------------------------------------------------------------------

struct DeadlineQuery {
  # Which open deadlines to list at an instant.
  at @0 :Timestamp;              # the instant of the question
  dueSoonWithinHours @1 :UInt32; # window for "due soon" (e.g. 48)
  unitCodes @2 :List(Text);      # only cases handled by these units (commune codes; empty = all)
  caseId @3 :Uuid;               # only this case (zero = all)
  includeOverdue @4 :Bool;       # list overdue items
  includeDueSoon @5 :Bool;       # list items due within the window
  includeLater @6 :Bool;         # list items due after the window
  limit @7 :UInt32;              # at most this many items (0 = no limit); counts are always complete
}

enum DueStatus {
  # Where an open deadline stands at the query instant.
  later @0;    # due after the window
  dueSoon @1;  # due within the window
  overdue @2;  # past due, not met
}

struct DueItem {
  # One open deadline.
  caseId @0 :Uuid;          # the case
  referralId @1 :Uuid;      # the referral, for referralDue (zero otherwise)
  kind @2 :DeadlineKind;    # which step
  dueAt @3 :Timestamp;      # by when
  status @4 :DueStatus;     # overdue / due soon / later
  state @5 :CaseState;      # case state now
  unitCode @6 :Text;        # commune of the case
  citation @7 :Text;        # legal source of the deadline
}

struct DeadlineReport {
  # Answer to a DeadlineQuery; items sorted by dueAt, oldest first.
  at @0 :Timestamp;           # the instant asked about
  items @1 :List(DueItem);    # the items (possibly limited)
  overdueCount @2 :UInt32;    # all overdue items matching the filter
  dueSoonCount @3 :UInt32;    # all due-soon items matching the filter
  laterCount @4 :UInt32;      # all later items matching the filter
  truncated @5 :Bool;         # items were cut at `limit`
}
