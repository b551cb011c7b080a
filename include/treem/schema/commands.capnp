# treem commands, journal entries and snapshots. Every mutation of a store is one Command
# (DOMAIN.md section 2: who, when, from which source); the journal of commands is the audit
# trail and the replication unit; a Snapshot holds the whole state as lists of records.
# Part of the public contract: evolve only by adding fields, enumerants and union members
# (never renumber, retype or reuse an ordinal). A reader that meets a union member it does not
# know sees which() == an unknown value and must refuse the command, never skip it silently.
@0x9f6754a6cd871296;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;
using Timestamp = Common.Timestamp;
using Uuid = Common.Uuid;
using Actor = Common.Actor;
using DataSource = Common.DataSource;

using Units = import "/treem/schema/units.capnp";
using People = import "/treem/schema/people.capnp";
using Work = import "/treem/schema/work.capnp";
using Rules = import "/treem/schema/rules.capnp";
using Cases = import "/treem/schema/cases.capnp";
using Prevention = import "/treem/schema/prevention.capnp";
using Indicators = import "/treem/schema/indicators.capnp";

const formatVersion :UInt32 = 1;
# Version of the journal and snapshot format written by this release. Bumped only when a change
# needs new reader logic; readers refuse data whose minReaderVersion exceeds what they support.

# ---------------------------------------------------------------------------------------------
# Records that no other schema file holds

struct RiskAssessment {
  # One at-risk screening of a child (RD-9): the answers given and the explained result.
  id @0 :Uuid;                         # record id
  childId @1 :Uuid;                    # the child (Person.id)
  date @2 :Date;                       # day of the screening
  assessor @3 :Actor;                  # who screened
  request @4 :Rules.RiskScreenRequest; # screen id and the answers per factor
  result @5 :Rules.RiskResult;         # score, level, contributions, screen version
  note @6 :Text;                       # free text
}

# ---------------------------------------------------------------------------------------------
# Small command bodies

enum RecordKind {
  # The kinds of stored records, for commands that address a record by kind and id.
  unknown @0;                 # not valid (default value only)
  household @1;               # People.Household
  person @2;                  # People.Person
  establishment @3;           # Work.Establishment
  workActivity @4;            # Work.WorkActivity
  riskAssessment @5;          # RiskAssessment
  case @6;                    # Cases.Case
  referral @7;                # Cases.Referral
  serviceProvider @8;         # Cases.ServiceProvider
  communicationActivity @9;   # Prevention.CommunicationActivity
  trainingSession @10;        # Prevention.TrainingSession
  inspection @11;             # Prevention.Inspection
  commitment @12;             # Prevention.Commitment
  programmePlan @13;          # Indicators.ProgrammePlan
  indicatorDefinition @14;    # Indicators.IndicatorDefinition (addressed by its text id, RecordRef.code)
  adminUnit @15;              # Units.AdminUnit (addressed by its code, RecordRef.code)
}

struct DeleteRecord {
  # Removes a record from the current state (the journal keeps the history). Used for records
  # entered in error and for erasure requests under Decree 13/2023.
  kind @0 :RecordKind;  # kind of the record
  id @1 :Uuid;          # its id
  reason @2 :Text;      # why (required; never personal data)
}

struct RecordConsent {
  # Adds a consent record to a person, or updates the one with the same id (e.g. withdrawal).
  personId @0 :Uuid;                      # the person the consent is about
  consent @1 :People.ConsentRecord;       # the consent
}

struct LinkHouseholdMember {
  # Adds a person to a household, or ends a membership (set member.linkedTo).
  householdId @0 :Uuid;                   # the household
  member @1 :People.HouseholdMember;      # the membership
}

struct UpdateCommitmentStatus {
  # Changes the status of a commitment (breach found, expiry, renewal).
  commitmentId @0 :Uuid;                          # the commitment
  change @1 :Prevention.CommitmentStatusChange;   # the new status with date and reason
  renewedById @2 :Uuid;                           # for status renewed: the new commitment
}

# ---------------------------------------------------------------------------------------------
# The command envelope

struct Command {
  # One change to a store. `seq` and `at` are assigned by the store when the command is
  # committed (a caller may leave them zero); `actor` and `source` are checked against the
  # caller's access scope.
  seq @0 :UInt64;             # position in the journal, 1-based, gap-free (64-bit: a JSON string)
  at @1 :Timestamp;           # instant the change was made (committed)
  actor @2 :Actor;            # who made it
  source @3 :DataSource;      # where it came from
  commandId @4 :Uuid;         # caller-chosen id making a retried submission idempotent (unset = none)
  note @5 :Text;              # free-text reason for the change (never personal data)

