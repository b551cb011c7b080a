/* treem C API: the programme's indicators (P1-P10 and operational figures) for a unit and a
 * period, against a plan's targets, as a Report message (indicators.capnp), and its CSV and
 * HTML renderings. Definitions and rollup rules: docs/indicators.md. */
#ifndef TREEM_C_REPORTS_H_
#define TREEM_C_REPORTS_H_

#include "treem/c/common.h"
#include "treem/c/registry.h"
#include "treem/c/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What to compute: built with setters (the set grows without ABI change). Not shared across
 * threads while being set. @since 0.1 */
typedef struct treem_report_request treem_report_request;

TREEM_API treem_status treem_report_request_new(treem_report_request **out);
/** NULL-safe. @since 0.1 */
TREEM_API void treem_report_request_free(treem_report_request *req);
/** The unit reported on (province "38", commune "15865"); "" or NULL = every unit. @since 0.1 */
TREEM_API treem_status treem_report_request_set_unit(treem_report_request *req,
                                                     const char *unit_code);
/** A calendar year. @since 0.1 */
TREEM_API treem_status treem_report_request_set_year(treem_report_request *req, int32_t year);
/** A quarter (1-4) of a year. @since 0.1 */
TREEM_API treem_status treem_report_request_set_quarter(treem_report_request *req, int32_t year,
                                                        int32_t quarter);
/** A custom period, both days included ("YYYY-MM-DD"). @since 0.1 */
TREEM_API treem_status treem_report_request_set_period(treem_report_request *req,
                                                       const char *first_day,
                                                       const char *last_day);
/** The map the report is drawn on (default: the period's last day). Records made under
 * pre-2025 codes roll into the new units through the lineage. @since 0.1 */
TREEM_API treem_status treem_report_request_set_map_date(treem_report_request *req,
                                                         const char *date);
/** Targets from a plan shipped with the library: "qd-782-2021" (national programme) or
 * "hoang-duc-2023" (the seed commune plan). @since 0.1 */
TREEM_API treem_status treem_report_request_set_plan_builtin(treem_report_request *req,
                                                             const char *name);
/** Targets from a ProgrammePlan message (copied; validated: percentages in 0-100). @since 0.1 */
TREEM_API treem_status treem_report_request_set_plan(treem_report_request *req,
                                                     const uint8_t *plan, size_t len,
                                                     treem_format fmt);
/** upward != 0: for reporting upward (small-cell suppression, no record ids). @since 0.1 */
TREEM_API treem_status treem_report_request_set_upward(treem_report_request *req, int upward);
/** provenance != 0: each value carries the ids of the records behind its numerator and
 * denominator (for users allowed to see them; refused for analysts and upward reports).
 * @since 0.1 */
TREEM_API treem_status treem_report_request_set_provenance(treem_report_request *req,
                                                           int provenance);
/** Also one row per unit of `level` below the unit (TREEM_UNIT_*). @since 0.1 */
TREEM_API treem_status treem_report_request_set_breakdown(treem_report_request *req,
                                                          treem_unit_level level);
/** Adds a disaggregation (values of the schema enum DisaggregationDimension: 1 sex,
 * 2 statistical age band, 3 ethnicity, 4 ethnic minority, 5 poverty, 6 rural/urban). */
TREEM_API treem_status treem_report_request_add_dimension(treem_report_request *req,
                                                          int32_t dimension);
/** Only these indicators (e.g. "P1"); none added = all. @since 0.1 */
TREEM_API treem_status treem_report_request_add_indicator(treem_report_request *req,
                                                          const char *indicator_id);
/** A title printed on the report. @since 0.1 */
TREEM_API treem_status treem_report_request_set_title(treem_report_request *req,
                                                      const char *title);
/** The instant the report states it was generated (microseconds since the Unix epoch, UTC;
 * it also enters the report id); 0, the default, means the time of the call. A fixed instant
 * makes a report reproducible byte for byte. Negative values are TREEM_INVALID_ARGUMENT.
 * @since 0.1 */
TREEM_API treem_status treem_report_request_set_generated_at(treem_report_request *req,
                                                             int64_t micros);

/** Computes a Report from a Snapshot (`len` bytes in `in_fmt`) on the units of `units`
 * (required: records are rolled up its hierarchy). @since 0.1 */
TREEM_API treem_status treem_report_compute(treem_buf *out, const uint8_t *snapshot, size_t len,
                                            treem_format in_fmt, const treem_units *units,
                                            const treem_report_request *req,
                                            treem_format out_fmt);

/** Computes a Report over a register's current state. Analysts get upward reports only
 * (suppressed, no record ids). @since 0.1 */
