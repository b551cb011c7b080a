#include "store/snapshot_file.h"

#include <algorithm>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "internal/status_macros.h"
#include "store/coding.h"
#include "store/crc32c.h"

namespace treem::store {
namespace {

using internal::Get32;
using internal::Get64;
using internal::Put32;
using internal::Put64;

constexpr char kSnapshotMagic[8] = {'T', 'R', 'E', 'E', 'M', 'S', 'N', 'P'};

uint32_t HeaderCrc(const uint8_t* p) {
  uint8_t copy[kSnapshotHeaderSize];
  std::memcpy(copy, p, kSnapshotHeaderSize);
  Put32(copy + 12, 0);
  return Crc32c(copy, kSnapshotHeaderSize);
}

absl::Status Damaged(Damage* out, const std::string& name, uint64_t offset,
                     const std::string& reason) {
  if (out != nullptr) *out = Damage{name, offset, reason};
  return absl::DataLossError(absl::StrCat(name, " at offset ", offset, ": ", reason));
}

}  // namespace

std::string SnapshotFileName(uint64_t covers_seq) {
  return absl::StrFormat("snapshot-%020u.snap", covers_seq);
}

std::optional<uint64_t> ParseSnapshotFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "snapshot-";
  constexpr std::string_view kSuffix = ".snap";
  if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(kPrefix.size(), 20);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t v = 0;
  if (!absl::SimpleAtoi(::treem::internal::Sv(digits), &v)) return std::nullopt;
  return v;
}

absl::StatusOr<SnapshotView> WriteSnapshotFile(Fs& fs, const std::string& dir, uint64_t covers_seq,
                                               std::span<const uint8_t> payload) {
  const std::string name = SnapshotFileName(covers_seq);
  const std::string path = JoinPath(dir, name);
  const std::string tmp = absl::StrCat(path, ::treem::internal::Sv(kTempMarker), fs.UniqueSuffix());

  uint8_t header[kSnapshotHeaderSize] = {};
  std::memcpy(header, kSnapshotMagic, 8);
  Put32(header + 8, kSnapshotFormatVersion);
  Put64(header + 16, covers_seq);
  Put64(header + 24, payload.size());
  Put32(header + 32, Crc32c(payload.data(), payload.size()));
  Put32(header + 12, HeaderCrc(header));

  TREEM_ASSIGN_OR_RETURN(const int fd, fs.Open(tmp, OpenMode::kCreateExclusive));
  bool open = true;
  bool renamed = false;
  absl::Cleanup cleanup = [&] {
    if (open) (void)fs.Close(fd);
    if (!renamed) (void)fs.Remove(tmp);
  };
  const IoSlice slices[] = {{header, sizeof(header)}, {payload.data(), payload.size()}};
  TREEM_RETURN_IF_ERROR(::treem::internal::Annotate(fs.Write(fd, 0, slices), "writing snapshot"));
  TREEM_RETURN_IF_ERROR(
      ::treem::internal::Annotate(fs.Sync(fd), "syncing snapshot"));  // durable...
  TREEM_ASSIGN_OR_RETURN(std::shared_ptr<const MappedRegion> region,
                         fs.Map(fd, kSnapshotHeaderSize + payload.size()));
  open = false;
  TREEM_RETURN_IF_ERROR(::treem::internal::Annotate(fs.Close(fd), "closing snapshot"));
  TREEM_RETURN_IF_ERROR(fs.Rename(tmp, path));  // ...before visible: the commit point
  renamed = true;
  TREEM_RETURN_IF_ERROR(fs.SyncDir(dir));  // make the rename durable
  return SnapshotView(std::move(region), covers_seq);
}

absl::StatusOr<uint64_t> ValidateSnapshotImage(const uint8_t* data, uint64_t size,
                                               const std::string& name, bool verify_payload_crc,
                                               Damage* damage) {
  if (size < kSnapshotHeaderSize) {
    return Damaged(damage, name, size,
                   absl::StrCat("file is ", size, " bytes, shorter than the ", kSnapshotHeaderSize,
                                "-byte header"));
  }
  if (std::memcmp(data, kSnapshotMagic, 8) != 0) {
    return Damaged(damage, name, 0, "bad magic (not a treem snapshot)");
  }
  const uint32_t stored_header_crc = Get32(data + 12);
  const uint32_t header_crc = HeaderCrc(data);
  if (stored_header_crc != header_crc) {
    return Damaged(damage, name, 12,
                   absl::StrFormat("header crc mismatch (stored 0x%08x, computed 0x%08x)",
                                   stored_header_crc, header_crc));
  }
  const uint32_t version = Get32(data + 8);
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, ": format version ", version, " is not supported (this library ",
                     "reads version ", kSnapshotFormatVersion, ")"));
  }
  const uint64_t covers_seq = Get64(data + 16);
  const uint64_t payload_size = Get64(data + 24);
  if (payload_size != size - kSnapshotHeaderSize) {
    return Damaged(damage, name, 24,
                   absl::StrCat("payload size ", payload_size, " does not match the file size ",
                                size, " (truncated or extended file)"));
  }
  if (verify_payload_crc) {
    const uint32_t stored = Get32(data + 32);
    const uint32_t computed = Crc32c(data + kSnapshotHeaderSize, payload_size);
    if (stored != computed) {
      return Damaged(damage, name, kSnapshotHeaderSize,
                     absl::StrFormat("payload crc mismatch (stored 0x%08x, computed 0x%08x)",
                                     stored, computed));
    }
  }
  return covers_seq;
}

absl::StatusOr<SnapshotView> OpenSnapshotFile(Fs& fs, const std::string& dir,
                                              const std::string& name, bool verify_payload_crc,
                                              Damage* damage) {
  TREEM_ASSIGN_OR_RETURN(const int fd, fs.Open(JoinPath(dir, name), OpenMode::kReadOnly));
  absl::Cleanup close = [&] { (void)fs.Close(fd); };
  TREEM_ASSIGN_OR_RETURN(const uint64_t size, fs.Size(fd));
  TREEM_ASSIGN_OR_RETURN(std::shared_ptr<const MappedRegion> region, fs.Map(fd, size));
  TREEM_ASSIGN_OR_RETURN(
      const uint64_t covers_seq,
      ValidateSnapshotImage(region->data(), region->size(), name, verify_payload_crc, damage));
  const std::optional<uint64_t> named = ParseSnapshotFileName(name);
  if (named.has_value() && *named != covers_seq) {
    return Damaged(
        damage, name, 16,
        absl::StrCat("header covers seq ", covers_seq, " but the file name says ", *named));
  }
  return SnapshotView(std::move(region), covers_seq);
}

}  // namespace treem::store
