# treem rules: requests and results of the legal (Labour Code) and statistical (ILO / SDG 8.7.1)
# classification of children's work, the child-level verdict, the at-risk screen, and the
# code-list entries the rules refer to. The rule rows themselves are data (data/rules/*.csv,
# see docs/rules.md); results always name the rule set and version that produced them.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal).
@0xc900ca9ecb1736b0;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Date = import "/treem/schema/common.capnp".Date;
using BirthDate = import "/treem/schema/common.capnp".BirthDate;
using Citation = import "/treem/schema/common.capnp".Citation;
using Confidence = import "/treem/schema/common.capnp".Confidence;
using MoneyRange = import "/treem/schema/common.capnp".MoneyRange;
using LegalAgeBand = import "/treem/schema/common.capnp".LegalAgeBand;
using StatAgeBand = import "/treem/schema/common.capnp".StatAgeBand;
using WorkActivity = import "/treem/schema/work.capnp".WorkActivity;
using ProtectionLevel = import "/treem/schema/cases.capnp".ProtectionLevel;

# ---------------------------------------------------------------------------------------------
# Rule sets and code lists
# ---------------------------------------------------------------------------------------------

enum RuleSetKind {
  # What a rule set judges.
  legal @0;        # Vietnamese law (Labour Code and circulars): violations and outcome
  statistical @1;  # ILO 18th ICLS / SDG 8.7.1 statistical definition (two series)
}

struct RuleSetRef {
  # Identity of the rule set that produced a result (recorded with every derived fact).
  id @0 :Text;              # e.g. "VN-LC2019", "VN-LC2012", "ILO-SDG871"
  version @1 :Text;         # data version of the rule rows, e.g. "2026.1"
  kind @2 :RuleSetKind;     # legal or statistical
  effectiveFrom @3 :Date;   # first day the rule set applies to (inclusive)
  effectiveTo @4 :Date;     # last day it applies to (inclusive); zero = still in force
  name @5 :Text;            # English name, e.g. "Labour Code 2019 + Circular 09/2020"
  citation @6 :Citation;    # the instruments behind the rule set as a whole
}

struct CodeEntry {
  # One item of a code list (job or workplace), e.g. "ART147-1-e" or "TT09-A2-04".
  code @0 :Text;              # the code as used in WorkActivity.jobCode / workplaceCode
  family @1 :Text;            # the list it belongs to: the code up to its last '-' ("TT09-A2")
  nameVi @2 :Text;            # name in Vietnamese
  nameEn @3 :Text;            # name in English
  source @4 :Text;            # where the item comes from (instrument, article or annex, or the user's file)
  confidence @5 :Confidence;  # [C] / [S] / [U] of the item (user-loaded items carry what the file says)
}

# ---------------------------------------------------------------------------------------------
# Classification of one activity
# ---------------------------------------------------------------------------------------------

enum ClassificationOutcome {
  # The legal outcome of a work activity (or a child's activities), from least to most severe;
  # `unknownCode` is outside that order (see ClassificationResult.outcome).
  notChildLabour @0;                # permitted work, no violation (or no economic work at all)
  permittedWorkWithViolations @1;   # permitted work with procedural (employer) violations only (RD-2 rows 12-16)
  childLabour @2;                   # lao động trẻ em: work contrary to the law (RD-2 rows 1-3, 5-7, 10-11)
  hazardousChildLabour @3;          # hazardous child labour (RD-2 rows 4, 8, 9)
  worstForm @4;                     # an unconditional worst form (RD-2 row 0): trafficking, forced labour, CSEC, illicit
  unknownCode @5;                   # the outcome depends on a job or workplace code the loaded lists do not know
}

enum RuleStatus {
  # How a rule row came out for an activity.
  fired @0;         # its condition holds
  undetermined @1;  # its condition depends on an unknown code (UNKNOWN_CODE); not counted as fired
}

