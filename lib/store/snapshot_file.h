// Snapshot files: opaque payload bytes behind a fixed header, written atomically and read by
// mmap without copying.
//
//   header (64 bytes): magic "TREEMSNP" | u32 format version (1) | u32 header CRC32C (of the
//                      64 bytes with this field zeroed) | u64 covers_seq | u64 payload_size |
//                      u32 payload CRC32C | 28 zero bytes
//   payload[payload_size] at offset 64 (8-byte aligned in a page-aligned mapping)
//
// The file is exactly 64 + payload_size bytes. Name: `snapshot-<covers_seq, 20 digits>.snap`.
#ifndef TREEM_LIB_STORE_SNAPSHOT_FILE_H_
#define TREEM_LIB_STORE_SNAPSHOT_FILE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/damage.h"
#include "store/fs.h"

namespace treem::store {

inline constexpr uint64_t kSnapshotHeaderSize = 64;
inline constexpr uint32_t kSnapshotFormatVersion = 1;

std::string SnapshotFileName(uint64_t covers_seq);
std::optional<uint64_t> ParseSnapshotFileName(std::string_view name);
// Temporary files of interrupted atomic writes contain this marker.
inline constexpr std::string_view kTempMarker = ".tmp.";

// An mmap-backed, validated snapshot. Cheap to copy; the mapping lives while any copy does.
class SnapshotView {
 public:
  SnapshotView(std::shared_ptr<const MappedRegion> region, uint64_t covers_seq)
      : region_(std::move(region)), covers_seq_(covers_seq) {}

  // Every journal record with seq <= covers_seq() is reflected in the payload.
  uint64_t covers_seq() const { return covers_seq_; }
  // The payload bytes, 8-byte aligned (Cap'n Proto can read them in place).
  std::span<const uint8_t> payload() const {
    return {region_->data() + kSnapshotHeaderSize, region_->size() - kSnapshotHeaderSize};
  }

 private:
  std::shared_ptr<const MappedRegion> region_;
  uint64_t covers_seq_;
};

// Writes dir/SnapshotFileName(covers_seq) atomically: a temporary file in `dir`, written,
// fsynced, mapped, closed, renamed over the target (the commit point), then the directory is
// fsynced. On failure before the rename the temporary file is removed (best effort) and the
// previous file, if any, is untouched. Returns a view of the new file.
absl::StatusOr<SnapshotView> WriteSnapshotFile(Fs& fs, const std::string& dir, uint64_t covers_seq,
                                               std::span<const uint8_t> payload);

// Maps and validates dir/name. Damage is kDataLoss naming the file and the offset of the bad
// field (also stored in *damage when given); with verify_payload_crc false the payload CRC is
// not checked (the header is).
absl::StatusOr<SnapshotView> OpenSnapshotFile(Fs& fs, const std::string& dir,
                                              const std::string& name, bool verify_payload_crc,
                                              Damage* damage = nullptr);

// Validates a snapshot image already in memory (used by OpenSnapshotFile).
absl::StatusOr<uint64_t> ValidateSnapshotImage(const uint8_t* data, uint64_t size,
                                               const std::string& name, bool verify_payload_crc,
                                               Damage* damage = nullptr);

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_SNAPSHOT_FILE_H_
