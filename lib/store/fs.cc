#include "store/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace treem::store {
namespace {

absl::Status Errno(int err, const std::string& what) { return absl::ErrnoToStatus(err, what); }

std::string Quoted(const std::string& path) { return absl::StrCat("'", path, "'"); }

class PosixMappedRegion final : public MappedRegion {
 public:
  PosixMappedRegion(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~PosixMappedRegion() override {
    if (size_ > 0) ::munmap(addr_, size_);
  }
  const uint8_t* data() const override {
    static const uint64_t kEmpty = 0;
    return size_ > 0 ? static_cast<const uint8_t*>(addr_)
                     : reinterpret_cast<const uint8_t*>(&kEmpty);
  }
  size_t size() const override { return size_; }

 private:
  void* addr_;
  size_t size_;
};

}  // namespace

absl::StatusOr<int> PosixFs::Open(const std::string& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::kReadOnly:
      flags |= O_RDONLY;
      break;
    case OpenMode::kReadWrite:
      flags |= O_RDWR;
      break;
    case OpenMode::kCreateExclusive:
      flags |= O_RDWR | O_CREAT | O_EXCL;
      break;
    case OpenMode::kCreateOrOpen:
      flags |= O_RDWR | O_CREAT;
      break;
  }
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Errno(errno, absl::StrCat("opening ", Quoted(path)));
  return fd;
}

absl::Status PosixFs::Close(int fd) {
  // Linux releases the descriptor even when close fails; never retry (EINTR included).
  if (::close(fd) != 0 && errno != EINTR) return Errno(errno, "close");
  return absl::OkStatus();
}

absl::StatusOr<size_t> PosixFs::Read(int fd, uint64_t offset, void* buf, size_t n) {
  size_t done = 0;
  auto* out = static_cast<char*>(buf);
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "pread");
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

absl::Status PosixFs::Write(int fd, uint64_t offset, std::span<const IoSlice> slices) {
  constexpr size_t kMaxIov = 64;
  iovec iov[kMaxIov];
  size_t next = 0;  // first slice not yet loaded into iov
  size_t skip = 0;  // bytes of slices[next] already written (for partial writes)
  while (next < slices.size()) {
    size_t count = 0;
    for (size_t i = next; i < slices.size() && count < kMaxIov; ++i, ++count) {
      const size_t s = (i == next) ? skip : 0;
      iov[count].iov_base = const_cast<char*>(static_cast<const char*>(slices[i].data) + s);
      iov[count].iov_len = slices[i].size - s;
    }
    const ssize_t w = ::pwritev(fd, iov, static_cast<int>(count), static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "pwritev");
    }
    if (w == 0) return absl::DataLossError("pwritev: wrote nothing");
    offset += static_cast<uint64_t>(w);
    size_t left = static_cast<size_t>(w);
    while (left > 0 && next < slices.size()) {
      const size_t rest = slices[next].size - skip;
      if (left >= rest) {
        left -= rest;
        ++next;
        skip = 0;
      } else {
        skip += left;
        left = 0;
      }
    }
    while (next < slices.size() && slices[next].size == skip) {  // empty slices
      ++next;
      skip = 0;
    }
  }
  return absl::OkStatus();
}

absl::Status PosixFs::Sync(int fd) {
  int r;
  do {
    r = ::fdatasync(fd);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Errno(errno, "fdatasync");
  return absl::OkStatus();
}

absl::Status PosixFs::Truncate(int fd, uint64_t size) {
  int r;
  do {
    r = ::ftruncate(fd, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Errno(errno, "ftruncate");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PosixFs::Size(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Errno(errno, "fstat");
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<std::shared_ptr<const MappedRegion>> PosixFs::Map(int fd, uint64_t size) {
  if (size == 0) return std::make_shared<PosixMappedRegion>(nullptr, 0);
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return Errno(errno, "mmap");
  return std::make_shared<PosixMappedRegion>(addr, size);
}

absl::Status PosixFs::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Errno(errno, absl::StrCat("renaming ", Quoted(from), " to ", Quoted(to)));
  }
  return absl::OkStatus();
}

absl::Status PosixFs::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Errno(errno, absl::StrCat("removing ", Quoted(path)));
  return absl::OkStatus();
}

absl::Status PosixFs::MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return Errno(errno, absl::StrCat("creating directory ", Quoted(path)));
  }
  return absl::OkStatus();
}

absl::Status PosixFs::SyncDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, absl::StrCat("opening directory ", Quoted(path)));
  int r;
  do {
    r = ::fsync(fd);
  } while (r != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (r != 0) return Errno(err, absl::StrCat("syncing directory ", Quoted(path)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PosixFs::ListDir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return Errno(errno, absl::StrCat("listing ", Quoted(path)));
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return Errno(err, absl::StrCat("listing ", Quoted(path)));
  return names;
}

absl::StatusOr<int> PosixFs::LockFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(errno, absl::StrCat("opening lock file ", Quoted(path)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[64] = {};
    const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return Errno(err, absl::StrCat("locking ", Quoted(path)));
    std::string holder;
    absl::string_view text(buf, n > 0 ? static_cast<size_t>(n) : 0);
    int64_t pid = 0;
    if (absl::ConsumePrefix(&text, "pid ") &&
        absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(text), &pid) && pid > 0) {
      holder = pid == ::getpid() ? " (this process, pid " : " (pid ";
      absl::StrAppend(&holder, pid, ")");
    }
    return absl::UnavailableError(
        absl::StrCat("store is locked by another writer", holder, ": ", Quoted(path),
                     " is held; only one process may open a store for writing"));
  }
  // Record the holder for the error message above; best effort (the lock is what counts).
  const std::string text = absl::StrCat("pid ", ::getpid(), "\n");
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t w = ::pwrite(fd, text.data(), text.size(), 0);
  }
  return fd;
}

std::string PosixFs::UniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return absl::StrCat(::getpid(), "-", counter.fetch_add(1), "-", now);
}

Fs& DefaultFs() {
  static PosixFs* fs = new PosixFs();
  return *fs;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return absl::StrCat(dir, "/", name);
}

}  // namespace treem::store
