// The one-writer-per-store lock: an exclusive flock(2) on `<dir>/LOCK`, held for the life of
// the object. The holder's pid is written into the file so that a refused opener can name
// it. flock locks belong to the open file description: a second open in the same process is
// refused too, and the lock disappears with the process (no stale lock after a crash). A
// child created by fork() after the lock was taken shares it; open stores after forking.
#ifndef TREEM_LIB_STORE_LOCK_H_
#define TREEM_LIB_STORE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/fs.h"

namespace treem::store {

class StoreLock {
 public:
  static constexpr char kFileName[] = "LOCK";

  // kUnavailable "store is locked by another writer (pid N): ..." when held elsewhere.
  static absl::StatusOr<std::unique_ptr<StoreLock>> Acquire(Fs& fs, const std::string& dir);

  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

 private:
  StoreLock(Fs& fs, int fd) : fs_(fs), fd_(fd) {}
  Fs& fs_;
  int fd_;
};

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_LOCK_H_