  payload :union {
    # Exactly one change.
    none @6 :Void;                                          # no change (invalid in a journal; the default)
    upsertHousehold @7 :People.Household;                   # create or replace a household
    upsertPerson @8 :People.Person;                         # create or replace a person (child, parent, carer)
    upsertEstablishment @9 :Work.Establishment;             # create or replace an employer
    recordWorkActivity @10 :Work.WorkActivity;              # record (or correct, same id) a work activity
    recordRiskAssessment @11 :RiskAssessment;               # record an at-risk screening
    caseCommand @12 :Cases.CaseCommand;                     # any case step: open, transition with reason, forms 02-07, plan, approval, review, follow-up, court, close, referrals
    upsertServiceProvider @13 :Cases.ServiceProvider;       # create or replace a directory entry
    recordCommunication @14 :Prevention.CommunicationActivity; # record a communication activity
    recordTraining @15 :Prevention.TrainingSession;         # record a training session
    recordInspection @16 :Prevention.Inspection;            # record (or update, same id) an inspection
    upsertCommitment @17 :Prevention.Commitment;            # create or replace a commitment
    updateCommitmentStatus @18 :UpdateCommitmentStatus;     # change a commitment's status
    loadPlan @19 :Indicators.ProgrammePlan;                 # load or replace a plan with its targets
    defineIndicator @20 :Indicators.IndicatorDefinition;    # add or replace an indicator definition
    loadUnits @21 :Units.AdminUnitList;                     # load or update administrative units
    recordConsent @22 :RecordConsent;                       # add or update a consent record
    linkHouseholdMember @23 :LinkHouseholdMember;           # add or end a household membership
    deleteRecord @24 :DeleteRecord;                         # remove a record from the current state
    recordAccess @25 :AccessRecord;                         # a read of personal data, or a refused call (written by the registry; see docs/registry.md)
    initStore @26 :StoreInit;                               # first entry of a store: its id and unit scope (written by the registry)
    recordMerge @28 :MergeRecord;                           # a province merge of commune data: what was imported, conflicts found (written by the registry)
    resolveConflict @29 :ResolveConflict;                   # a reviewer's decision on a merge conflict
  }

  mergedFrom @27 :MergeOrigin;
  # Set on commands a province merge produced: the commune store and seq the change comes from
  # (the registry tracks which store made the version it holds; docs/exchange.md).
}

struct CommandBatch {
  # Several commands submitted together; the store applies them in order, all or none.
  commands @0 :List(Command);  # the commands
}

# ---------------------------------------------------------------------------------------------
# Journal and snapshot

struct JournalEntry {
  # One committed command as written to the journal (the byte framing, length + CRC32C, is
  # the store's and not part of this schema).
  formatVersion @0 :UInt32;     # format version of the writer
  minReaderVersion @1 :UInt32;  # lowest reader format version able to apply this entry
  storeId @2 :Uuid;             # the store the entry belongs to
  command @3 :Command;          # the command, with seq and at filled
  recordedAt @4 :Timestamp;     # when the entry was written (may follow command.at)
  batch @5 :List(Command);
  # Commands committed together, all or none (CommandBatch applied atomically). When set,
  # `command` is unset and every command of the batch carries the seq of this entry.
  classifications @6 :List(ActivityClassification);
  # Derived facts computed when the entry was committed (classification of each work activity
  # the entry recorded or whose child it changed), with the rule sets used. Replay reuses them
  # instead of classifying again, so a later rule-data release does not rewrite history.
}

struct SnapshotHeader {
  # Identifies a snapshot and what it covers.
  formatVersion @0 :UInt32;          # format version of the writer
  minReaderVersion @1 :UInt32;       # readers with a lower format version must refuse the snapshot
  createdAt @2 :Timestamp;           # when written
  createdBy @3 :Actor;               # who asked for it
  storeId @4 :Uuid;                  # the store it was taken from
  lastSeq @5 :UInt64;                # last journal seq included (64-bit: a JSON string)
  unitScope @6 :List(Text);          # admin unit codes covered (empty = everything in the store)
  deidentified @7 :Bool;             # names, national ids, exact birth dates and addresses removed
  libraryVersion @8 :Text;           # treem version that wrote it, e.g. "0.1.0"
}

