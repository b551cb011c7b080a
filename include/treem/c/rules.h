/* treem C API: classification of children's work and the at-risk screen (docs/rules.md).
 *
 * A treem_rules handle holds the rule sets (VN-LC2019, VN-LC2012, ILO-SDG871), the code lists
 * and the risk screens shipped in the library, plus any fuller code list the caller loads.
 * Requests and results are schema messages of treem/schema/rules.capnp (ClassifyRequest ->
 * ClassificationResult, ChildVerdictRequest -> ChildVerdict, RiskScreenRequest -> RiskResult,
 * CodeEntry) in the requested treem_format; the activity itself is a WorkActivity
 * (treem/schema/work.capnp).
 *
 * Thread safety: the functions taking a `const treem_rules *` only read the handle and may run
 * concurrently on the same handle from several threads. treem_rules_load_codes mutates it and
 * must not run concurrently with any other call on the same handle (the caller synchronises).
 *
 * Errors: malformed request bytes and invalid input are TREEM_INVALID_ARGUMENT with a message
 * naming the field and the reason (e.g. "hoursPerWeek: -3 is negative"); messages never
 * contain birth dates or other personal data. */
#ifndef TREEM_C_RULES_H_
#define TREEM_C_RULES_H_

#include "treem/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The rule registry: rule sets, code lists and risk screens. Opaque. */
typedef struct treem_rules treem_rules;

/** Creates a registry loaded with the data embedded in the library. On success *out holds a
 * new handle the caller releases with treem_rules_free; on failure *out is NULL.
 * @since 0.1 */
TREEM_API treem_status treem_rules_new(treem_rules **out);

/** Releases a registry; NULL-safe. No other call may be running on it. @since 0.1 */
TREEM_API void treem_rules_free(treem_rules *rules);

/** Loads a user's fuller code list (e.g. all 69 items of Circular 09 Annex III) into the
 * registry. `csv` is UTF-8 CSV text of `len` bytes with header code,name_vi,name_en,source and
 * an optional fifth column confidence (C/S/U, default U); it is borrowed for the call. `what`
 * names the list in error messages (e.g. the file name; NULL = "code list"). Codes must belong
 * to a known family; an existing code is replaced. All-or-nothing: on error the registry is
 * unchanged and the message names the line and the reason.
 * Must not run concurrently with any other call on `rules`. @since 0.1 */
TREEM_API treem_status treem_rules_load_codes(treem_rules *rules, const uint8_t *csv, size_t len,
                                              const char *what);

/** Classifies one work activity: `request` is a ClassifyRequest of `len` bytes in `in_fmt`
 * (borrowed); on success *out holds the ClassificationResult in `out_fmt` (release it with
 * treem_buf_dispose). Malformed bytes, activity dates before the birth date, ages 18 and
 * over, negative or impossible hours and a rule set of the wrong kind are
 * TREEM_INVALID_ARGUMENT naming the field; an unknown rule set id, or no rule set in force on
 * the activity date, is TREEM_NOT_FOUND. Unknown job or workplace codes are not errors: the
 * result's outcome is unknownCode and lists them. On error *out is left empty. Safe to call
 * concurrently on the same handle. @since 0.1 */
TREEM_API treem_status treem_classify(treem_buf *out, const treem_rules *rules,
                                      const uint8_t *request, size_t len, treem_format in_fmt,
                                      treem_format out_fmt);

/** Child-level verdict over all of a child's activities in a period: `request` is a
 * ChildVerdictRequest; *out receives a ChildVerdict. Same conventions as treem_classify.
 * @since 0.1 */
TREEM_API treem_status treem_judge_child(treem_buf *out, const treem_rules *rules,
                                         const uint8_t *request, size_t len, treem_format in_fmt,
                                         treem_format out_fmt);

/** The at-risk screen (RD-9): `request` is a RiskScreenRequest; *out receives a RiskResult
 * (score, level, protection level and every factor's contribution). Unknown or repeated
 * factors are TREEM_INVALID_ARGUMENT; an unknown screen id is TREEM_NOT_FOUND. Same
 * conventions as treem_classify. @since 0.1 */
TREEM_API treem_status treem_screen_risk(treem_buf *out, const treem_rules *rules,
                                         const uint8_t *request, size_t len, treem_format in_fmt,
                                         treem_format out_fmt);

/** Describes a job or workplace code (e.g. "ART147-1-e") from the loaded lists as a
 * CodeEntry in `fmt`; TREEM_NOT_FOUND when no loaded list has it. `code` is NUL-terminated
 * UTF-8, borrowed. Safe to call concurrently on the same handle. @since 0.1 */
TREEM_API treem_status treem_describe_code(treem_buf *out, const treem_rules *rules,
                                           const char *code, treem_format fmt);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_RULES_H_ */
