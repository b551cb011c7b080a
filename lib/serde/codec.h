// Encoding and decoding of any treem schema message in three formats:
//
//   kCapnp   standard Cap'n Proto stream framing (segment table + segments, messageToFlatArray)
//   kPacked  the same message, packed (transport and cold storage only; never mmap'ed)
//   kJson    capnp::JsonCodec with treem conventions (docs/schema.md):
//              Uuid  -> "8-4-4-4-12" lower-case hex text (upper case accepted on input)
//              Date  -> "YYYY-MM-DD" text; the unset date (all fields zero) -> null
//              64-bit integers -> decimal strings (capnp default); enums -> their names
//              unknown fields are ignored unless DecodeOptions::reject_unknown_json_fields
//
// Decoding treats the bytes as untrusted (STYLE-ANCHORS B7): the input size is capped, explicit
// ReaderOptions bound traversal and nesting, binary input must be a multiple of 8 bytes and is
// copied when misaligned, and the whole traversal (reader construction and the deep copy into
// the caller's builder, which visits every pointer) runs inside CatchToStatus. Failures are
// kInvalidArgument with a message naming the problem and, for Uuid and Date text, the field
// ("Person.id: not a canonical uuid ..."); messages never contain the offending value.
//
// The Format values are those of the C API's TREEM_FORMAT_* constants and never change.
#ifndef TREEM_LIB_SERDE_CODEC_H_
#define TREEM_LIB_SERDE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "capnp/schema.h"
#include "internal/status_macros.h"

namespace treem::serde {

enum class Format : int {
  kCapnp = 1,   // TREEM_FORMAT_CAPNP
  kPacked = 2,  // TREEM_FORMAT_CAPNP_PACKED
  kJson = 3,    // TREEM_FORMAT_JSON
};

// "capnp", "packed", "json"; "unknown" for values outside the enum.
const char* FormatName(Format f);
// Accepts the integer values above; anything else is kInvalidArgument.
absl::StatusOr<Format> FormatFromInt(int value);

struct DecodeOptions {
  size_t max_bytes = size_t{64} << 20;        // input size cap (64 MiB)
  uint64_t traversal_limit_words = 8u << 20;  // capnp traversal limit (8 Mi words = 64 MiB)
  int nesting_limit = 64;                     // capnp pointer nesting limit
  size_t json_max_nesting = 64;               // JSON nesting depth limit
  bool reject_unknown_json_fields = false;    // strict JSON: unknown member names are errors
};

struct EncodeOptions {
  bool json_pretty = false;  // indent JSON output (kJson only)
};

namespace internal {

// Type-erased implementations; the templates below are thin wrappers.
absl::StatusOr<std::string> EncodeDynamic(capnp::DynamicStruct::Reader reader, Format format,
                                          const EncodeOptions& options);
absl::Status DecodeDynamic(std::string_view bytes, Format format, capnp::StructSchema schema,
                           capnp::MessageBuilder& out, const DecodeOptions& options);
absl::StatusOr<std::string> CanonicalDynamic(capnp::DynamicStruct::Reader reader);

}  // namespace internal

// Encodes `reader` (a root or any sub-struct) as a standalone message of type T. The reader may
// come from untrusted bytes: copying it runs inside the exception guard.
template <typename T>
absl::StatusOr<std::string> Encode(typename T::Reader reader, Format format,
                                   const EncodeOptions& options = {}) {
  return internal::EncodeDynamic(capnp::toDynamic(reader), format, options);
}

// Decodes `bytes` as a message of type T and sets it as the root of `out` (replacing any
// previous root). On error `out` may hold a partial root; discard it.
template <typename T>
absl::Status DecodeInto(std::string_view bytes, Format format, capnp::MessageBuilder& out,
                        const DecodeOptions& options = {}) {
  return internal::DecodeDynamic(bytes, format, capnp::Schema::from<T>(), out, options);
}

// The canonical form (single segment, preorder, no segment table) of `reader`: the only bytes
// to hash, sign or compare for equality (never JSON or builder output).
template <typename T>
absl::StatusOr<std::string> Canonical(typename T::Reader reader) {
  return internal::CanonicalDynamic(capnp::toDynamic(reader));
}

// Converts between formats (decode with `decode_options`, then encode).
template <typename T>
absl::StatusOr<std::string> Transcode(std::string_view bytes, Format from, Format to,
                                      const DecodeOptions& decode_options = {},
                                      const EncodeOptions& encode_options = {}) {
  capnp::MallocMessageBuilder message;
  TREEM_RETURN_IF_ERROR(DecodeInto<T>(bytes, from, message, decode_options));
  return Encode<T>(message.getRoot<T>().asReader(), to, encode_options);
}

}  // namespace treem::serde

#endif  // TREEM_LIB_SERDE_CODEC_H_
