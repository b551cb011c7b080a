// Test file systems for the store (STYLE-ANCHORS B9, after SQLite's test6.c and ioerr tests):
//  - MemFs: an in-memory Fs that remembers, per file, what was synced and which writes were
//    not, and per directory, which entries were synced. SimulatePowerLoss() then drops or
//    garbles the unsynced writes and directory changes, as a power cut could.
//  - FaultFs: wraps any Fs and makes its N-th call fail (once, or from then on).
#ifndef TREEM_TESTS_UNIT_FAULT_FS_H_
#define TREEM_TESTS_UNIT_FAULT_FS_H_

#include <stdlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "store/engine.h"
#include "store/fs.h"
#include "unit/temp_dir.h"

namespace treem::store::testing {

class MemFs final : public Fs {
 public:
  enum class PowerLoss {
    kDropUnsynced,  // every unsynced write and directory change is lost
    kRandom,        // each unsynced write is kept, lost or garbled; each entry old or new
  };

  absl::StatusOr<int> Open(const std::string& path, OpenMode mode) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = names_.find(path);
    if (mode == OpenMode::kCreateExclusive && it != names_.end()) {
      return absl::AlreadyExistsError(absl::StrCat("opening '", path, "': exists"));
    }
    if (it == names_.end()) {
      if (mode == OpenMode::kReadOnly || mode == OpenMode::kReadWrite) {
        return absl::NotFoundError(absl::StrCat("opening '", path, "': no such file"));
      }
      if (!dirs_.contains(Parent(path))) {
        return absl::NotFoundError(absl::StrCat("opening '", path, "': no such directory"));
      }
      it = names_.emplace(path, std::make_shared<Inode>()).first;
    }
    const int fd = next_fd_++;
    handles_[fd] = Handle{it->second, ""};
    return fd;
  }
  absl::Status Close(int fd) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = handles_.find(fd);
    if (it == handles_.end()) return absl::InvalidArgumentError("close: bad handle");
    if (!it->second.lock_path.empty()) locks_.erase(it->second.lock_path);
    handles_.erase(it);
    return absl::OkStatus();
  }
  absl::StatusOr<size_t> Read(int fd, uint64_t offset, void* buf, size_t n) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("read: bad handle");
    if (offset >= ino->data.size()) return size_t{0};
    const size_t got = std::min<size_t>(n, ino->data.size() - offset);
    std::memcpy(buf, ino->data.data() + offset, got);
    return got;
  }
  absl::Status Write(int fd, uint64_t offset, std::span<const IoSlice> slices) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("write: bad handle");
    std::string bytes;
    for (const IoSlice& s : slices) bytes.append(static_cast<const char*>(s.data), s.size);
    Apply(ino->data, Op{false, offset, bytes});
    ino->pending.push_back(Op{false, offset, std::move(bytes)});
    return absl::OkStatus();
  }
  absl::Status Sync(int fd) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("sync: bad handle");
    ino->durable = ino->data;
    ino->pending.clear();
    ++syncs_;
    return absl::OkStatus();
  }
  absl::Status Truncate(int fd, uint64_t size) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("truncate: bad handle");
    Apply(ino->data, Op{true, size, {}});
    ino->pending.push_back(Op{true, size, {}});
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Size(int fd) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("size: bad handle");
    return ino->data.size();
  }
  absl::StatusOr<std::shared_ptr<const MappedRegion>> Map(int fd, uint64_t size) override {
    std::lock_guard<std::mutex> l(mu_);
    Inode* ino = Get(fd);
    if (ino == nullptr) return absl::InvalidArgumentError("map: bad handle");
    if (size > ino->data.size()) return absl::InvalidArgumentError("map: beyond end of file");
    return std::make_shared<CopyRegion>(ino->data.substr(0, size));
  }
  absl::Status Rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = names_.find(from);
    if (it == names_.end()) return absl::NotFoundError(absl::StrCat("renaming '", from, "'"));
    names_[to] = it->second;
    names_.erase(from);
    return absl::OkStatus();
  }
  absl::Status Remove(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (names_.erase(path) == 0) return absl::NotFoundError(absl::StrCat("removing '", path, "'"));
    return absl::OkStatus();
  }
  absl::Status MakeDir(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    dirs_.insert(path);  // simplification: directory creation is durable at once
    return absl::OkStatus();
  }
  absl::Status SyncDir(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = durable_names_.begin(); it != durable_names_.end();) {
      it = Parent(it->first) == path ? durable_names_.erase(it) : std::next(it);
    }
    for (const auto& [name, ino] : names_) {
      if (Parent(name) == path) durable_names_[name] = ino;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!dirs_.contains(path)) return absl::NotFoundError(absl::StrCat("listing '", path, "'"));
    std::vector<std::string> out;
    for (const auto& [name, ino] : names_) {
      if (Parent(name) == path) out.push_back(name.substr(path.size() + 1));
    }
    return out;
  }
  absl::StatusOr<int> LockFile(const std::string& path) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (locks_.contains(path)) {
        return absl::UnavailableError(
            absl::StrCat("store is locked by another writer: '", path, "' is held"));
      }
    }
    absl::StatusOr<int> fd = Open(path, OpenMode::kCreateOrOpen);
    if (!fd.ok()) return fd.status();
    std::lock_guard<std::mutex> l(mu_);
    locks_.insert(path);
    handles_[*fd].lock_path = path;
    return fd;
  }
  std::string UniqueSuffix() override { return absl::StrCat("m", counter_++); }

  // The power cut: afterwards only what the chosen outcome kept exists; handles and locks
  // are gone (the machine rebooted).
  void SimulatePowerLoss(PowerLoss mode, uint64_t seed) {
    std::lock_guard<std::mutex> l(mu_);
    std::mt19937_64 rng(seed);
    std::map<std::string, std::shared_ptr<Inode>> after = durable_names_;
    if (mode == PowerLoss::kRandom) {
      std::set<std::string> all;
      for (const auto& [n, i] : names_) all.insert(n);
      for (const auto& [n, i] : durable_names_) all.insert(n);
      for (const std::string& n : all) {
        auto cur = names_.find(n);
        auto dur = durable_names_.find(n);
        const auto* a = cur == names_.end() ? nullptr : cur->second.get();
        const auto* b = dur == durable_names_.end() ? nullptr : dur->second.get();
        if (a == b || rng() % 2 == 0) continue;  // keep the durable entry
        if (cur == names_.end()) {
          after.erase(n);
        } else {
          after[n] = cur->second;
        }
      }
    }
    std::set<Inode*> done;
    for (auto& [n, ino] : after) {
      if (!done.insert(ino.get()).second) continue;
      std::string content = ino->durable;
      for (const Op& op : ino->pending) {
        if (mode == PowerLoss::kDropUnsynced) break;
        switch (rng() % 3) {
          case 0:
            Apply(content, op);
            break;
          case 1:
            break;
          default: {  // a prefix reaches the disk, followed by garbage
            Op garbled = op;
            if (!garbled.truncate) {
              const size_t keep = garbled.bytes.empty() ? 0 : rng() % garbled.bytes.size();
              for (size_t i = keep; i < garbled.bytes.size(); ++i) {
                garbled.bytes[i] = static_cast<char>(rng());
              }
            }
            Apply(content, garbled);
          }
        }
      }
      ino->data = content;
      ino->durable = content;
      ino->pending.clear();
    }
    names_ = after;
    durable_names_ = after;
    handles_.clear();
    locks_.clear();
  }

  // Direct access for corruption tests (bypasses durability tracking: content is durable).
  std::optional<std::string> Contents(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = names_.find(path);
    if (it == names_.end()) return std::nullopt;
    return it->second->data;
  }
  void SetContents(const std::string& path, const std::string& data) {
    std::lock_guard<std::mutex> l(mu_);
    auto& ino = names_[path];
    if (ino == nullptr) ino = std::make_shared<Inode>();
    ino->data = ino->durable = data;
    ino->pending.clear();
    durable_names_[path] = ino;
  }
  int syncs() {
    std::lock_guard<std::mutex> l(mu_);
    return syncs_;
  }

 private:
  struct Op {
    bool truncate;
    uint64_t offset;  // the new size for truncate
    std::string bytes;
  };
  struct Inode {
    std::string data;     // what reads see
    std::string durable;  // what survives a power loss for sure
    std::vector<Op> pending;
  };
  struct Handle {
    std::shared_ptr<Inode> inode;
    std::string lock_path;
  };
  class CopyRegion final : public MappedRegion {
   public:
    explicit CopyRegion(const std::string& s) : words_((s.size() + 7) / 8 + 1), size_(s.size()) {
      std::memcpy(words_.data(), s.data(), s.size());
    }
    const uint8_t* data() const override { return reinterpret_cast<const uint8_t*>(words_.data()); }
    size_t size() const override { return size_; }

   private:
    std::vector<uint64_t> words_;
    size_t size_;
  };

  static std::string Parent(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
  }
  static void Apply(std::string& data, const Op& op) {
    if (op.truncate) {
      data.resize(op.offset);
      return;
    }
    if (data.size() < op.offset + op.bytes.size()) data.resize(op.offset + op.bytes.size());
    std::memcpy(data.data() + op.offset, op.bytes.data(), op.bytes.size());
  }
  Inode* Get(int fd) {
    auto it = handles_.find(fd);
    return it == handles_.end() ? nullptr : it->second.inode.get();
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Inode>> names_;
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;
  std::set<std::string> dirs_;
  std::map<int, Handle> handles_;
  std::set<std::string> locks_;
  int next_fd_ = 3;
  uint64_t counter_ = 0;
  int syncs_ = 0;
};

