/* treem C API: export macro, status codes, per-thread error details, library-owned buffers,
 * formats and version. Compiles alone as C99 and as C++.
 *
 * Thread safety (applies to the whole C API unless a function says otherwise):
 *  1. The library keeps no hidden global mutable state and needs no initialisation call.
 *  2. Different handles may be used concurrently from different threads.
 *  3. A single handle must not be used by two threads at once; the caller synchronises.
 *     Objects documented as immutable may be read concurrently.
 *  4. Handles have no thread affinity and may move between threads.
 *  5. Error details are thread-local: read treem_error_last() on the failing thread before
 *     making another call.
 *  6. Callbacks run synchronously on the calling thread, before the call returns.
 */
#ifndef TREEM_C_COMMON_H_
#define TREEM_C_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#if defined(TREEM_STATIC)
#define TREEM_API
#elif defined(TREEM_BUILDING)
#define TREEM_API __attribute__((visibility("default")))
#else
#define TREEM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---------------------------------------------------------------------------- */
#define TREEM_VERSION_MAJOR 0
#define TREEM_VERSION_MINOR 1
#define TREEM_VERSION_PATCH 0
#define TREEM_VERSION_NUMBER \
  (TREEM_VERSION_MAJOR * 10000 + TREEM_VERSION_MINOR * 100 + TREEM_VERSION_PATCH)
#define TREEM_VERSION_CHECK(a, b, c) (TREEM_VERSION_NUMBER >= ((a)*10000 + (b)*100 + (c)))

/** Run-time version as MAJOR*10000 + MINOR*100 + PATCH. @since 0.1 */
TREEM_API uint32_t treem_version_number(void);
/** Run-time version text, e.g. "0.1.0"; static storage. @since 0.1 */
TREEM_API const char *treem_version_string(void);

/* ---- status codes ------------------------------------------------------------------------ */
/** Every fallible function returns a treem_status; 0 is success. Codes 1-16 have the meaning
 * and value of absl::StatusCode; library codes start at 100. Values are frozen; treat unknown
 * codes as errors. @since 0.1 */
typedef int32_t treem_status;
#define TREEM_OK 0
#define TREEM_CANCELLED 1
#define TREEM_UNKNOWN 2
#define TREEM_INVALID_ARGUMENT 3
#define TREEM_DEADLINE_EXCEEDED 4
#define TREEM_NOT_FOUND 5
#define TREEM_ALREADY_EXISTS 6
#define TREEM_PERMISSION_DENIED 7
#define TREEM_RESOURCE_EXHAUSTED 8
#define TREEM_FAILED_PRECONDITION 9
#define TREEM_ABORTED 10
#define TREEM_OUT_OF_RANGE 11
#define TREEM_UNIMPLEMENTED 12
#define TREEM_INTERNAL 13
#define TREEM_UNAVAILABLE 14
#define TREEM_DATA_LOSS 15
#define TREEM_UNAUTHENTICATED 16
#define TREEM_BUFFER_TOO_SMALL 100
#define TREEM_CALLBACK_ERROR 101

/** Extended detail codes (treem_error.detail). */
#define TREEM_DETAIL_NONE 0
#define TREEM_DETAIL_MISUSE 1 /* NULL handle or argument, bad enum value */

/** Error details of the last failed call on this thread. Never NULL; owned by the library;
 * valid until the next treem_* call on this thread; not cleared on success. Fields may be
 * appended in later versions (the struct is library-allocated). @since 0.1 */
typedef struct treem_error {
  treem_status code;
  int32_t detail;
  const char *message; /* UTF-8, never NULL; contains no personal data */
} treem_error;

TREEM_API const treem_error *treem_error_last(void);
/** Static name of a status code, e.g. "INVALID_ARGUMENT"; "UNKNOWN_STATUS" if unknown. */
TREEM_API const char *treem_status_name(treem_status code);

/* ---- buffers ----------------------------------------------------------------------------- */
/** Bytes allocated by the library and handed to the caller. Caller-allocated struct whose
 * layout is frozen: initialise with TREEM_BUF_INIT, release with treem_buf_dispose(). A buffer
 * passed as an out-parameter is disposed first if it already holds data. @since 0.1 */
typedef struct treem_buf {
  uint8_t *data;
  size_t size;
  size_t reserved_; /* library use */
} treem_buf;
#define TREEM_BUF_INIT {NULL, 0, 0}

/** Releases the bytes of buf and resets it to TREEM_BUF_INIT. NULL-safe and idempotent. */
TREEM_API void treem_buf_dispose(treem_buf *buf);

/* ---- formats ----------------------------------------------------------------------------- */
/** How schema messages cross the API: Cap'n Proto binary (standard stream framing), packed,
 * or JSON (Cap'n Proto's JSON mapping; UUIDs as text, 64-bit integers as strings). @since 0.1 */
typedef int32_t treem_format;
#define TREEM_FORMAT_CAPNP 1
#define TREEM_FORMAT_CAPNP_PACKED 2
#define TREEM_FORMAT_JSON 3

/** Access role of the acting user; values equal the schema enum Role (common.capnp).
 * Every read and write of a register carries the acting user (id, role, unit). @since 0.1 */
typedef int32_t treem_role;
#define TREEM_ROLE_UNKNOWN 0
#define TREEM_ROLE_COMMUNE_WORKER 1   /* cán bộ bảo vệ trẻ em cấp xã */
#define TREEM_ROLE_COMMUNE_CHAIR 2    /* Chủ tịch UBND xã */
#define TREEM_ROLE_PROVINCE_OFFICER 3 /* cán bộ cấp tỉnh */
#define TREEM_ROLE_ANALYST 4          /* de-identified data only */
#define TREEM_ROLE_INSPECTOR 5        /* thanh tra lao động */
#define TREEM_ROLE_AUDITOR 6
#define TREEM_ROLE_SYSTEM 7

/** 128-bit identifier passed by value; layout frozen. @since 0.1 */
typedef struct treem_uuid {
  uint8_t bytes[16];
} treem_uuid;

#ifdef __cplusplus
}
#endif

#endif /* TREEM_C_COMMON_H_ */
