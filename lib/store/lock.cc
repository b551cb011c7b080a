#include "store/lock.h"

#include "internal/status_macros.h"

namespace treem::store {

absl::StatusOr<std::unique_ptr<StoreLock>> StoreLock::Acquire(Fs& fs, const std::string& dir) {
  TREEM_ASSIGN_OR_RETURN(const int fd, fs.LockFile(JoinPath(dir, kFileName)));
  return std::unique_ptr<StoreLock>(new StoreLock(fs, fd));
}

StoreLock::~StoreLock() { (void)fs_.Close(fd_); }  // closing the handle releases the lock

}  // namespace treem::store
