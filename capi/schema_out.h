// Internal to the C API: formats and writing schema messages into a caller's treem_buf.
#ifndef TREEM_CAPI_SCHEMA_OUT_H_
#define TREEM_CAPI_SCHEMA_OUT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "internal/status_macros.h"
#include "serde/codec.h"

namespace treem::capi {

// Checks a caller-supplied treem_format value (misuse when unknown).
inline absl::StatusOr<serde::Format> ToFormat(treem_format f, std::string_view arg_name) {
  auto r = serde::FormatFromInt(f);
  if (!r.ok()) {
    return Misuse(absl::StrCat(internal::Sv(arg_name), ": unknown format ", f,
                               " (expected 1 capnp, 2 packed or 3 json)"));
  }
  return r;
}

template <typename T>
absl::Status WriteMessage(treem_buf* out, typename T::Reader reader, serde::Format format) {
  TREEM_ASSIGN_OR_RETURN(std::string bytes, serde::Encode<T>(reader, format));
  return FillBuf(out, bytes);
}

// Decodes caller bytes as T into `message` (untrusted input: limits and guard in serde).
template <typename T>
absl::Status ReadMessage(const uint8_t* data, size_t size, treem_format fmt,
                         capnp::MessageBuilder& message, std::string_view arg_name) {
  if (data == nullptr && size != 0) {
    return Misuse(absl::StrCat(internal::Sv(arg_name), ": null data with non-zero size"));
  }
  TREEM_ASSIGN_OR_RETURN(serde::Format format, ToFormat(fmt, "fmt"));
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  return internal::Annotate(serde::DecodeInto<T>(bytes, format, message), arg_name);
}

}  // namespace treem::capi

#endif  // TREEM_CAPI_SCHEMA_OUT_H_
