// The file-system interface of the store. Every system call the store makes goes through
// an Fs, so tests can inject I/O errors (fail the N-th call), simulate power loss (drop or
// garble writes that were not synced) and crash processes at chosen points
// (STYLE-ANCHORS B7/B9, SQLite's VFS and test6.c).
//
// Files are named by small integer handles. Implementations must be thread-safe: the store
// syncs from a background thread while another thread appends or reads.
#ifndef TREEM_LIB_STORE_FS_H_
#define TREEM_LIB_STORE_FS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace treem::store {

// One piece of a gathered write.
struct IoSlice {
  const void* data;
  size_t size;
};

// A read-only view of a file's bytes (an mmap for PosixFs). The bytes stay valid and
// unchanged while the object lives, even if the file is renamed over or removed: the store
// never rewrites a file in place that someone may have mapped.
class MappedRegion {
 public:
  virtual ~MappedRegion() = default;
  virtual const uint8_t* data() const = 0;  // page-aligned for PosixFs; never null
  virtual size_t size() const = 0;
};

enum class OpenMode {
  kReadOnly,         // the file must exist
  kReadWrite,        // the file must exist
  kCreateExclusive,  // read-write; fails with kAlreadyExists if the file exists
  kCreateOrOpen,     // read-write; created empty if missing
};

class Fs {
 public:
  virtual ~Fs() = default;

  [[nodiscard]] virtual absl::StatusOr<int> Open(const std::string& path, OpenMode mode) = 0;
  // Releases the handle (and any lock taken through it) even when it returns an error.
  [[nodiscard]] virtual absl::Status Close(int fd) = 0;
  // Reads up to n bytes at offset; returns fewer only at end of file.
  [[nodiscard]] virtual absl::StatusOr<size_t> Read(int fd, uint64_t offset, void* buf,
                                                    size_t n) = 0;
  // Writes all slices contiguously at offset, or fails (a failed write may have written a
  // prefix).
  [[nodiscard]] virtual absl::Status Write(int fd, uint64_t offset,
                                           std::span<const IoSlice> slices) = 0;
  // Makes the file's data (and the size needed to read it back) durable: fdatasync(2).
  [[nodiscard]] virtual absl::Status Sync(int fd) = 0;
  [[nodiscard]] virtual absl::Status Truncate(int fd, uint64_t size) = 0;
  [[nodiscard]] virtual absl::StatusOr<uint64_t> Size(int fd) = 0;
  // Maps the first `size` bytes of the file read-only.
  [[nodiscard]] virtual absl::StatusOr<std::shared_ptr<const MappedRegion>> Map(int fd,
                                                                                uint64_t size) = 0;

  [[nodiscard]] virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  [[nodiscard]] virtual absl::Status Remove(const std::string& path) = 0;
  // Creates the directory; succeeds if it already exists.
  [[nodiscard]] virtual absl::Status MakeDir(const std::string& path) = 0;
  // Makes creations, renames and removals of entries in the directory durable.
  [[nodiscard]] virtual absl::Status SyncDir(const std::string& path) = 0;
  // Names of the entries in the directory (no "." or ".."); kNotFound if it does not exist.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) = 0;

  // Opens (creating if needed) `path` and takes an exclusive, non-blocking lock on it that
  // lasts until Close(handle) or the end of the process. If another holder has it, fails
  // with kUnavailable and a message naming the holder's pid when recorded.
  [[nodiscard]] virtual absl::StatusOr<int> LockFile(const std::string& path) = 0;

  // A string that differs between calls and processes (for temporary file names).
  virtual std::string UniqueSuffix() = 0;
};

// The POSIX implementation (Linux: pwritev, fdatasync, flock, mmap). Stateless apart from a
// counter for UniqueSuffix.
class PosixFs final : public Fs {
 public:
  absl::StatusOr<int> Open(const std::string& path, OpenMode mode) override;
  absl::Status Close(int fd) override;
  absl::StatusOr<size_t> Read(int fd, uint64_t offset, void* buf, size_t n) override;
  absl::Status Write(int fd, uint64_t offset, std::span<const IoSlice> slices) override;
  absl::Status Sync(int fd) override;
  absl::Status Truncate(int fd, uint64_t size) override;
  absl::StatusOr<uint64_t> Size(int fd) override;
  absl::StatusOr<std::shared_ptr<const MappedRegion>> Map(int fd, uint64_t size) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status MakeDir(const std::string& path) override;
  absl::Status SyncDir(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) override;
  absl::StatusOr<int> LockFile(const std::string& path) override;
  std::string UniqueSuffix() override;
};

// A process-wide PosixFs.
Fs& DefaultFs();

// "dir/name" without doubling the separator.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_FS_H_
