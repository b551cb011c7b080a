/* treem C API: child-protection case management with legal deadlines (docs/cases.md; Law on
 * Children 2016 Arts 47-53; Decree 56/2017/ND-CP Arts 25-32).
 *
 * A treem_casebook holds cases, their referrals and the directory of service providers in
 * memory, with the shipped Vietnam working calendar and deadline rules. Commands, queries and
 * results are schema messages of treem/schema/cases.capnp (CaseCommand, ServiceProvider,
 * CaseTrigger, DeadlineQuery -> DeadlineReport, Case, Referral) in the requested treem_format.
 *
 * Conventions of this header:
 *  - Instants are int64_t microseconds since 1970-01-01T00:00:00Z (UTC); Vietnam local time
 *    is UTC+7 all year.
 *  - Case and referral ids cross as NUL-terminated canonical UUID text
 *    ("8-4-4-4-12" hex digits, either case), the form they have in JSON messages.
 *  - The actor of a command (common.capnp Actor) crosses as three plain arguments: the user
 *    id (a login or staff id, never a child's data), a TREEM_ROLE_* value and the actor's
 *    unit code. Plain arguments need no message encoding from FFI callers.
 *  - A refused command changes nothing. Illegal transitions are TREEM_FAILED_PRECONDITION
 *    with a message naming the command, the current state and the allowed ones; a missing
 *    role is TREEM_PERMISSION_DENIED; invalid content is TREEM_INVALID_ARGUMENT naming the
 *    field; unknown cases and referrals are TREEM_NOT_FOUND.
 *
 * Thread safety: one writer. Functions taking a `const treem_casebook *` only read and may run
 * concurrently with each other; treem_casebook_apply, treem_casebook_put_provider and
 * treem_casebook_open_from_trigger modify the book and must not run concurrently with any
 * other call on the same handle (the caller synchronises). */
#ifndef TREEM_C_CASES_H_
#define TREEM_C_CASES_H_

#include "treem/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An in-memory case book. Opaque. */
typedef struct treem_casebook treem_casebook;


/** How the opening policy (data/cases/opening_policy.csv) treats a trigger. @since 0.1 */
typedef int32_t treem_opening_mode;
#define TREEM_OPENING_NONE 0      /* no case */
#define TREEM_OPENING_SUGGESTED 1 /* a case is opened only when the caller confirms */
#define TREEM_OPENING_AUTOMATIC 2 /* the case is opened */

/** Creates an empty case book using the shipped Vietnam calendar and deadline rules. On
 * success *out holds a new handle the caller releases with treem_casebook_free; on failure
 * *out is NULL. @since 0.1 */
TREEM_API treem_status treem_casebook_new(treem_casebook **out);

/** Releases a case book; NULL-safe. No other call may be running on it. @since 0.1 */
TREEM_API void treem_casebook_free(treem_casebook *book);

/** Applies one CaseCommand (`command`, `len` bytes in `fmt`, borrowed) at instant `at_micros`
 * by the actor (`actor_user_id`, `actor_role`, `actor_unit_code`: NUL-terminated UTF-8,
 * borrowed, not NULL). Atomic: a refused command changes nothing. Illegal transitions are
 * TREEM_FAILED_PRECONDITION naming the current and allowed states, e.g. "approvePlan: cannot
 * move the case to 'planApproved' from state 'reported'; allowed from here: ...".
 * An unknown actor_role value is misuse. Writer: not concurrent with other calls on `book`.
 * @since 0.1 */
TREEM_API treem_status treem_casebook_apply(treem_casebook *book, const uint8_t *command,
                                            size_t len, treem_format fmt, int64_t at_micros,
                                            const char *actor_user_id, treem_role actor_role,
                                            const char *actor_unit_code);

/** Adds or replaces a ServiceProvider in the book's directory (referrals may name only
 * providers in the directory that offer the service). A zero id, an empty name or no services
 * are TREEM_INVALID_ARGUMENT. Writer. @since 0.1 */
TREEM_API treem_status treem_casebook_put_provider(treem_casebook *book, const uint8_t *provider,
                                                   size_t len, treem_format fmt);

/** Opens a case from a classification or an at-risk screen by the opening policy
 * (docs/cases.md): `trigger` is a CaseTrigger (childId, outcome as TriggerOutcome, risk as
 * ScreenRisk, at = when the result was produced, which starts the 12-hour clock, unitCode).
 * The case gets id `case_id` (UUID text). The policy decides a mode: automatic opens the
 * case; suggested opens it only when `confirm_suggestion` is non-zero; none never opens.
 * On success *mode_out is the mode and *opened_out is 1 when a case was opened, else 0. The
 * command instant is `at_micros` and the actor as in treem_casebook_apply. Writer.
 * Mapping from rules.capnp: ClassificationOutcome notChildLabour and
 * permittedWorkWithViolations -> TriggerOutcome notChildLabour, unknownCode -> none, the
 * others by name; RiskLevel low/medium/high -> ScreenRisk low/medium/high. @since 0.1 */
TREEM_API treem_status treem_casebook_open_from_trigger(
    treem_opening_mode *mode_out, int *opened_out, treem_casebook *book, const uint8_t *trigger,
    size_t len, treem_format fmt, const char *case_id, int confirm_suggestion, int64_t at_micros,
    const char *actor_user_id, treem_role actor_role, const char *actor_unit_code);

/** "What is due": `query` is a DeadlineQuery (instant, due-soon window, unit or case filter,
 * which groups, limit); *out receives the DeadlineReport (items oldest first, complete
 * counts). Reader: may run concurrently with other readers. @since 0.1 */
TREEM_API treem_status treem_casebook_due(treem_buf *out, const treem_casebook *book,
                                          const uint8_t *query, size_t len, treem_format in_fmt,
                                          treem_format out_fmt);

/** The case with id `case_id` (UUID text) as a Case message in `fmt`, with its history,
 * deadlines and forms; Case.inTime is evaluated at `at_micros`. TREEM_NOT_FOUND when the book
 * has no such case. Reader. @since 0.1 */
TREEM_API treem_status treem_casebook_get_case(treem_buf *out, const treem_casebook *book,
                                               const char *case_id, int64_t at_micros,
                                               treem_format fmt);

/** The referral with id `referral_id` (UUID text) as a Referral message in `fmt`;
 * TREEM_NOT_FOUND when unknown. Reader. @since 0.1 */
TREEM_API treem_status treem_casebook_get_referral(treem_buf *out, const treem_casebook *book,
                                                   const char *referral_id, treem_format fmt);

/** "Supported in time" (indicator P2) for one case at `at_micros`: *out is 1 when no legal
 * deadline was met late or missed and no open legal deadline is past due, else 0.
 * TREEM_NOT_FOUND for an unknown case. Reader. @since 0.1 */
TREEM_API treem_status treem_casebook_supported_in_time(int *out, const treem_casebook *book,
                                                        const char *case_id, int64_t at_micros);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_CASES_H_ */
