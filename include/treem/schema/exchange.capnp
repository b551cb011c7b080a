# treem exchange: de-identified exports for upward reporting and the conflicts a province merge
# of commune data records for review (docs/exchange.md). Part of the public contract: evolve only
# by adding fields and enumerants (never renumber, retype or reuse an ordinal).
@0xdebdaed413eed4c7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;
using Timestamp = Common.Timestamp;
using Uuid = Common.Uuid;
using LegalAgeBand = Common.LegalAgeBand;
using StatAgeBand = Common.StatAgeBand;

using Commands = import "/treem/schema/commands.capnp";
using Snapshot = Commands.Snapshot;
using RecordKind = Commands.RecordKind;

# ---------------------------------------------------------------------------------------------
# De-identified export

enum BirthDatePrecision {
  # How person birth dates are coarsened in a de-identified export.
  unknown @0;   # not recorded (default value only)
  month @1;     # year and month kept, day set to 1 (the `estimated` flag is kept)
  year @2;      # year kept: date set to 1 July of the year and `estimated` set to true
  ageBand @3;   # birth date removed; the age bands at `referenceDate` are in `ageBands`
}

struct PersonAgeBand {
  # The age bands of one person on the export's reference date (birth date itself withheld).
  personId @0 :Uuid;                 # the person's pseudonymous id (as in the exported snapshot)
  known @1 :Bool;                    # false when the birth date is unset or after the reference date
  legalBand @2 :LegalAgeBand;        # Labour Code Art 143 band (RD-1); meaningful when known
  statBand @3 :StatAgeBand;          # ILO / SDG 8.7.1 band (RD-1); meaningful when known
  legalBandUncertain @4 :Bool;       # an estimated birth date leaves the legal band undecided
  statBandUncertain @5 :Bool;        # an estimated birth date leaves the statistical band undecided
}

struct DeidentifiedExport {
  # A de-identified snapshot for upward reporting (DOMAIN.md section 7) with, when birth dates
  # are replaced by age bands, one PersonAgeBand per exported person.
  snapshot @0 :Snapshot;                        # the de-identified state (header.deidentified = true)
  birthDatePrecision @1 :BirthDatePrecision;    # how Person.birthDate was coarsened
  referenceDate @2 :Date;                       # the day age bands are computed on (ageBand precision)
  ageBands @3 :List(PersonAgeBand);             # one per person, in snapshot order (ageBand precision)
}

# ---------------------------------------------------------------------------------------------
# Province merge conflicts

enum MergeConflictReason {
  # Why an incoming change was not applied by a province merge.
  unknown @0;             # not recorded (default value only)
  divergentVersions @1;   # the record was changed in two stores; neither version derives from the other
  foreignOperation @2;    # an operation (case step, link, consent, status) on a record last changed by another store
  foreignDelete @3;       # a deletion of a record last changed by another store
}

struct MergeConflict {
  # One record changed in two places, kept for review instead of being overwritten. The
  # canonical bytes are serde::Canonical of the record (or of the incoming command for
  # operations); empty when the province did not keep the bytes of its current version.
  kind @0 :RecordKind;             # kind of the record
  id @1 :Uuid;                     # record id
  reason @2 :MergeConflictReason;  # what kind of conflict
  currentOrigin @3 :Uuid;          # store that made the province's current version
  currentSeq @4 :UInt64;           # seq of that version in its store (64-bit: a JSON string)
  currentCanonical @5 :Data;       # canonical bytes of the current version (may be empty)
  incomingOrigin @6 :Uuid;         # store the incoming version comes from
  incomingSeq @7 :UInt64;          # seq of the incoming version in its store (snapshot: its lastSeq)
  incomingCanonical @8 :Data;      # canonical bytes of the incoming record or command
  detectedAt @9 :Timestamp;        # when the merge found it
}

struct MergeConflictList {
  # The conflicts found by one merge.
  conflicts @0 :List(MergeConflict);  # in input order
}

# ---------------------------------------------------------------------------------------------
# CSV import report

struct CsvImportIssue {
  # One problem found in an imported CSV file. Never contains a personal value: for personal
  # columns (names, national ids, dates, ethnicity, disability, special groups) only the
  # reason is given.
  file @0 :Text;       # "households.csv" or "children.csv"
  line @1 :UInt32;     # 1-based physical line where the row starts (0 = the file as a whole)
  column @2 :Text;     # canonical header name, e.g. "birth_date" (empty for row-level problems)
  reason @3 :Text;     # what is wrong, e.g. "not a calendar date"
  message @4 :Text;    # the full line: "children.csv: line 17, column birth_date: not a calendar date"
}

struct CsvImportReport {
  # The outcome of a CSV import: the commands to submit and the problems found.
  commands @0 :Commands.CommandBatch;  # commands in submission order (empty when refused)
  issues @1 :List(CsvImportIssue);     # every problem found, in file and line order
  householdRows @2 :UInt32;            # household rows read (blank lines excluded)
  childRows @3 :UInt32;                # child rows read
  householdsImported @4 :UInt32;       # households turned into commands
  childrenImported @5 :UInt32;         # children turned into commands
}