struct Violation {
  # A rule row (RD-2 legal, or RD-3 statistical criterion) that fired or could not be decided.
  code @0 :Text;                      # e.g. "EXCESS_HOURS_U15", "PROHIBITED_JOB", "ECON_HOURS_12_14"
  row @1 :Text;                       # row id in the rule set, e.g. "5" (RD-2 row 5) or "S2"
  status @2 :RuleStatus;              # fired or undetermined
  severity @3 :ClassificationOutcome; # what the row implies when it fires
  citation @4 :Citation;              # legal article (or statistical source) and confidence
  fineKnown @5 :Bool;                 # true when an administrative fine range is recorded for the row
  fine @6 :MoneyRange;                # administrative fine range (VND, individuals; organisations pay double)
  explanation @7 :Text;               # English sentence: what was found (never personal data)
}

struct UnknownCode {
  # A code the loaded code lists do not contain (the classification says so, never guesses).
  field @0 :Text;  # "jobCode" or "workplaceCode"
  code @1 :Text;   # the code as given
}

struct AgeInfo {
  # The age used, in completed years on the activity date (Civil Code 2015 Arts 147-148).
  age @0 :UInt8;                  # from the recorded birth date
  minAge @1 :UInt8;               # youngest possible (estimated birth: born 31 December of the year)
  maxAge @2 :UInt8;               # oldest possible (estimated birth: born 1 January of the year)
  legalBand @3 :LegalAgeBand;     # Labour Code band (RD-1)
  statBand @4 :StatAgeBand;       # ILO / SDG band (RD-1)
  legalBandUncertain @5 :Bool;    # min and max ages fall in different legal bands
  statBandUncertain @6 :Bool;     # min and max ages fall in different statistical bands
  estimated @7 :Bool;             # the birth date is estimated
}

enum SdgStatus {
  # The statistical status of an activity (or child) in one SDG 8.7.1 series.
  no @0;             # not in child labour in this series
  yes @1;            # in child labour in this series
  unknown @2;        # depends on an unknown code
  outOfScope @3;     # the child is under 5 (only ages 5-17 are counted)
}

struct StatisticalResult {
  # ILO 18th ICLS / SDG 8.7.1 classification (RD-3); the two series are kept apart.
  ruleSet @0 :RuleSetRef;          # e.g. ILO-SDG871
  economic @1 :SdgStatus;          # series SL_TLF_CHLDEA: economic activity only
  withChores @2 :SdgStatus;        # series SL_TLF_CHLDEC: economic activity and household chores
  hazardous @3 :SdgStatus;         # hazardous subset (hazardous work, long hours 15-17, worst forms)
  criteria @4 :List(Violation);    # the statistical criteria that fired or were undetermined
}

struct LegalResult {
  # Vietnamese-law classification (RD-2).
  ruleSet @0 :RuleSetRef;                     # e.g. VN-LC2019 version 2026.1
  outcome @1 :ClassificationOutcome;          # the outcome, or unknownCode when an undetermined row could make it worse
  determinedOutcome @2 :ClassificationOutcome; # the outcome from the rows that fired (a lower bound when outcome = unknownCode)
  violations @3 :List(Violation);             # every row that fired, then every undetermined row
  outcomeIfYoungest @4 :ClassificationOutcome; # outcome at AgeInfo.minAge (differs only for uncertain bands)
  outcomeIfOldest @5 :ClassificationOutcome;   # outcome at AgeInfo.maxAge
}

struct ClassifyRequest {
  # Classify one work activity of one child.
  birthDate @0 :BirthDate;          # the child's birth date (estimated flag honoured)
  activity @1 :WorkActivity;        # the work as observed
  ruleSetId @2 :Text;               # legal rule set to apply; empty = the one in force on the activity date
  statisticalRuleSetId @3 :Text;    # statistical rule set; empty = the one in force on the activity date
}

struct ClassificationResult {
  # The explained classification of one activity.
  activityDate @0 :Date;                  # the date judged (observedOn, else end of the reference week)
  age @1 :AgeInfo;                        # age and bands used
  legal @2 :LegalResult;                  # Vietnamese-law outcome and violations
  statistical @3 :StatisticalResult;      # SDG 8.7.1 series
  unknownCodes @4 :List(UnknownCode);     # codes not in the loaded lists (UNKNOWN_CODE)
  codes @5 :List(CodeEntry);              # the known job and workplace entries used, with their confidence
}

# ---------------------------------------------------------------------------------------------
# Child-level verdict
# ---------------------------------------------------------------------------------------------

