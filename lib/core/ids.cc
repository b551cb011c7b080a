#include "core/ids.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/uuid/name_generator_sha1.hpp"
#include "boost/uuid/random_generator.hpp"
#include "boost/uuid/uuid.hpp"
#include "internal/status_macros.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define TREEM_SHA_NI 1
#endif

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

namespace {

Uuid PortableNameUuid(const Uuid& ns, std::string_view name) {
  const boost::uuids::name_generator_sha1 generator(ToBoost(ns));
  return FromBoost(generator(name.data(), name.size()));
}

#ifdef TREEM_SHA_NI
// SHA-1 with the CPU's SHA extensions (SHA-NI): name-based ids are on every hot path (survey
// import command ids, merge digests), and this is several times faster than the portable code.
__attribute__((target("sha,sse4.1"))) void Sha1BlocksNi(uint32_t state[5], const uint8_t* data,
                                                        size_t blocks) {
  const __m128i mask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0x1B);
  __m128i e0 = _mm_set_epi32(static_cast<int>(state[4]), 0, 0, 0);
  for (size_t b = 0; b < blocks; ++b, data += 64) {
    const __m128i abcd_save = abcd, e_save = e0;
    __m128i w[4];
    for (int i = 0; i < 4; ++i)
      w[i] =
          _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), mask);
    __m128i prev = abcd;
    for (int g = 0; g < 20; ++g) {
      __m128i msg;
      if (g < 4) {
        msg = w[g];
      } else {
        msg = _mm_sha1msg2_epu32(
            _mm_xor_si128(_mm_sha1msg1_epu32(w[g & 3], w[(g + 1) & 3]), w[(g + 2) & 3]),
            w[(g + 3) & 3]);
        w[g & 3] = msg;
      }
      const __m128i x = g == 0 ? _mm_add_epi32(e0, msg) : _mm_sha1nexte_epu32(prev, msg);
      prev = abcd;
      switch (g / 5) {
        case 0:
          abcd = _mm_sha1rnds4_epu32(abcd, x, 0);
          break;
        case 1:
          abcd = _mm_sha1rnds4_epu32(abcd, x, 1);
          break;
        case 2:
          abcd = _mm_sha1rnds4_epu32(abcd, x, 2);
          break;
        default:
          abcd = _mm_sha1rnds4_epu32(abcd, x, 3);
          break;
      }
    }
    e0 = _mm_sha1nexte_epu32(prev, e_save);
    abcd = _mm_add_epi32(abcd, abcd_save);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_shuffle_epi32(abcd, 0x1B));
  state[4] = static_cast<uint32_t>(_mm_extract_epi32(e0, 3));
}

bool CpuHasSha() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = (b >> 29) & 1;
  unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
  if (!__get_cpuid(1, &a1, &b1, &c1, &d1)) return false;
  const bool ssse3 = (c1 >> 9) & 1, sse41 = (c1 >> 19) & 1;
  return sha && ssse3 && sse41;
}

Uuid FastNameUuid(const Uuid& ns, std::string_view name) {
  thread_local std::vector<uint8_t> msg;
  const std::array<uint8_t, 16> nsb = ToBytes(ns);
  const size_t len = 16 + name.size();
  const size_t padded = (len + 9 + 63) / 64 * 64;
  msg.assign(padded, 0);
  std::memcpy(msg.data(), nsb.data(), 16);
  if (!name.empty()) std::memcpy(msg.data() + 16, name.data(), name.size());
  msg[len] = 0x80;
  const uint64_t bits = static_cast<uint64_t>(len) * 8;
  for (int i = 0; i < 8; ++i) msg[padded - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  uint32_t st[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  Sha1BlocksNi(st, msg.data(), padded / 64);
  std::array<uint8_t, 16> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(st[i] >> (24 - 8 * j));
  out[6] = static_cast<uint8_t>((out[6] & 0x0F) | 0x50);  // version 5
  out[8] = static_cast<uint8_t>((out[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return FromBytes(std::span<const uint8_t, 16>(out.data(), 16));
}

// Used only when the CPU has the instructions and the fast path gives the portable result on
// names of every length across several blocks (never trusted blindly).
bool FastPathUsable() {
  if (!CpuHasSha()) return false;
  std::string probe;
  for (int len = 0; len < 300; len += 7) {
    if (FastNameUuid(kTreemNamespace, probe) != PortableNameUuid(kTreemNamespace, probe))
      return false;
    probe.push_back(static_cast<char>('a' + len % 26));
    probe.push_back(static_cast<char>(0x80 + len % 100));
  }
  return true;
}
#endif  // TREEM_SHA_NI

}  // namespace

Uuid NameUuid(const Uuid& ns, std::string_view name) {
#ifdef TREEM_SHA_NI
  static const bool fast = FastPathUsable();
  if (fast) return FastNameUuid(ns, name);
#endif
  return PortableNameUuid(ns, name);
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