struct Snapshot {
  # The whole state of a store (or its de-identified export) at `header.lastSeq`.
  header @0 :SnapshotHeader;                                  # what this is
  units @1 :List(Units.AdminUnit);                            # administrative units
  households @2 :List(People.Household);                      # households
  persons @3 :List(People.Person);                            # persons (children and adults)
  establishments @4 :List(Work.Establishment);                # employers
  workActivities @5 :List(Work.WorkActivity);                 # work activities
  riskAssessments @6 :List(RiskAssessment);                   # screenings
  cases @7 :List(Cases.Case);                                 # cases with history
  referrals @8 :List(Cases.Referral);                         # referrals with history
  serviceProviders @9 :List(Cases.ServiceProvider);           # service directory
  communications @10 :List(Prevention.CommunicationActivity); # communication activities
  trainings @11 :List(Prevention.TrainingSession);            # training sessions
  inspections @12 :List(Prevention.Inspection);               # inspections
  commitments @13 :List(Prevention.Commitment);               # commitments
  plans @14 :List(Indicators.ProgrammePlan);                  # plans with targets
  indicators @15 :List(Indicators.IndicatorDefinition);       # indicator definitions
  caseLog @16 :List(Command);
  # The commands that built the case book, in order, each with its seq, instant, actor, source
  # and commandId: payload caseCommand, and upsertServiceProvider (referrals check the
  # directory as it was). `cases`, `referrals` and `serviceProviders` are views of the state
  # they build; a registry restores its case book by replaying this log (docs/registry.md).
  classifications @17 :List(ActivityClassification);          # derived facts per work activity
  audit @18 :List(AuditEntry);
  # The audit trail up to header.lastSeq, oldest first: one entry per committed command
  # (including recorded reads), so history and idempotency survive journal compaction.
  merge @19 :MergeBook;
  # Province merge bookkeeping (which store made each held version, what was imported, the
  # conflicts for review), so merges stay idempotent across journal compaction.
}

struct JournalSegment {
  # Journal entries of one store, exported for a province merge (Registry::ExportJournal).
  storeId @0 :Uuid;                 # the store
  fromSeq @1 :UInt64;               # first seq asked for
  lastSeq @2 :UInt64;               # the store's last seq when exported (64-bit: a JSON string)
  entries @3 :List(JournalEntry);   # entries fromSeq..lastSeq, in order
}

# ---------------------------------------------------------------------------------------------
# Registry bookkeeping: store identity, audit trail, access records, derived facts

struct StoreInit {
  # The first journal entry of a registry store.
  storeId @0 :Uuid;             # random id of the store, repeated in every journal entry and snapshot
  unitScope @1 :List(Text);     # admin unit codes the store holds (empty = any unit)
  libraryVersion @2 :Text;      # treem version that created it
}

enum AccessOperation {
  # What a recorded access did.
  unknown @0;   # not valid (default value only)
  read @1;      # one record read by id
  list @2;      # records of a kind listed
  history @3;   # the audit history of a record read
  export @4;    # a full snapshot exported
  write @5;     # a change submitted (recorded only when refused)
  query @6;     # a query over cases (deadlines)
  verdict @7;   # a child-level classification verdict computed
}

struct AccessRecord {
  # A read of personal data, or any call refused for lack of permission (Decree 13/2023
  # requires both to be traceable). The reader is the command's actor.
  operation @0 :AccessOperation;   # what was done or attempted
  kind @1 :RecordKind;             # kind of the records concerned (unknown = several kinds)
  recordIds @2 :List(Uuid);        # ids of the records read (or attempted)
  purpose @3 :Text;                # why, as given by the caller or the operation
  refused @4 :Bool;                # the call was refused
  reason @5 :Text;                 # why it was refused (never personal data)
  count @6 :UInt32;                # number of records returned (lists and exports)
}

struct ActivityClassification {
  # The classification of one work activity, computed when the activity (or its child's birth
  # date) was committed, with the rule sets named inside the result.
  activityId @0 :Uuid;                        # WorkActivity.id
  result @1 :Rules.ClassificationResult;      # legal and statistical result with rule-set versions
  classifiedAt @2 :Timestamp;                 # instant of the command that produced it
  seq @3 :UInt64;                             # journal seq of that command
}

struct RecordRef {
  # A record addressed by kind and id (or by code for indicators and units).
  kind @0 :RecordKind;  # kind
  id @1 :Uuid;          # id (zero for kinds addressed by code)
  code @2 :Text;        # text id for indicatorDefinition and adminUnit
}

struct AuditEntry {
  # One committed command as seen by the audit trail (no payload: personal data stays in the
  # records and the journal).
  seq @0 :UInt64;               # journal seq (commands of one batch share it)
  at @1 :Timestamp;             # instant of the command
  actor @2 :Actor;              # who
  source @3 :DataSource;        # from where
  commandId @4 :Uuid;           # caller's idempotency id (zero = none)
  change @5 :Text;              # the payload member, e.g. "upsertPerson", "caseCommand.approvePlan", "recordAccess"
  records @6 :List(RecordRef);  # the records it changed (or read, for recordAccess)
  access @7 :AccessRecord;      # for recordAccess entries: what was read or refused
}

struct RecordHistory {
  # Answer to "who changed or read this record, when, from where".
  record @0 :RecordRef;            # the record
  entries @1 :List(AuditEntry);    # oldest first
}

