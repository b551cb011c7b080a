# treem indicators: definitions (numerator / denominator, unit, direction), periods, programme
# plans with targets (Decision 782/QĐ-TTg, a province's or a commune's own plan), computed values
# per admin unit, period and disaggregation, and reports. Values keep numerator and denominator
# so that they add up the unit hierarchy exactly; ratios are computed last, never averaged.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal).
@0xbf55bbdc43cecf1d;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;
using Timestamp = Common.Timestamp;
using Uuid = Common.Uuid;
using Sex = Common.Sex;
using StatAgeBand = Common.StatAgeBand;
using Actor = Common.Actor;
using Citation = Common.Citation;
using People = import "/treem/schema/people.capnp";
using AdminLevel = import "/treem/schema/units.capnp".AdminLevel;

# ---------------------------------------------------------------------------------------------
# Definitions

enum Direction {
  # Which way is good for an indicator (hướng chỉ tiêu).
  unknown @0;    # not stated
  atLeast @1;    # the value must reach the target or more (e.g. P2 100%, P4 >= 90%)
  atMost @2;     # the value must not exceed the target (e.g. P1 <= 4.9%)
  minimise @3;   # as low as possible, no number (e.g. P10 hazardous share, "to the lowest level")
  maximise @4;   # as high as possible, no number
}

enum IndicatorUnit {
  # How a value is expressed.
  unknown @0;         # not stated
  percent @1;         # 100 x numerator / denominator
  count @2;           # the numerator alone (no denominator)
  perThousand @3;     # 1000 x numerator / denominator
  ratio @4;           # numerator / denominator
  vnd @5;             # an amount in đồng (numerator only)
}

struct CountDefinition {
  # What a numerator or denominator counts.
  textVi @0 :Text;    # definition in Vietnamese, as in the programme text
  textEn @1 :Text;    # definition in English
  selector @2 :Text;  # machine key of the built-in counter, e.g. "CHILDREN_5_17_CHILD_LABOUR"; empty = none (count indicators have no denominator)
}

enum AgeReference {
  # Which day a population's age is counted on.
  periodEnd @0;     # age on the last day of the period (the default)
  periodStart @1;   # age on the first day
  eventDate @2;     # age on the date of each counted event (e.g. the report date of a case)
}

enum DisaggregationDimension {
  # A breakdown the engine can apply (DOMAIN.md section 6).
  unknown @0;      # not a valid dimension (default value only)
  sex @1;          # giới tính
  statBand @2;     # ILO / SDG age band 5-11, 12-14, 15-17
  ethnicity @3;    # full GSO ethnicity code
  ethnicMinority @4; # Kinh versus ethnic minorities (dân tộc thiểu số)
  poverty @5;      # household poverty status
  residence @6;    # rural / urban
}

struct IndicatorDefinition {
  # One indicator (chỉ tiêu), e.g. P1 child labour rate among children 5-17.
  id @0 :Text;                                        # stable code, e.g. "P1" (codes, not UUIDs: they are shared by every plan and report)
  nameVi @1 :Text;                                    # tên chỉ tiêu
  nameEn @2 :Text;                                    # English name
  numerator @3 :CountDefinition;                      # tử số
  denominator @4 :CountDefinition;                    # mẫu số (empty selector for count indicators)
  unit @5 :IndicatorUnit;                             # percent, count, ...
  direction @6 :Direction;                            # which way is good
  ageReference @7 :AgeReference;                     # when ages are counted
  dimensions @8 :List(DisaggregationDimension);       # breakdowns that make sense for it
  citations @9 :List(Citation);                       # sources (e.g. Decision 782 objective 1)
  version @10 :Text;                                  # definition version, e.g. "2026.1"
  operational @11 :Bool;                              # an operational figure (cases, inspections), not a plan indicator
}

# ---------------------------------------------------------------------------------------------
# Periods

enum PeriodKind {
  # Kỳ báo cáo.
  unknown @0;  # not valid (default value only)
  year @1;     # calendar year
  half @2;     # half-year: index 1 (Jan-Jun) or 2 (Jul-Dec)
  quarter @3;  # quarter: index 1..4
  month @4;    # month: index 1..12
  custom @5;   # any range given by start and end (e.g. a plan's 2021-2030)
}

struct Period {
  # A reporting period. For year/half/quarter/month, `year` and `index` define it and start/end
  # may be filled for convenience; for custom both start and end are required.
  kind @0 :PeriodKind;  # kind
  year @1 :Int16;       # calendar year (year/half/quarter/month)
  index @2 :UInt8;      # half 1..2, quarter 1..4, month 1..12; 0 for year and custom
  start @3 :Date;       # first day (inclusive)
  end @4 :Date;         # last day (inclusive); also the reference date for populations
}

# ---------------------------------------------------------------------------------------------
# Plans and targets

struct Target {
  # One target of a plan.
  indicatorId @0 :Text;        # IndicatorDefinition.id
  value @1 :Float64;           # target in the indicator's unit (percent: 4.9 means 4.9%); a percent above 100 is invalid
  direction @2 :Direction;     # overrides the definition's direction when set (not unknown)
  byYear @3 :Int16;            # year the target is to be reached, e.g. 2025 or 2030
  scope @4 :Text;              # sub-population the target applies to, e.g. "commune officials" (P8 70%)
  scopeLevel @5 :AdminLevel;   # tier the target applies to, when it differs by tier (P8: province 90%, commune 70%)
  printed @6 :Text;            # the target as printed in the source, e.g. "trên 100%" (kept even when invalid)
  note @7 :Text;               # free text
}