TREEM_API treem_status treem_registry_report(treem_buf *out, treem_registry *reg,
                                             const char *user_id, treem_role role,
                                             const char *unit_code, const treem_units *units,
                                             const treem_report_request *req,
                                             treem_format out_fmt);

/* ---- indicator datasets ------------------------------------------------------------------ */
/** The indicator columns of a snapshot (docs/indicators.md "Column files"), built once and
 * reported on many times. treem_report_compute rebuilds them on every call, which takes
 * minutes at national scale; a dataset is built once (or opened from a column file written
 * earlier, which costs little more than reading the file) and each report then costs only
 * the scans. A dataset keeps no personal data beyond record ids (for provenance) and holds
 * its own reference to the units it was created with: the treem_units may be freed at once.
 *
 * Thread safety: a dataset is immutable once created. treem_dataset_report,
 * treem_dataset_write_columns and treem_dataset_persons may run on one dataset from several
 * threads at once (the caches a report fills are locked inside); only treem_dataset_free must
 * not run concurrently with another call on it. Concurrent writes to one path each use their
 * own temporary file; the last rename wins. Opaque. @since 0.1 */
typedef struct treem_dataset treem_dataset;

/** Builds the dataset of a Snapshot (`len` bytes in `in_fmt`, borrowed) on the units of
 * `units` (required: records are rolled up its hierarchy). Work activities are classified
 * once here; invalid records are skipped and counted, as in treem_report_compute. On success
 * *out holds a new handle the caller releases with treem_dataset_free; on failure *out is
 * NULL. @since 0.1 */
TREEM_API treem_status treem_dataset_from_snapshot(treem_dataset **out, const uint8_t *snapshot,
                                                   size_t len, treem_format in_fmt,
                                                   const treem_units *units);

/** Opens a column file written by treem_dataset_write_columns (or by a register's checkpoint)
 * on `units`, the units its records' codes are resolved on (those it was built with). The
 * file is mapped read-only, not copied, and stays mapped until treem_dataset_free; it must
 * not be changed in place meanwhile (treem replaces such files by rename, which is safe).
 * Checksums are verified here, except those of the record-id columns, verified on first use
 * (a report with provenance, or a write). Errors: TREEM_NOT_FOUND when there is no file at
 * `path`; TREEM_DATA_LOSS for a damaged file, naming the damaged column (or the header or
 * column table) and its offset; TREEM_FAILED_PRECONDITION for a file of another version or
 * column list (rebuild it from the snapshot); TREEM_UNAVAILABLE for other I/O errors. *out is
 * NULL on failure. @since 0.1 */
TREEM_API treem_status treem_dataset_open_columns(treem_dataset **out, const char *path,
                                                  const treem_units *units);

/** Writes the dataset to `path` as a column file, atomically (a temporary file beside it,
 * fsync, rename). The file covers journal seq 0: a register never takes it for its own cache.
 * A dataset whose record-id columns turn out damaged is refused with TREEM_DATA_LOSS (damage
 * is never re-checksummed into a new file); I/O errors are TREEM_UNAVAILABLE naming the path.
 * @since 0.1 */
TREEM_API treem_status treem_dataset_write_columns(const treem_dataset *ds, const char *path);

/** Computes a Report from the dataset, handling `req` exactly as treem_report_compute does:
 * for the same snapshot, units and request (with a fixed generated-at instant) the bytes are
 * identical. May run concurrently with other reports on `ds`. @since 0.1 */
TREEM_API treem_status treem_dataset_report(treem_buf *out, const treem_dataset *ds,
                                            const treem_report_request *req,
                                            treem_format out_fmt);

/** The number of persons (children and adults) in the dataset. @since 0.1 */
TREEM_API treem_status treem_dataset_persons(uint64_t *out, const treem_dataset *ds);

/** Releases a dataset and unmaps its file; NULL-safe. No other call may be running on it.
 * @since 0.1 */
TREEM_API void treem_dataset_free(treem_dataset *ds);

/** Renderings of a Report. @since 0.1 */
typedef int32_t treem_render;
#define TREEM_RENDER_CSV 1  /* one row per unit x indicator x breakdown, UTF-8 with header */
#define TREEM_RENDER_HTML 2 /* a self-contained page with an SVG chart per indicator */
#define TREEM_RENDER_JSON 3 /* the Report in the schema's JSON mapping */

TREEM_API treem_status treem_report_render(treem_buf *out, const uint8_t *report, size_t len,
                                           treem_format fmt, treem_render kind);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_REPORTS_H_ */
