// Store helpers of the fuzz targets that build store folders from fuzzed bytes: an in-memory
// file system (MemFs of tests/unit/fault_fs.h: deterministic, no disk I/O), the options of a
// store in it, and repair of the CRCs of segment and snapshot files, so a target can choose to
// get past the CRC checks and fuzz what lies behind them.
#ifndef TREEM_TESTS_FUZZ_STORE_FUZZ_UTIL_H_
#define TREEM_TESTS_FUZZ_STORE_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "store/crc32c.h"
#include "store/engine.h"
#include "unit/fault_fs.h"

namespace treem::fuzz {

// A store in `fs` (an in-memory file system), sync off.
inline store::StoreOptions FuzzStoreOptions(store::Fs* fs) {
  store::StoreOptions o;
  o.fs = fs;
  o.sync = store::SyncPolicy::kOff;
  o.sync_interval_ms = 0;
  return o;
}

inline uint32_t Get32At(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}
inline uint64_t Get64At(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}
inline void Put32At(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}

// Rewrites the header CRC and the CRC of every complete frame of a journal segment
// (docs/storage.md: 32-byte header with its CRC at offset 12; frames u32 crc | u32 length |
// u64 seq | u64 synced_seq | payload | zero padding to 8, CRC over bytes 4 .. 24 + length).
inline void RepairSegmentCrcs(std::string& seg) {
  constexpr size_t kHeader = 32, kFrame = 24;
  if (seg.size() < kHeader) return;
  Put32At(seg, 12, 0);
  Put32At(seg, 12, store::Crc32c(seg.data(), kHeader));
  size_t off = kHeader;
  while (off + kFrame <= seg.size()) {
    const uint64_t len = Get32At(seg, off + 4);
    if (len > seg.size() - off - kFrame) break;
    Put32At(seg, off, store::Crc32c(seg.data() + off + 4, kFrame - 4 + len));
    off += kFrame + ((len + 7) / 8) * 8;
  }
}

// Rewrites the header CRC and the payload CRC of a snapshot file (64-byte header with its
// CRC at offset 12, payload CRC at 32 over the payload_size bytes at offset 64).
inline void RepairSnapshotCrcs(std::string& snap) {
  constexpr size_t kHeader = 64;
  if (snap.size() < kHeader) return;
  const uint64_t payload = Get64At(snap, 24);
  if (payload <= snap.size() - kHeader) {
    Put32At(snap, 32, store::Crc32c(snap.data() + kHeader, payload));
  }
  Put32At(snap, 12, 0);
  Put32At(snap, 12, store::Crc32c(snap.data(), kHeader));
}

}  // namespace treem::fuzz

#endif  // TREEM_TESTS_FUZZ_STORE_FUZZ_UTIL_H_