struct ChildVerdictRequest {
  # Judge all of a child's activities in a period (inclusive dates).
  birthDate @0 :BirthDate;              # the child's birth date
  activities @1 :List(WorkActivity);    # the child's activities (those dated outside the period are skipped)
  periodStart @2 :Date;                 # first day of the period
  periodEnd @3 :Date;                   # last day of the period
  ruleSetId @4 :Text;                   # legal rule set to force; empty = by each activity's date
  statisticalRuleSetId @5 :Text;        # statistical rule set to force; empty = by date
}

struct ChildVerdict {
  # The worst outcome over the period, with every reason kept.
  outcome @0 :ClassificationOutcome;            # worst outcome (unknownCode when an undecided row could be worse)
  determinedOutcome @1 :ClassificationOutcome;  # worst outcome among rows that fired
  economic @2 :SdgStatus;                       # SDG series CHLDEA over the period
  withChores @3 :SdgStatus;                     # SDG series CHLDEC over the period
  hazardous @4 :SdgStatus;                      # SDG hazardous subset over the period
  activitiesConsidered @5 :UInt32;              # activities dated within the period
  activitiesSkipped @6 :UInt32;                 # activities dated outside the period
  results @7 :List(ClassificationResult);       # one per considered activity, in input order
  worstActivity @8 :Int32;                      # index into `results` of the first activity with the worst outcome; -1 if none
  violationCodes @9 :List(Text);                # every distinct violation code that fired, in first-seen order
}

# ---------------------------------------------------------------------------------------------
# At-risk screen (RD-9; non-official, weights are data)
# ---------------------------------------------------------------------------------------------

enum RiskAnswerValue {
  # An answer to one screening factor.
  unknown @0;  # not asked or not known (contributes nothing; listed as unanswered)
  no @1;       # the factor is absent
  yes @2;      # the factor is present (contributes its weight)
}

struct RiskAnswer {
  # One factor's answer, e.g. factor "school.dropped_out", answer yes.
  factor @0 :Text;             # factor id from the screen configuration
  answer @1 :RiskAnswerValue;  # yes / no / unknown
}

struct RiskScreenRequest {
  # Screen one child for the risk of becoming a child labourer.
  screenId @0 :Text;                              # screen configuration; empty = the default ("RISK-RD9")
  answers @1 :List(RiskAnswer);                   # answers per factor (each factor at most once)
  classificationOutcome @2 :ClassificationOutcome; # the child's current legal outcome, if classified (default: none found)
  statisticalChildLabour @3 :Bool;                # the child is in child labour in an SDG series
}

enum RiskLevel {
  # Screen level from the score and the configured thresholds.
  low @0;     # below the medium threshold
  medium @1;  # at or above the medium threshold
  high @2;    # at or above the high threshold
}

struct FactorContribution {
  # How one factor contributed to the score.
  factor @0 :Text;             # factor id
  group @1 :Text;              # RD-9 group: schooling, household, family, child, mobility, activity, community
  answer @2 :RiskAnswerValue;  # the answer given (unknown when not answered)
  weight @3 :Int32;            # configured weight
  contribution @4 :Int32;      # weight when the answer is yes, else 0
  source @5 :Text;             # basis of the factor (e.g. "LoC 10.h; NCLS 2018")
  nameEn @6 :Text;             # English label
  nameVi @7 :Text;             # Vietnamese label
}

struct RiskResult {
  # The screen's explained result.
  screenId @0 :Text;                            # e.g. "RISK-RD9"
  version @1 :Text;                             # configuration version
  score @2 :Int32;                              # sum of contributions
  maxScore @3 :Int32;                           # sum of all weights (for scale)
  level @4 :RiskLevel;                          # from the thresholds
  protectionLevel @5 :ProtectionLevel;          # prevention (low), support (medium/high), intervention (child labour found)
  contributions @6 :List(FactorContribution);   # every factor of the screen, in configuration order
  unanswered @7 :UInt32;                        # factors with no answer or answer unknown
  mediumThreshold @8 :Int32;                    # configured threshold for medium
  highThreshold @9 :Int32;                      # configured threshold for high
  reason @10 :Text;                             # English sentence explaining the protection level
}