# ---------------------------------------------------------------------------------------------
# Province merge (docs/exchange.md section 3). The planner's own report type is
# Exchange.MergeConflict; the register keeps conflicts as ConflictRecord (below), which adds
# the review state. Both use the same reason enumerants.

struct MergeOrigin {
  # A store and a seq in it.
  storeId @0 :Uuid;   # the store
  seq @1 :UInt64;     # seq there (snapshot: its header.lastSeq; 64-bit: a JSON string)
}

enum ConflictReason {
  # Why a merged change was not applied (same enumerants as Exchange.MergeConflictReason).
  unknown @0;             # not recorded (default value only)
  divergentVersions @1;   # the record was changed in two stores; neither version derives from the other
  foreignOperation @2;    # an operation (case step, link, consent, status) on a record last changed by another store
  foreignDelete @3;       # a deletion of a record last changed by another store
}

enum ConflictStatus {
  # Review state of a conflict.
  unknown @0;        # not valid (default value only)
  open @1;           # waiting for review; the province's version stays
  keptCurrent @2;    # reviewed: the province's version was kept
  tookIncoming @3;   # reviewed: the incoming version was applied
}

struct ConflictRecord {
  # One record changed in two places, kept for review instead of being overwritten. Canonical
  # bytes are capnp canonical form of the record (or of the incoming command for operations).
  id @0 :Uuid;                     # conflict id: stable for the same pair of versions
  kind @1 :RecordKind;             # kind of the record
  recordId @2 :Uuid;               # the record
  reason @3 :ConflictReason;       # what kind of conflict
  current @4 :MergeOrigin;         # store and seq of the version the province held
  currentCanonical @5 :Data;       # its canonical bytes (empty when the record was deleted or unknown)
  incoming @6 :MergeOrigin;        # store and seq of the incoming version
  incomingCanonical @7 :Data;      # canonical bytes of the incoming record or command
  detectedAt @8 :Timestamp;        # when the merge found it
  detectedSeq @9 :UInt64;          # seq of the recordMerge entry that recorded it
  status @10 :ConflictStatus;      # review state
  resolvedAt @11 :Timestamp;       # when reviewed
  resolvedBy @12 :Actor;           # who reviewed
  resolution @13 :Text;            # the reviewer's reason (never personal data)
}

struct ConflictList {
  # Conflicts of a register (Registry::Conflicts), oldest first.
  conflicts @0 :List(ConflictRecord);
}

struct MergeRecord {
  # One province merge, as journaled by the registry: what was imported from which stores and
  # the conflicts found. Also the answer of Registry::MergeSnapshot / MergeJournal.
  fromSnapshot @0 :Bool;               # a commune snapshot (else journal entries)
  origins @1 :List(MergeOrigin);       # per store merged from: the highest seq now imported
  conflicts @2 :List(ConflictRecord);  # new conflicts (status open), not applied
  unapplied @3 :List(RecordRef);       # snapshot records no command can carry (cases, referrals)
  applied @4 :UInt32;                  # commands applied
  unchanged @5 :UInt32;                # records equal to the held version
  stale @6 :UInt32;                    # versions older than the held one from the same store
  alreadyImported @7 :UInt32;          # journal entries at or below the imported seq
  knownConflicts @8 :UInt32;           # conflicts found again (reported before)
  skipped @9 :UInt32;                  # reference data and bookkeeping (units, indicators, access records)
  seq @10 :UInt64;                     # journal seq of the merge entry (0 = nothing committed)
}

enum ConflictDecision {
  # A reviewer's decision on a conflict.
  unknown @0;        # not valid (default value only)
  keepCurrent @1;    # keep the province's version
  takeIncoming @2;   # apply the incoming version (or operation) instead
}

struct ResolveConflict {
  # Closes an open conflict. takeIncoming applies the incoming record (as its upsert) or the
  # incoming operation, validated like any command, in the same journal entry.
  conflictId @0 :Uuid;            # ConflictRecord.id
  decision @1 :ConflictDecision;  # what to do
  reason @2 :Text;                # why (required; never personal data)
}

struct HeldVersion {
  # Which store made the version of a record the register holds (MergeBook).
  kind @0 :RecordKind;   # kind
  id @1 :Uuid;           # record id
  origin @2 :MergeOrigin;  # store and seq of the change
  digest @3 :Uuid;       # name-based id of the canonical bytes (zero = unknown)
  deleted @4 :Bool;      # removed by a deleteRecord
}

struct MergeBook {
  # A register's merge bookkeeping (Snapshot.merge).
  versions @0 :List(HeldVersion);      # records whose version came from another store, or was deleted
  imported @1 :List(MergeOrigin);      # per store: highest journal seq imported
  conflicts @2 :List(ConflictRecord);  # every conflict with its review state, oldest first
}
