/* treem C API: the durable embedded registry (docs/registry.md). A registry is a folder
 * holding a journal of commands and snapshots. Every change is a Command message
 * (treem/schema/commands.capnp) given as bytes in a treem_format; every read names the acting
 * user (user id, role, unit code) and is checked against the role's access scope. Reads of
 * personal data and refusals are written to the journal (the audit trail).
 *
 * Roles take the values of the schema enum Role. Record kinds are the schema RecordKind names
 * ("person", "household", "workActivity", "case", "referral", ...). Ids cross as canonical
 * UUID text ("8-4-4-4-12"). */
#ifndef TREEM_C_REGISTRY_H_
#define TREEM_C_REGISTRY_H_

#include "treem/c/common.h"
#include "treem/c/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open registry. A handle may be used from several threads: calls are serialised
 * internally. @since 0.1 */
typedef struct treem_registry treem_registry;
/** Options for treem_registry_open, set with the setters below. @since 0.1 */
typedef struct treem_registry_options treem_registry_options;

/** When appended commands reach the disk (SQLite's synchronous pragma). @since 0.1 */
typedef int32_t treem_sync;
#define TREEM_SYNC_FULL 1   /* each acknowledged command survives a power loss */
#define TREEM_SYNC_NORMAL 2 /* group commit: at most ~50 ms of commands lost on power loss */
#define TREEM_SYNC_OFF 3    /* synced only at checkpoint and close */

/** New options: open an existing registry, sync NORMAL, scope as stored. Free with
 * treem_registry_options_free. @since 0.1 */
TREEM_API treem_status treem_registry_options_new(treem_registry_options** out);
/** NULL-safe. @since 0.1 */
TREEM_API void treem_registry_options_free(treem_registry_options* opts);
/** create != 0: create a new registry (ALREADY_EXISTS if the folder holds one). @since 0.1 */
TREEM_API treem_status treem_registry_options_set_create(treem_registry_options* opts, int create);
/** read_only != 0: open without writing; writes and personal reads then fail. @since 0.1 */
TREEM_API treem_status treem_registry_options_set_read_only(treem_registry_options* opts,
                                                            int read_only);
/** One of TREEM_SYNC_*. @since 0.1 */
TREEM_API treem_status treem_registry_options_set_sync(treem_registry_options* opts,
                                                       treem_sync sync);
/** Adds a unit code to the store's scope (commune "15865" or province "38"). @since 0.1 */
TREEM_API treem_status treem_registry_options_add_scope(treem_registry_options* opts,
                                                        const char* unit_code);
/** Official unit lists used to check codes and containment (copied; `units` may be freed
 * after the call). @since 0.1 */
TREEM_API treem_status treem_registry_options_set_units(treem_registry_options* opts,
                                                        const treem_units* units);

/** Opens (or with set_create, creates) the registry in folder `dir`. `opts` may be NULL
 * (open an existing registry with the defaults). UNAVAILABLE when another process holds it;
 * DATA_LOSS when its files are damaged. @since 0.1 */
TREEM_API treem_status treem_registry_open(treem_registry** out, const char* dir,
                                           const treem_registry_options* opts);
/** Syncs and closes; NULL-safe. @since 0.1 */
TREEM_API void treem_registry_free(treem_registry* reg);

/** Applies one Command (`cmd`, `len` bytes in `fmt`). On success *seq_out is the journal seq
 * (for a commandId applied before: the seq of its first application, nothing changes).
 * Refused commands change nothing; PERMISSION_DENIED refusals are journaled. @since 0.1 */
TREEM_API treem_status treem_registry_apply(uint64_t* seq_out, treem_registry* reg,
                                            const uint8_t* cmd, size_t len, treem_format fmt);
/** Applies a CommandBatch all or nothing (one journal entry); *seq_out is its seq. @since 0.1 */
TREEM_API treem_status treem_registry_apply_batch(uint64_t* seq_out, treem_registry* reg,
                                                  const uint8_t* batch, size_t len,
                                                  treem_format fmt);

/** One record of `kind` by id (`uuid_text`), as its schema message (Person, Case, ...); for
 * kind "indicatorDefinition" the id is the indicator code ("P1"); for kind "classification"
 * the id is a work activity's and the result is an ActivityClassification. @since 0.1 */
TREEM_API treem_status treem_registry_get(treem_buf* out, treem_registry* reg, const char* user_id,
                                          treem_role role, const char* unit_code, const char* kind,
                                          const char* uuid_text, treem_format fmt);
/** The records of `kind` the user may see, as a Snapshot holding that list only. @since 0.1 */
TREEM_API treem_status treem_registry_list(treem_buf* out, treem_registry* reg, const char* user_id,
                                           treem_role role, const char* unit_code, const char* kind,
                                           treem_format fmt);
/** Who changed and read a record (RecordHistory); for "indicatorDefinition" and "adminUnit"
 * the id is the code. Roles auditor, communeChair, provinceOfficer, system. @since 0.1 */