#define TREEM_FAULT_CHECK()                            \
  do {                                                 \
    if (absl::Status fault_ = Check(); !fault_.ok()) { \
      return fault_;                                   \
    }                                                  \
  } while (0)

// Fails the N-th call (counting every Fs method except UniqueSuffix) with kInternal
// "injected fault", and with `persistent` every call after it too. A failing Write first
// writes half of its bytes (a torn write).
class FaultFs final : public Fs {
 public:
  explicit FaultFs(Fs* base) : base_(base) {}

  void FailAt(int64_t n, bool persistent) {
    fail_at_ = n;
    persistent_ = persistent;
  }
  void Disarm() { fail_at_ = 0; }
  int64_t calls() const { return calls_; }
  bool tripped() const { return tripped_; }

  absl::StatusOr<int> Open(const std::string& path, OpenMode mode) override {
    TREEM_FAULT_CHECK();
    return base_->Open(path, mode);
  }
  absl::Status Close(int fd) override {
    if (absl::Status s = Check(); !s.ok()) {
      (void)base_->Close(fd);  // Close releases the handle even when it fails
      return s;
    }
    return base_->Close(fd);
  }
  absl::StatusOr<size_t> Read(int fd, uint64_t offset, void* buf, size_t n) override {
    TREEM_FAULT_CHECK();
    return base_->Read(fd, offset, buf, n);
  }
  absl::Status Write(int fd, uint64_t offset, std::span<const IoSlice> slices) override {
    if (absl::Status s = Check(); !s.ok()) {
      std::string bytes;
      for (const IoSlice& sl : slices) bytes.append(static_cast<const char*>(sl.data), sl.size);
      const IoSlice half[] = {{bytes.data(), bytes.size() / 2}};
      (void)base_->Write(fd, offset, half);
      return s;
    }
    return base_->Write(fd, offset, slices);
  }
  absl::Status Sync(int fd) override {
    TREEM_FAULT_CHECK();
    return base_->Sync(fd);
  }
  absl::Status Truncate(int fd, uint64_t size) override {
    TREEM_FAULT_CHECK();
    return base_->Truncate(fd, size);
  }
  absl::StatusOr<uint64_t> Size(int fd) override {
    TREEM_FAULT_CHECK();
    return base_->Size(fd);
  }
  absl::StatusOr<std::shared_ptr<const MappedRegion>> Map(int fd, uint64_t size) override {
    TREEM_FAULT_CHECK();
    return base_->Map(fd, size);
  }
  absl::Status Rename(const std::string& from, const std::string& to) override {
    TREEM_FAULT_CHECK();
    return base_->Rename(from, to);
  }
  absl::Status Remove(const std::string& path) override {
    TREEM_FAULT_CHECK();
    return base_->Remove(path);
  }
  absl::Status MakeDir(const std::string& path) override {
    TREEM_FAULT_CHECK();
    return base_->MakeDir(path);
  }
  absl::Status SyncDir(const std::string& path) override {
    TREEM_FAULT_CHECK();
    return base_->SyncDir(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) override {
    TREEM_FAULT_CHECK();
    return base_->ListDir(path);
  }
  absl::StatusOr<int> LockFile(const std::string& path) override {
    TREEM_FAULT_CHECK();
    return base_->LockFile(path);
  }
  std::string UniqueSuffix() override { return base_->UniqueSuffix(); }

 private:
  absl::Status Check() {
    const int64_t n = ++calls_;
    const int64_t at = fail_at_;
    if (at > 0 && (n == at || (persistent_ && n > at))) {
      tripped_ = true;
      return absl::InternalError(absl::StrCat("injected fault at fs call ", n));
    }
    return absl::OkStatus();
  }

  Fs* base_;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> fail_at_{0};
  std::atomic<bool> persistent_{false};
  std::atomic<bool> tripped_{false};
};

#undef TREEM_FAULT_CHECK

// ---- helpers shared by the store tests ----

// Deterministic payload of record `seq`: 0 to 299 bytes derived from seq, so any record read
// back can be checked on its own.
inline std::string PayloadFor(uint64_t seq) {
  std::string s((seq * 37) % 300, '\0');
  uint64_t x = seq * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

inline std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// All records from `from` on, as (seq, payload) pairs; a read error fails the test.
inline std::vector<std::pair<uint64_t, std::string>> ReadAll(const StoreEngine& e, uint64_t from) {
  std::vector<std::pair<uint64_t, std::string>> out;
  const absl::Status s = e.ReadFrom(from, [&](uint64_t seq, std::span<const uint8_t> p) {
    out.emplace_back(seq, std::string(reinterpret_cast<const char*>(p.data()), p.size()));
    return absl::OkStatus();
  });
  if (!s.ok()) out.emplace_back(0, std::string(s.message()));
  return out;
}

using ::treem::test_util::TempDir;

}  // namespace treem::store::testing

#endif  // TREEM_TESTS_UNIT_FAULT_FS_H_
