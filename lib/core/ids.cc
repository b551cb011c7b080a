#include "core/ids.h"

#include <algorithm>
#include <exception>
#include <new>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/uuid/name_generator_sha1.hpp"
#include "boost/uuid/random_generator.hpp"
#include "boost/uuid/uuid.hpp"
#include "internal/status_macros.h"

namespace treem::core {
using internal::Sv;
namespace {

Uuid FromBoost(const boost::uuids::uuid& u) {
  return FromBytes(std::span<const uint8_t, 16>(u.data, 16));
}

boost::uuids::uuid ToBoost(const Uuid& id) {
  boost::uuids::uuid u;
  const std::array<uint8_t, 16> b = ToBytes(id);
  std::copy(b.begin(), b.end(), u.data);
  return u;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::array<uint8_t, 16> ToBytes(const Uuid& id) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(id.hi >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(id.lo >> (56 - 8 * i));
  }
  return b;
}

Uuid FromBytes(std::span<const uint8_t, 16> bytes) {
  Uuid id;
  for (int i = 0; i < 8; ++i) {
    id.hi = (id.hi << 8) | bytes[i];
    id.lo = (id.lo << 8) | bytes[8 + i];
  }
  return id;
}

Uuid NewRandomUuid() {
  // One generator per thread (it owns an entropy source handle), never shared.
  thread_local boost::uuids::random_generator generator;
  return FromBoost(generator());
}

absl::StatusOr<Uuid> TryNewRandomUuid() { return internal::TryGenerateUuid(&NewRandomUuid); }

Uuid NameUuid(const Uuid& ns, std::string_view name) {
  const boost::uuids::name_generator_sha1 generator(ToBoost(ns));
  return FromBoost(generator(name.data(), name.size()));
}

Uuid NameUuid(std::string_view name) { return NameUuid(kTreemNamespace, name); }

std::string ToString(const Uuid& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::array<uint8_t, 16> b = ToBytes(id);
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

absl::StatusOr<Uuid> ParseUuid(std::string_view text, std::string_view field) {
  if (text.size() != 36) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": expected a uuid of 36 characters (8-4-4-4-12 hex digits), got ",
                     text.size()));
  }
  std::array<uint8_t, 16> b{};
  int nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool hyphen_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_here) {
      if (text[i] != '-') {
        return absl::InvalidArgumentError(
            absl::StrCat(Sv(field), ": expected '-' at position ", i + 1));
      }
      continue;
    }
    const int v = HexValue(text[i]);
    if (v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(field), ": not a hex digit at position ", i + 1));
    }
    b[nibble / 2] = static_cast<uint8_t>(b[nibble / 2] | (nibble % 2 == 0 ? v << 4 : v));
    ++nibble;
  }
  return FromBytes(b);
}

}  // namespace treem::core

namespace treem::internal {

absl::StatusOr<core::Uuid> TryGenerateUuid(const std::function<core::Uuid()>& generate) {
  try {
    return generate();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory");
  } catch (const std::exception& e) {
    // boost::uuids::entropy_error: getrandom()/urandom failed.
    return absl::UnavailableError(
        absl::StrCat("generating a random uuid: the entropy source failed: ", e.what()));
  }
}

}  // namespace treem::internal
