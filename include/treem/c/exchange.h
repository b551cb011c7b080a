/* treem C API: exchange with other systems. Village survey lists (CSV) into commands, and the
 * de-identified export for reporting upward. Formats and conventions: docs/exchange.md. */
#ifndef TREEM_C_EXCHANGE_H_
#define TREEM_C_EXCHANGE_H_

#include "treem/c/common.h"
#include "treem/c/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flags of the CSV import. @since 0.1 */
#define TREEM_CSV_SKIP_BAD_ROWS 1u /* keep the good rows; bad rows are reported, not imported */
#define TREEM_CSV_VALIDATE_ONLY 2u /* check only: the report holds no commands */

/** Reads village survey lists (households.csv and children.csv, UTF-8, BOM tolerated; headers
 * in docs/exchange.md; either file may be empty) into a CsvImportReport (exchange.capnp): the
 * commands to submit (deterministic ids: re-importing gives the same ids) and every problem
 * with file, line, column and reason. Problems in the data are not an error of this call: they
 * are in the report. `commune_code` is the commune of rows without one; the actor (id, role,
 * unit) and `at_micros` (0 = now) go on every command. Inputs are borrowed. @since 0.1 */
TREEM_API treem_status treem_csv_import(treem_buf *report_out, const uint8_t *households_csv,
                                        size_t households_len, const uint8_t *children_csv,
                                        size_t children_len, const char *commune_code,
                                        const char *user_id, treem_role role,
                                        const char *unit_code, int64_t at_micros,
                                        uint32_t flags, treem_format fmt);

/** Imports village survey lists into a register, all or nothing: when any row has a problem
 * and TREEM_CSV_SKIP_BAD_ROWS is not set, nothing is committed and the call fails with
 * TREEM_INVALID_ARGUMENT (the message counts the problems and quotes the first; the full list
 * is in `report_out` when not NULL, which is filled on success and on such a failure). Good
 * rows are committed as one atomic batch; *seq_out is its journal seq (0 when nothing was
 * committed). @since 0.1 */
TREEM_API treem_status treem_registry_import_csv(
    uint64_t *seq_out, treem_buf *report_out, treem_registry *reg, const uint8_t *households_csv,
    size_t households_len, const uint8_t *children_csv, size_t children_len,
    const char *commune_code, const char *user_id, treem_role role, const char *unit_code,
    uint32_t flags, treem_format report_fmt);

/** Flags of the de-identified export. @since 0.1 */
#define TREEM_DEID_KEEP_VILLAGES 1u        /* keep village codes and craft-village names */
#define TREEM_DEID_COARSEN_EVENT_DATES 2u  /* event dates (cases, activities) to their month */
#define TREEM_DEID_BIRTH_YEAR_ONLY 4u      /* birth dates to the year (default: the month) */

/** De-identifies a Snapshot (`len` bytes in `in_fmt`) for reporting upward: no names,
 * national ids, exact birth dates (month, or year with TREEM_DEID_BIRTH_YEAR_ONLY), addresses,
 * free text or user ids; record ids replaced by keyed pseudonyms. `secret` (at least 16 bytes)
 * links exports made with the same secret; NULL draws a random one, so the export links to
 * nothing. The result is a Snapshot in `out_fmt`. @since 0.1 */
TREEM_API treem_status treem_deidentify(treem_buf *out, const uint8_t *snapshot, size_t len,
                                        treem_format in_fmt, const uint8_t *secret,
                                        size_t secret_len, uint32_t flags, treem_format out_fmt);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_EXCHANGE_H_ */
