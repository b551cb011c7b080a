/* treem C API: administrative units (provinces, districts before 2025-07-01, communes),
 * effective-dated with the lineage of the July 2025 reform. Dates cross as "YYYY-MM-DD"
 * text. Results are schema messages (treem/schema/units.capnp: AdminUnit, AdminUnitList)
 * in the requested format. */
#ifndef TREEM_C_UNITS_H_
#define TREEM_C_UNITS_H_

#include "treem/c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An immutable set of administrative units. May be read from several threads at once. */
typedef struct treem_units treem_units;

/** Unit levels; values equal the schema enum AdminLevel. @since 0.1 */
typedef int32_t treem_unit_level;
#define TREEM_UNIT_PROVINCE 1
#define TREEM_UNIT_DISTRICT 2
#define TREEM_UNIT_COMMUNE 3
#define TREEM_UNIT_VILLAGE 4

/** Loads the official lists from a folder holding units-before-2025-07-01.csv,
 * conversion-2025-07-01.csv and communes-from-2025-07-01.json. Free with treem_units_free.
 * Errors name the file, line, column and reason. @since 0.1 */
TREEM_API treem_status treem_units_open_dir(treem_units **out, const char *dir);

/** Releases the units; NULL-safe. @since 0.1 */
TREEM_API void treem_units_free(treem_units *units);

/** Number of units of `level` valid on `date`. @since 0.1 */
TREEM_API treem_status treem_units_count(uint32_t *out, const treem_units *units,
                                         treem_unit_level level, const char *date);

/** The unit with `code` valid on `date`, as an AdminUnit message. NOT_FOUND when no unit
 * has that code on that date. @since 0.1 */
TREEM_API treem_status treem_units_find(treem_buf *out, const treem_units *units,
                                        const char *code, const char *date, treem_format fmt);

/** The units that contain unit `code` on `date` (AdminUnitList): for a pre-2025 commune and a
 * date from 2025-07-01, the new commune(s) it went into (several when it was split); before
 * the reform, its district and province. @since 0.1 */
TREEM_API treem_status treem_units_containing(treem_buf *out, const treem_units *units,
                                              const char *code, const char *date,
                                              treem_format fmt);

/** The units of `level` under province `province_code` on `date` (AdminUnitList). @since 0.1 */
TREEM_API treem_status treem_units_under(treem_buf *out, const treem_units *units,
                                         const char *province_code, treem_unit_level level,
                                         const char *date, treem_format fmt);

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_UNITS_H_ */
