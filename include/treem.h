/* treem: the C API (the only ABI-stable surface of the library).
 *
 * treem keeps the records a commune or province needs to prevent and reduce child labour,
 * classifies children's work against Vietnamese law and the ILO/SDG 8.7.1 standard, runs
 * cases with their legal deadlines and computes the programme's indicators. Records,
 * commands and reports cross this API as schema messages (the .capnp files under include/treem/schema) in
 * Cap'n Proto binary, packed or JSON form, so the schema can grow without new C symbols.
 *
 * See docs/c-api.md for conventions: status codes and treem_error_last(), ownership of
 * treem_buf, thread safety (top of treem/c/common.h) and the ABI policy. */
#ifndef TREEM_H_
#define TREEM_H_

#include "treem/c/common.h"
#include "treem/c/units.h"
#include "treem/c/registry.h"
#include "treem/c/rules.h"
#include "treem/c/cases.h"
#include "treem/c/exchange.h"
#include "treem/c/reports.h"

#endif /* TREEM_H_ */
