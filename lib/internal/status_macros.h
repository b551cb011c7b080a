// Status propagation helpers (Abseil 20220623 ships none) and exception conversion.
// Error texts built with these must never contain personal data (names, ids, birth dates):
// name the field and the reason, not the value, when the value identifies a person.
#ifndef TREEM_LIB_INTERNAL_STATUS_MACROS_H_
#define TREEM_LIB_INTERNAL_STATUS_MACROS_H_

#include <exception>
#include <new>
#include <string_view>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kj/exception.h"

#define TREEM_RETURN_IF_ERROR(expr)                         \
  do {                                                      \
    if (::absl::Status treem_st_ = (expr); !treem_st_.ok()) \
      return treem_st_;                                     \
  } while (0)

#define TREEM_CAT_(a, b) a##b
#define TREEM_CAT(a, b) TREEM_CAT_(a, b)
#define TREEM_ASSIGN_OR_RETURN(lhs, expr) \
  TREEM_ASSIGN_OR_RETURN_(TREEM_CAT(treem_sor_, __LINE__), lhs, expr)
#define TREEM_ASSIGN_OR_RETURN_(tmp, lhs, expr)   \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()

namespace treem::internal {

// Debian's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// so absl::StrCat and friends do not accept std::string_view. Wrap with Sv(x).
inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Maps a KJ exception to a status; `on_failed` says what a plain FAILED means in context
// (kInvalidArgument for caller bytes, kDataLoss for our own files).
absl::Status FromKj(const kj::Exception& e, absl::StatusCode on_failed);

// Runs fn (returning absl::Status or absl::StatusOr<T>) and converts any exception thrown by
// KJ/capnp, Boost or the standard library into a status.
template <typename Fn>
auto CatchToStatus(absl::StatusCode on_failed, Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const kj::Exception& e) {
    return FromKj(e, on_failed);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory");
  } catch (const std::exception& e) {
    return absl::Status(on_failed, e.what());
  }
}

// Prefixes a status message with context ("loading units: ...").
absl::Status Annotate(const absl::Status& s, std::string_view context);

}  // namespace treem::internal

#endif  // TREEM_LIB_INTERNAL_STATUS_MACROS_H_