TREEM_API treem_status treem_registry_history(treem_buf* out, treem_registry* reg,
                                              const char* user_id, treem_role role,
                                              const char* unit_code, const char* kind,
                                              const char* id_text, treem_format fmt);
/** Open case deadlines at instant `at_micros` (DeadlineReport): overdue, due within
 * `due_soon_hours`, and later ones, for the cases of the user's units. @since 0.1 */
TREEM_API treem_status treem_registry_due(treem_buf* out, treem_registry* reg, const char* user_id,
                                          treem_role role, const char* unit_code, int64_t at_micros,
                                          uint32_t due_soon_hours, treem_format fmt);
/** The child-level verdict (ChildVerdict) over the child's recorded work activities dated
 * from `period_start` to `period_end` ("YYYY-MM-DD", inclusive). @since 0.1 */
TREEM_API treem_status treem_registry_verdict(treem_buf* out, treem_registry* reg,
                                              const char* user_id, treem_role role,
                                              const char* unit_code, const char* child_uuid_text,
                                              const char* period_start, const char* period_end,
                                              treem_format fmt);
/** Writes a snapshot and compacts the journal; *seq_out (may be NULL) is the seq it covers.
 * @since 0.1 */
TREEM_API treem_status treem_registry_checkpoint(uint64_t* seq_out, treem_registry* reg);
/** The full state as a Snapshot (personal data: for users working for every unit of the
 * store; journaled). @since 0.1 */
TREEM_API treem_status treem_registry_export(treem_buf* out, treem_registry* reg,
                                             const char* user_id, treem_role role,
                                             const char* unit_code, treem_format fmt);
/** Loads a Snapshot (`len` bytes in `fmt`) into an empty registry. @since 0.1 */
TREEM_API treem_status treem_registry_import(treem_registry* reg, const char* user_id,
                                             treem_role role, const char* unit_code,
                                             const uint8_t* snapshot, size_t len, treem_format fmt);
/** The seq of the last journal entry. @since 0.1 */
TREEM_API treem_status treem_registry_last_seq(uint64_t* out, const treem_registry* reg);

/* ---- Province merge (docs/exchange.md section 3) ---- */

/** What treem_registry_merge reads. @since 0.1 */
typedef int32_t treem_merge_source;
#define TREEM_MERGE_SNAPSHOT 1 /* a Snapshot (treem_registry_export of a commune store) */
#define TREEM_MERGE_JOURNAL 2  /* a JournalSegment (treem_registry_export_journal) */

/** A reviewer's decision on a merge conflict; values equal schema ConflictDecision. @since 0.1 */
typedef int32_t treem_conflict_decision;
#define TREEM_CONFLICT_KEEP_CURRENT 1  /* keep the province's version */
#define TREEM_CONFLICT_TAKE_INCOMING 2 /* apply the incoming version (or operation) instead */

/** The journal entries from `from_seq` on (0 or 1: all still in the journal) as a
 * JournalSegment, for a province merge. Same access as treem_registry_export (journaled).
 * FAILED_PRECONDITION when older entries were compacted into a snapshot: merge the snapshot
 * first. @since 0.1 */
TREEM_API treem_status treem_registry_export_journal(treem_buf* out, treem_registry* reg,
                                                     const char* user_id, treem_role role,
                                                     const char* unit_code, uint64_t from_seq,
                                                     treem_format fmt);
/** Merges a commune store's Snapshot or JournalSegment (`len` bytes in `in_fmt`) into this
 * province register, as one atomic journal entry: new and later versions are applied; a
 * record changed in two places is recorded as an open conflict and never overwritten;
 * merging the same data again changes nothing. `report_out` (may be NULL) receives the
 * MergeRecord (counts, new conflicts, seq 0 when nothing was committed). User:
 * provinceOfficer of a province covering the store, or system. @since 0.1 */
TREEM_API treem_status treem_registry_merge(treem_buf* report_out, treem_registry* reg,
                                            const char* user_id, treem_role role,
                                            const char* unit_code, treem_merge_source source,
                                            const uint8_t* data, size_t len, treem_format in_fmt,
                                            treem_format out_fmt);
/** The merge conflicts (open_only != 0: those waiting for review) as a ConflictList, oldest
 * first. Personal data: provinceOfficer covering the store or system; journaled. @since 0.1 */
TREEM_API treem_status treem_registry_conflicts(treem_buf* out, treem_registry* reg,
                                                const char* user_id, treem_role role,
                                                const char* unit_code, int open_only,
                                                treem_format fmt);
/** Closes an open conflict (`conflict_uuid`: ConflictRecord.id) with a decision and a
 * reason (required, never personal data). TAKE_INCOMING applies the incoming version in the
 * same journal entry, validated like any command. *seq_out (may be NULL) is its seq.
 * FAILED_PRECONDITION if already resolved. @since 0.1 */
TREEM_API treem_status treem_registry_resolve_conflict(uint64_t* seq_out, treem_registry* reg,
                                                       const char* user_id, treem_role role,
                                                       const char* unit_code,
                                                       const char* conflict_uuid,
                                                       treem_conflict_decision decision,
                                                       const char* reason);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_REGISTRY_H_ */
