// Internal to the C API: the guard every extern "C" body runs in, the thread-local error
// store and helpers to hand bytes to the caller.
#ifndef TREEM_CAPI_GUARD_H_
#define TREEM_CAPI_GUARD_H_

#include <exception>
#include <new>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "kj/exception.h"
#include "treem/c/common.h"

namespace treem::capi {

// Both copy into a thread_local buffer (truncating); they never allocate or throw.
treem_status SetLastError(const absl::Status& s) noexcept;
treem_status SetLastErrorRaw(treem_status code, int32_t detail, const char* msg) noexcept;
treem_status CodeForKj(kj::Exception::Type t, treem_status on_failed) noexcept;

// A NULL handle or argument, or an out-of-range enum: InvalidArgument with detail MISUSE.
absl::Status Misuse(std::string_view what);

template <typename Fn>
treem_status Guard(Fn&& fn) noexcept {
  try {
    absl::Status s = std::forward<Fn>(fn)();
    return s.ok() ? TREEM_OK : SetLastError(s);
  } catch (const kj::Exception& e) {  // must precede std::exception
    return SetLastErrorRaw(CodeForKj(e.getType(), TREEM_INTERNAL), 0,
                           e.getDescription().cStr());
  } catch (const std::bad_alloc&) {  // builds no absl::Status: no allocation
    return SetLastErrorRaw(TREEM_RESOURCE_EXHAUSTED, 0, "out of memory");
  } catch (const std::exception& e) {
    return SetLastErrorRaw(TREEM_INTERNAL, 0, e.what());
  } catch (...) {
    return SetLastErrorRaw(TREEM_UNKNOWN, 0, "unknown exception");
  }
}

// Copies bytes into a library-owned treem_buf (disposing what it held before).
absl::Status FillBuf(treem_buf* out, std::string_view bytes);

}  // namespace treem::capi

#endif  // TREEM_CAPI_GUARD_H_