struct ProgrammePlan {
  # A plan (kế hoạch) with targets: the national programme, or a province's or commune's own.
  # Named ProgrammePlan because cases.capnp has a Plan (form 04).
  id @0 :Uuid;                  # record id
  number @1 :Text;              # document number, e.g. "81/KH-UBND"
  title @2 :Text;               # title
  issuingUnitCode @3 :Text;     # admin unit that issued it ("" for national)
  issuingLevel @4 :AdminLevel;  # national / province / district / commune
  issuedOn @5 :Date;            # date signed
  period @6 :Period;            # period covered (usually custom, e.g. 2021-2025)
  parentPlanId @7 :Uuid;        # the higher-level plan it implements, when loaded
  parentReference @8 :Text;     # the higher-level instrument as cited, e.g. "Quyết định 782/QĐ-TTg"
  targets @9 :List(Target);     # targets per indicator
  note @10 :Text;               # free text
}

# ---------------------------------------------------------------------------------------------
# Values and reports

struct Disaggregation {
  # The cell a value belongs to. Each dimension has a flag: when it is false the value covers
  # every category of that dimension (a total). All flags false = the overall total.
  bySex @0 :Bool;                     # sex is fixed
  sex @1 :Sex;                        # the sex (when bySex)
  byStatBand @2 :Bool;                # statistical age band is fixed
  statBand @3 :StatAgeBand;           # the band (when byStatBand)
  byEthnicity @4 :Bool;               # ethnicity is fixed
  ethnicity @5 :People.Ethnicity;     # the group (when byEthnicity)
  byEthnicMinority @6 :Bool;          # Kinh / minority split is fixed
  ethnicMinority @7 :Bool;            # true = ethnic minorities, false = Kinh (when byEthnicMinority)
  byPoverty @8 :Bool;                 # poverty status is fixed
  poverty @9 :People.PovertyStatus;   # the status (when byPoverty)
  byResidence @10 :Bool;              # rural/urban is fixed
  residence @11 :People.Residence;    # the area (when byResidence)
}

enum TargetStatus {
  # A value compared with its target.
  noTarget @0;  # no target applies
  met @1;       # meets the target (or moved the right way, for minimise/maximise)
  notMet @2;    # does not meet it
  unknown @3;   # cannot tell (denominator zero, suppressed, or no baseline for minimise)
}

struct IndicatorValue {
  # One indicator for one unit, period and disaggregation cell.
  indicatorId @0 :Text;              # IndicatorDefinition.id
  unitCode @1 :Text;                 # admin unit (the sum over its sub-units)
  period @2 :Period;                 # period
  disaggregation @3 :Disaggregation; # cell (null = overall total)
  numerator @4 :Int64;               # tử số (64-bit: a JSON string)
  denominator @5 :Int64;             # mẫu số; 0 for count indicators
  value @6 :Float64;                 # computed in the indicator's unit from numerator and denominator (NaN when the denominator is 0)
  suppressed @7 :Bool;               # small-cell protection applied: numerator and denominator are withheld (0)
  target @8 :Float64;                # target applied (when targetStatus is not noTarget)
  targetStatus @9 :TargetStatus;     # met / not met
  recordIds @10 :List(Uuid);         # provenance on request: records counted in the numerator (never in upward reports)
}

enum SuppressionMethod {
  # Small-cell protection for upward reports.
  none @0;      # no protection (internal use only)
  suppress @1;  # withhold counts in [minCount, maxCount]
  round @2;     # round counts to a multiple of `base`
}

struct SuppressionRule {
  # The small-cell rule applied to a report (rule as data).
  method @0 :SuppressionMethod;  # how
  minCount @1 :UInt32;           # smallest protected count (usually 1)
  maxCount @2 :UInt32;           # largest protected count (usually 4)
  base @3 :UInt32;               # rounding base for `round` (e.g. 5)
}

enum MapVersion {
  # Which administrative map a report is drawn on (DOMAIN.md section 8).
  asRecorded @0;   # units as recorded in each record
  before2025 @1;   # the three-tier map before 2025-07-01
  from2025 @2;     # the two-tier map from 2025-07-01
}

struct Report {
  # An indicator report (báo cáo) for a unit and period.
  id @0 :Uuid;                                  # report id
  title @1 :Text;                               # title
  unitCode @2 :Text;                            # unit reported on
  unitLevel @3 :AdminLevel;                     # its tier
  period @4 :Period;                            # period
  planId @5 :Uuid;                              # plan whose targets are applied (unset = none)
  generatedAt @6 :Timestamp;                    # when produced
  generatedBy @7 :Actor;                        # who asked for it
  definitions @8 :List(IndicatorDefinition);    # the definitions used (the report is self-describing)
  values @9 :List(IndicatorValue);              # the values
  suppression @10 :SuppressionRule;             # small-cell rule applied
  deidentified @11 :Bool;                       # no personal data (true for upward reports)
  mapVersion @12 :MapVersion;                   # administrative map
  ruleSets @13 :List(Text);                     # rule sets and versions used, e.g. "VN-LC2019@2026.1"
  notes @14 :List(Text);                        # remarks (e.g. indicators skipped and why)
}
