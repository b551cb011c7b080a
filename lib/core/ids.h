// Record identifiers: 128-bit UUIDs (RFC 4122) built with Boost.Uuid.
//
// New records get random (version 4) ids. Imports that must give the same record the same id on
// every run (a village survey list imported twice, a province merge) use name-based (version 5,
// SHA-1) ids in the treem namespace below. A v5 id is a deterministic hash of its name: never
// build the name from personal data alone (a national ID, a name and birth date), since anyone
// can recompute the hash of a guessed value; use the source system's record key.
//
// Layout matches treem.schema.Uuid: big-endian halves, `hi` = bytes 0..7, `lo` = bytes 8..15,
// so ordering by (hi, lo) is ordering by the canonical text.
#ifndef TREEM_LIB_CORE_IDS_H_
#define TREEM_LIB_CORE_IDS_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace treem::core {

struct Uuid {
  uint64_t hi = 0;  // bytes 0..7, big-endian
  uint64_t lo = 0;  // bytes 8..15, big-endian

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Uuid& u) {
    return H::combine(std::move(h), u.hi, u.lo);
  }

  bool is_nil() const { return hi == 0 && lo == 0; }
  // The version nibble (high nibble of byte 6): 4 for random, 5 for name-based ids.
  int version() const { return static_cast<int>((hi >> 12) & 0xF); }
  // True for the RFC 4122 variant (the two high bits of byte 8 are 10).
  bool is_rfc4122() const { return (lo >> 62) == 0x2; }
};

// The namespace of treem's name-based ids, generated once (random v4) for this library and
// frozen forever: changing it would change every imported id.
inline constexpr Uuid kTreemNamespace = {0xdb840281529e4adaULL, 0x98eb34b463012220ULL};
// = db840281-529e-4ada-98eb-34b463012220

// The 16 bytes in network order (the layout of the C API's treem_uuid).
std::array<uint8_t, 16> ToBytes(const Uuid& id);
Uuid FromBytes(std::span<const uint8_t, 16> bytes);

// A random (v4) id from the operating system's entropy source (one generator per thread).
// Throws boost::uuids::entropy_error (a std::runtime_error) if the entropy source fails: call it
// only where exceptions are converted (CatchToStatus, the C API guard), else use the Try form.
Uuid NewRandomUuid();
// The same, with an entropy failure returned as kUnavailable instead of thrown.
absl::StatusOr<Uuid> TryNewRandomUuid();

// The name-based (v5, SHA-1) id of `name` (its UTF-8 bytes) in kTreemNamespace, or in `ns`.
// Deterministic: the same name always gives the same id.
Uuid NameUuid(std::string_view name);
Uuid NameUuid(const Uuid& ns, std::string_view name);

// Canonical lowercase text, 8-4-4-4-12 hex digits ("db840281-529e-4ada-98eb-34b463012220").
std::string ToString(const Uuid& id);
// Parses the canonical form (hex digits in either case). Errors name `field` and the reason,
// never the value (an id can identify a person): "childId: expected 36 characters, got 35".
absl::StatusOr<Uuid> ParseUuid(std::string_view text, std::string_view field);

}  // namespace treem::core

namespace treem::internal {
// Runs `generate` and converts a thrown std::exception (Boost's entropy_error) into
// kUnavailable; the seam TryNewRandomUuid uses, exposed for tests.
absl::StatusOr<core::Uuid> TryGenerateUuid(const std::function<core::Uuid()>& generate);
}  // namespace treem::internal

template <>
struct std::hash<treem::core::Uuid> {
  size_t operator()(const treem::core::Uuid& u) const noexcept {
    // hi and lo are already well mixed for v4/v5 ids; fold them with a multiplicative mix.
    return static_cast<size_t>((u.hi ^ (u.lo * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL);
  }
};

#endif  // TREEM_LIB_CORE_IDS_H_
