#include "store/engine.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "store/journal.h"

namespace treem::store {

using ::treem::internal::Annotate;

// One journal segment file. fd stays open while any reader or syncer holds the segment, even
// after compaction removed the file.
struct StoreEngine::Segment {
  Segment(Fs& fs_in, int fd_in, std::string name_in, uint64_t first)
      : fs(fs_in), fd(fd_in), name(std::move(name_in)), first_seq(first), last_seq(first - 1) {}
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment() { (void)fs.Close(fd); }

  Fs& fs;
  const int fd;
  const std::string name;
  const uint64_t first_seq;
  // Guarded by the engine's mu_; they change only while the segment is the active one.
  uint64_t last_seq;                  // first_seq - 1 when empty
  uint64_t end = kSegmentHeaderSize;  // offset just past the last valid frame
};

namespace {

bool Empty(uint64_t first, uint64_t last) { return last < first; }

}  // namespace

StoreEngine::StoreEngine(const std::string& dir, const StoreOptions& options)
    : dir_(dir), options_(options), fs_(options.fs != nullptr ? *options.fs : DefaultFs()) {}

absl::StatusOr<std::unique_ptr<StoreEngine>> StoreEngine::Open(const std::string& dir,
                                                               const StoreOptions& options) {
  if (options.salvage && !options.read_only) {
    return absl::InvalidArgumentError("salvage: requires read_only (salvage never writes)");
  }
  if (options.segment_size_limit < 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "segment_size_limit: ", options.segment_size_limit, " is below the minimum 4096"));
  }
  if (options.max_record_size > (uint32_t{1} << 31)) {
    return absl::InvalidArgumentError(absl::StrCat("max_record_size: ", options.max_record_size,
                                                   " is above the maximum 2147483648"));
  }
  std::unique_ptr<StoreEngine> engine(new StoreEngine(dir, options));
  if (absl::Status s = engine->Recover(); !s.ok()) {
    return Annotate(s, absl::StrCat("opening store '", dir, "'"));
  }
  if (!options.read_only && options.sync == SyncPolicy::kNormal && options.sync_interval_ms > 0) {
    engine->syncer_ = std::thread([e = engine.get()] { e->SyncerLoop(); });
  }
  return engine;
}

StoreEngine::~StoreEngine() { (void)Close(); }

absl::Status StoreEngine::OnDamage(Damage d, bool* stopped) {
  if (!options_.salvage) {
    return absl::DataLossError(absl::StrCat(
        d.file, " at offset ", d.offset, ": ", d.reason,
        "; the store was not opened (open it read-only with salvage to read what precedes "
        "the damage)"));
  }
  report_.damage.push_back(std::move(d));
  *stopped = true;
  return absl::OkStatus();
}

absl::Status StoreEngine::Recover() {
  absl::MutexLock l(&mu_);  // nobody else can see the engine yet; this satisfies annotations
  const bool rw = !options_.read_only;
  if (rw && options_.create_if_missing) TREEM_RETURN_IF_ERROR(fs_.MakeDir(dir_));
  absl::StatusOr<std::vector<std::string>> listed = fs_.ListDir(dir_);
  if (absl::IsNotFound(listed.status())) {
    return absl::NotFoundError("store directory does not exist");
  }
  TREEM_RETURN_IF_ERROR(listed.status());
  if (rw) {
    TREEM_ASSIGN_OR_RETURN(lock_, StoreLock::Acquire(fs_, dir_));
    listed = fs_.ListDir(dir_);  // what the previous writer left, now that it cannot change
    TREEM_RETURN_IF_ERROR(listed.status());
  }

  std::vector<std::pair<uint64_t, std::string>> segment_names;  // by ordinal
  std::map<uint64_t, std::string> snapshot_names;               // by covers_seq
  bool dir_changed = false;
  for (const std::string& name : *listed) {
    if (name.find(kTempMarker) != std::string::npos &&
        (name.starts_with("snapshot-") || name.starts_with("journal-"))) {
      if (rw) {
        TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
        report_.removed_files.push_back(name);
        dir_changed = true;
      }
    } else if (std::optional<uint64_t> ord = ParseSegmentFileName(name);
               ord.has_value() && SegmentFileName(*ord) == name) {
      segment_names.emplace_back(*ord, name);
    } else if (std::optional<uint64_t> covers = ParseSnapshotFileName(name); covers.has_value()) {
      snapshot_names.emplace(*covers, name);
    }
  }
  std::sort(segment_names.begin(), segment_names.end());

  // The newest valid snapshot. A damaged one is never skipped silently: its rename was the
  // commit point of a checkpoint, so the journal it replaced may already be gone.
  uint64_t snapshot_seq = 0;
  for (auto it = snapshot_names.rbegin(); it != snapshot_names.rend(); ++it) {
    Damage damage;
    absl::StatusOr<SnapshotView> view =
        OpenSnapshotFile(fs_, dir_, it->second, options_.verify_snapshot_crc, &damage);
    if (view.ok()) {
      snapshot_seq = view->covers_seq();
      snapshot_ = *std::move(view);
      break;
    }
    if (!absl::IsDataLoss(view.status())) return view.status();
    bool stopped = false;
    TREEM_RETURN_IF_ERROR(OnDamage(std::move(damage), &stopped));
    // Salvage: fall back to an older snapshot, if any.
  }
  if (rw) {  // snapshots superseded by the current one (a checkpoint interrupted)
    for (const auto& [covers, name] : snapshot_names) {
      if (covers >= snapshot_seq) break;
      TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
      report_.removed_files.push_back(name);
      dir_changed = true;
    }
  }

  TREEM_RETURN_IF_ERROR(RecoverJournal(segment_names, snapshot_seq));
  dir_changed = dir_changed || !report_.removed_files.empty();

  if (rw) {
    if (segments_.empty()) {
      TREEM_ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, CreateSegment(snapshot_seq + 1));
      segments_.push_back(std::move(seg));
      dir_changed = false;  // CreateSegment synced the directory
    } else {
      // Records a crashed writer left in the page cache become durable now.
      TREEM_RETURN_IF_ERROR(Annotate(fs_.Sync(segments_.back()->fd),
                                     absl::StrCat("syncing ", segments_.back()->name)));
    }
    if (dir_changed) TREEM_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  }
  last_seq_ = segments_.empty() ? snapshot_seq : segments_.back()->last_seq;
  durable_seq_ = last_seq_;
  sync_started_seq_ = last_seq_;
  return absl::OkStatus();
}

absl::Status StoreEngine::RecoverJournal(const std::vector<std::pair<uint64_t, std::string>>& names,
                                         uint64_t snapshot_seq) {
  const bool rw = !options_.read_only;
  const uint64_t s = snapshot_seq;
  struct Scan {
    std::shared_ptr<Segment> seg;  // null until the header is known good
    int fd;
    std::string name;
    uint64_t size;
    absl::StatusOr<uint64_t> first_seq;  // from the header
  };
  std::vector<Scan> scans;
  auto close_loose = [&] {
    for (Scan& sc : scans) {
      if (sc.seg == nullptr && sc.fd >= 0) (void)fs_.Close(sc.fd);
      sc.fd = -1;
    }
  };
  for (const auto& [ordinal, name] : names) {
    next_ordinal_ = std::max(next_ordinal_, ordinal + 1);
    absl::StatusOr<int> fd =
        fs_.Open(JoinPath(dir_, name), rw ? OpenMode::kReadWrite : OpenMode::kReadOnly);
    if (!fd.ok()) {
      close_loose();
      return fd.status();
    }
    scans.push_back(Scan{nullptr, *fd, name, 0, absl::UnknownError("unread")});
    Scan& sc = scans.back();
    absl::StatusOr<uint64_t> size = fs_.Size(sc.fd);
    uint8_t header[kSegmentHeaderSize];
    absl::StatusOr<size_t> got = size.ok() ? fs_.Read(sc.fd, 0, header, sizeof(header))
                                           : absl::StatusOr<size_t>(size.status());
    if (!got.ok()) {
      close_loose();
      return Annotate(got.status(), absl::StrCat("reading ", name));
    }
    sc.size = *size;
    sc.first_seq = DecodeSegmentHeader(header, *got);
    if (!sc.first_seq.ok() && !absl::IsDataLoss(sc.first_seq.status())) {
      close_loose();
      return Annotate(sc.first_seq.status(), name);
    }
  }
  absl::Cleanup cleanup = close_loose;

  // A last segment of at most a header's size, with a bad header and no valid frame, is one
  // whose creation was interrupted (the header is synced before any record goes in): drop it.
  if (!scans.empty() && !scans.back().first_seq.ok() && scans.back().size <= kSegmentHeaderSize) {
    Scan& last = scans.back();
    (void)fs_.Close(last.fd);
    last.fd = -1;
    if (rw) {
      TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, last.name)));
      report_.removed_files.push_back(last.name);
    }
    scans.pop_back();
  }

  // Segments before the last one whose header says it starts at or before snapshot_seq + 1
  // hold only records the snapshot covers: leftovers of an interrupted compaction.
  size_t start = 0;
  for (size_t i = scans.size(); i-- > 0;) {
    if (scans[i].first_seq.ok() && *scans[i].first_seq <= s + 1) {
      start = i;
      break;
    }
  }
  for (size_t i = 0; i < start; ++i) {
    (void)fs_.Close(scans[i].fd);
    scans[i].fd = -1;
    if (rw) {
      TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, scans[i].name)));
      report_.removed_files.push_back(scans[i].name);
    }
  }

  bool stopped = false;
  uint64_t prev_last = s;
  for (size_t i = start; i < scans.size() && !stopped; ++i) {
    Scan& sc = scans[i];
    const bool is_last = i + 1 == scans.size();
    if (!sc.first_seq.ok()) {
      TREEM_RETURN_IF_ERROR(
          OnDamage({sc.name, 0, std::string(sc.first_seq.status().message())}, &stopped));
      break;
    }
    const uint64_t first = *sc.first_seq;
    if (i == start && first > s + 1) {
      TREEM_RETURN_IF_ERROR(OnDamage(
          {sc.name, 16,
           s == 0
               ? absl::StrCat("the journal starts at seq ", first,
                              " but there is no snapshot: records 1..", first - 1, " are missing")
               : absl::StrCat("the journal starts at seq ", first,
                              " but the snapshot covers only up to seq ", s, ": records ", s + 1,
                              "..", first - 1, " are missing")},
          &stopped));
      break;
    }
    if (i > start && first != prev_last + 1) {
      TREEM_RETURN_IF_ERROR(OnDamage(
          {sc.name, 16,
           absl::StrCat("first seq ", first, " does not follow seq ", prev_last, " at the end of ",
                        scans[i - 1].name, " (a segment is missing or damaged)")},
          &stopped));
      break;
    }
    sc.seg = std::make_shared<Segment>(fs_, sc.fd, sc.name, first);
    Segment& seg = *sc.seg;
    segments_.push_back(sc.seg);

    FrameReader reader(fs_, sc.fd, kSegmentHeaderSize, sc.size, options_.max_record_size);
    Frame frame;
    std::string reason;
    uint64_t expected = first;
    for (;;) {
      TREEM_ASSIGN_OR_RETURN(const FrameReader::Result r, reader.Next(&frame, &reason));
      if (r == FrameReader::Result::kEnd) {
        seg.end = reader.offset();
        break;
      }
      if (r == FrameReader::Result::kFrame) {
        if (frame.seq == expected) {
          ++expected;
          continue;
        }
        reason =
            absl::StrCat("frame has seq ", frame.seq, " where seq ", expected, " was expected");
      }
      // A bad frame at bad_off.
      const uint64_t bad_off = r == FrameReader::Result::kFrame ? frame.offset : reader.offset();
      // Frames after the bad one that are valid are harmless residue of the same crash
      // (unsynced writes reach the disk in any order) unless one of them was written after
      // a sync covering the bad frame: then the bad frame had been durable and is damaged.
      TREEM_ASSIGN_OR_RETURN(std::optional<FrameReader::Survivors> after,
                             reader.FindValidFramesAfter(bad_off, expected));
      const bool was_durable = after.has_value() && after->max_synced_seq >= expected;
      if (was_durable || !is_last) {
        const std::string why =
            was_durable ? absl::StrCat("; a valid record at offset ", after->first_offset,
                                       " or later was written after seq ", expected,
                                       " had been synced, so this is not a torn tail")
                        : absl::StrCat("; later segments exist, so this is not a torn tail");
        seg.end = bad_off;
        TREEM_RETURN_IF_ERROR(OnDamage({sc.name, bad_off, reason + why}, &stopped));
        break;
      }
      // Torn tail: the residue of an append interrupted by a crash.
      report_.torn_tail = Damage{sc.name, bad_off, reason};
      report_.torn_bytes = sc.size - bad_off;
      if (rw) {
        TREEM_RETURN_IF_ERROR(Annotate(fs_.Truncate(sc.fd, bad_off),
                                       absl::StrCat("truncating the torn tail of ", sc.name)));
      }
      seg.end = bad_off;
      break;
    }
    seg.last_seq = expected - 1;
    prev_last = seg.last_seq;
  }
  if (!stopped && !segments_.empty() && prev_last < s) {
    TREEM_RETURN_IF_ERROR(OnDamage({segments_.back()->name, segments_.back()->end,
                                    absl::StrCat("the journal ends at seq ", prev_last,
                                                 ", before seq ", s, " covered by the snapshot")},
                                   &stopped));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<StoreEngine::Segment>> StoreEngine::CreateSegment(
    uint64_t first_seq) {
  const std::string name = SegmentFileName(next_ordinal_++);
  const std::string path = JoinPath(dir_, name);
  TREEM_ASSIGN_OR_RETURN(const int fd, fs_.Open(path, OpenMode::kCreateExclusive));
  auto seg = std::make_shared<Segment>(fs_, fd, name, first_seq);  // closes fd on failure
  uint8_t header[kSegmentHeaderSize];
  EncodeSegmentHeader(first_seq, header);
  const IoSlice slice[] = {{header, sizeof(header)}};
  absl::Status s = fs_.Write(fd, 0, slice);
  if (s.ok()) s = fs_.Sync(fd);
  if (s.ok()) s = fs_.SyncDir(dir_);
  if (!s.ok()) {
    seg.reset();
    (void)fs_.Remove(path);
    return Annotate(s, absl::StrCat("creating ", name));
  }
  return seg;
}

absl::Status StoreEngine::WritableLocked() const {
  if (closed_) return absl::FailedPreconditionError("store is closed");
  if (options_.read_only) return absl::FailedPreconditionError("store was opened read-only");
  return broken_;
}

void StoreEngine::Poison(const absl::Status& s) {
  if (!broken_.ok()) return;
  broken_ = absl::Status(s.code(),
                         absl::StrCat("store is unusable after an earlier i/o error (reopen it to "
                                      "recover): ",
                                      s.message()));
}

absl::Status StoreEngine::RotateLocked() {
  if (sync_in_progress_) {  // the caller re-checks after the wait
    mu_.Await(absl::Condition(
        +[](bool* busy) { return !*busy; }, &sync_in_progress_));
    return absl::OkStatus();
  }
  Segment& active = *segments_.back();
  if (absl::Status s = fs_.Sync(active.fd); !s.ok()) {
    Poison(Annotate(s, absl::StrCat("syncing ", active.name)));
    return broken_;
  }
  durable_seq_ = last_seq_;
  sync_started_seq_ = last_seq_;
  // A failed rotation may leave a half-made segment behind that the next open would have to
  // interpret: stop writing instead.
  absl::StatusOr<std::shared_ptr<Segment>> seg = CreateSegment(last_seq_ + 1);
  if (!seg.ok()) {
    Poison(seg.status());
    return broken_;
  }
  segments_.push_back(*std::move(seg));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> StoreEngine::Append(std::span<const uint8_t> payload) {
  if (payload.size() > options_.max_record_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: ", payload.size(), " bytes exceeds max_record_size ", options_.max_record_size));
  }
  static constexpr uint8_t kZeros[8] = {};
  const uint64_t frame = FrameSize(payload.size());
  uint8_t header[kFrameHeaderSize];
  uint64_t seq;
  bool sync_now = false;
  {
    absl::MutexLock l(&mu_);
    for (;;) {
      TREEM_RETURN_IF_ERROR(WritableLocked());
      const Segment& a = *segments_.back();
      if (Empty(a.first_seq, a.last_seq) || a.end + frame <= options_.segment_size_limit) break;
      TREEM_RETURN_IF_ERROR(RotateLocked());
    }
    Segment& a = *segments_.back();
    seq = last_seq_ + 1;
    EncodeFrameHeader(seq, durable_seq_, payload, header);
    const IoSlice slices[] = {{header, sizeof(header)},
                              {payload.data(), payload.size()},
                              {kZeros, frame - kFrameHeaderSize - payload.size()}};
    if (absl::Status s = fs_.Write(a.fd, a.end, slices); !s.ok()) {
      s = Annotate(s, absl::StrCat("appending to ", a.name));
      // Roll back a partial frame so that later frames do not follow garbage.
      if (!fs_.Truncate(a.fd, a.end).ok()) Poison(s);
      return s;
    }
    if (last_seq_ == sync_started_seq_) first_uncovered_ = absl::Now();
    a.end += frame;
    a.last_seq = seq;
    last_seq_ = seq;
    if (options_.sync == SyncPolicy::kFull) {
      sync_now = true;
    } else if (options_.sync == SyncPolicy::kNormal && options_.sync_every_records > 0 &&
               seq - sync_started_seq_ >= options_.sync_every_records) {
      sync_now = true;
    }
  }
  if (sync_now) TREEM_RETURN_IF_ERROR(SyncUpTo(seq));
  return seq;
}

absl::Status StoreEngine::SyncUpTo(uint64_t seq) {
  mu_.Lock();
  for (;;) {
    if (durable_seq_ >= seq) {
      mu_.Unlock();
      return absl::OkStatus();
    }
    if (absl::Status s = WritableLocked(); !s.ok()) {
      mu_.Unlock();
      return s;
    }
    if (!sync_in_progress_) break;
    mu_.Await(absl::Condition(
        +[](bool* busy) { return !*busy; }, &sync_in_progress_));
  }
  // Earlier segments were synced when they were rotated out, so one fdatasync of the active
  // segment makes every record <= target durable.
  sync_in_progress_ = true;
  const uint64_t target = last_seq_;
  sync_started_seq_ = target;
  std::shared_ptr<Segment> seg = segments_.back();
  mu_.Unlock();
  absl::Status s = fs_.Sync(seg->fd);
  mu_.Lock();
  sync_in_progress_ = false;
  if (s.ok()) {
    durable_seq_ = std::max(durable_seq_, target);
  } else {
    // After a failed fsync the kernel may have dropped the dirty pages: retrying can report
    // success for data that is gone (PostgreSQL's "fsyncgate"). Stop writing.
    Poison(Annotate(s, absl::StrCat("syncing ", seg->name)));
    s = broken_;
  }
  mu_.Unlock();
  return s;
}

absl::Status StoreEngine::Sync() {
  uint64_t target;
  {
    absl::MutexLock l(&mu_);
    TREEM_RETURN_IF_ERROR(WritableLocked());
    target = last_seq_;
  }
  return SyncUpTo(target);
}

void StoreEngine::SyncerLoop() {
  const absl::Duration interval = absl::Milliseconds(options_.sync_interval_ms);
  mu_.Lock();
  for (;;) {
    auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ || !broken_.ok() || last_seq_ > sync_started_seq_;
    };
    mu_.Await(absl::Condition(&work));
    if (stop_ || !broken_.ok()) break;
    mu_.AwaitWithDeadline(absl::Condition(&stop_), first_uncovered_ + interval);
    if (stop_) break;
    if (last_seq_ <= sync_started_seq_) continue;  // someone else synced meanwhile
    const uint64_t target = last_seq_;
    mu_.Unlock();
    (void)SyncUpTo(target);  // a failure poisons the engine; appenders see it
    mu_.Lock();
  }
  mu_.Unlock();
}

absl::Status StoreEngine::ReadFrom(uint64_t from, RecordFn fn) const {
  return ReadRange(from, UINT64_MAX, fn);
}

absl::Status StoreEngine::ReadRange(uint64_t from, uint64_t to, RecordFn fn) const {
  if (from == 0) return absl::InvalidArgumentError("from: seq 0 does not exist (seqs start at 1)");
  struct Part {
    std::shared_ptr<Segment> seg;
    uint64_t first, last, end;
  };
  std::vector<Part> parts;
  uint64_t first_available;
  uint64_t snapshot_seq;
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::FailedPreconditionError("store is closed");
    to = std::min(to, last_seq_);
    parts.reserve(segments_.size());
    for (const auto& seg : segments_)
      parts.push_back({seg, seg->first_seq, seg->last_seq, seg->end});
    first_available = parts.empty() ? last_seq_ + 1 : parts.front().first;
    snapshot_seq = snapshot_.has_value() ? snapshot_->covers_seq() : 0;
  }
  if (from > to) return absl::OkStatus();
  if (from < first_available) {
    return absl::OutOfRangeError(absl::StrCat(
        "from: seq ", from, " is no longer in the journal, which starts at seq ", first_available,
        " (older records are in the snapshot covering seq ", snapshot_seq, ")"));
  }
  for (const Part& p : parts) {
    if (p.last < from || Empty(p.first, p.last)) continue;
    if (p.first > to) break;
    FrameReader reader(fs_, p.seg->fd, kSegmentHeaderSize, p.end, options_.max_record_size);
    Frame frame;
    std::string reason;
    for (;;) {
      absl::StatusOr<FrameReader::Result> r = reader.Next(&frame, &reason);
      if (!r.ok()) return Annotate(r.status(), absl::StrCat("reading ", p.seg->name));
      if (*r == FrameReader::Result::kEnd) break;
      if (*r == FrameReader::Result::kBad) {
        return absl::DataLossError(absl::StrCat(p.seg->name, " at offset ", reader.offset(), ": ",
                                                reason, " (the file changed after it was opened)"));
      }
      if (frame.seq < from) continue;
      if (frame.seq > to) return absl::OkStatus();
      TREEM_RETURN_IF_ERROR(fn(frame.seq, frame.payload));
    }
  }
  return absl::OkStatus();
}

absl::Status StoreEngine::WriteSnapshot(std::span<const uint8_t> payload, uint64_t covers_seq) {
  absl::MutexLock checkpoint(&checkpoint_mu_);
  {
    absl::MutexLock l(&mu_);
    TREEM_RETURN_IF_ERROR(WritableLocked());
    if (covers_seq > last_seq_) {
      return absl::InvalidArgumentError(
          absl::StrCat("covers_seq: ", covers_seq, " is beyond the last appended seq ", last_seq_));
    }
    if (snapshot_.has_value() && covers_seq < snapshot_->covers_seq()) {
      return absl::InvalidArgumentError(absl::StrCat("covers_seq: ", covers_seq,
                                                     " is older than the current snapshot's ",
                                                     snapshot_->covers_seq()));
    }
  }
  // The journal must hold everything the snapshot covers durably before the snapshot can
  // replace it.
  TREEM_RETURN_IF_ERROR(SyncUpTo(covers_seq));
  absl::StatusOr<SnapshotView> view = WriteSnapshotFile(fs_, dir_, covers_seq, payload);
  if (!view.ok()) return Annotate(view.status(), "writing snapshot");
  {
    absl::MutexLock l(&mu_);
    snapshot_ = *std::move(view);
  }
  return Annotate(Compact(covers_seq), "snapshot written; removing what it supersedes");
}

absl::Status StoreEngine::Compact(uint64_t covers_seq) {
  std::vector<std::shared_ptr<Segment>> removable;
  {
    absl::MutexLock l(&mu_);
    // Start a new segment when the active one is wholly covered, so it can go too.
    for (;;) {
      TREEM_RETURN_IF_ERROR(WritableLocked());
      const Segment& a = *segments_.back();
      if (Empty(a.first_seq, a.last_seq) || a.last_seq > covers_seq) break;
      TREEM_RETURN_IF_ERROR(RotateLocked());
    }
    while (segments_.size() > 1 && segments_.front()->last_seq <= covers_seq) {
      removable.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
  }
  for (const auto& seg : removable) {  // oldest first: what remains is always a suffix
    TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, seg->name)));
  }
  TREEM_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs_.ListDir(dir_));
  for (const std::string& name : names) {
    const std::optional<uint64_t> covers = ParseSnapshotFileName(name);
    if (covers.has_value() && *covers < covers_seq) {
      TREEM_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
    }
  }
  return fs_.SyncDir(dir_);
}

std::optional<SnapshotView> StoreEngine::LatestSnapshot() const {
  absl::MutexLock l(&mu_);
  return snapshot_;
}

absl::Status StoreEngine::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
    stop_ = true;
  }
  if (syncer_.joinable()) syncer_.join();
  absl::Status result;
  uint64_t target = 0;
  bool writable = false;
  {
    absl::MutexLock l(&mu_);
    writable = !options_.read_only && !segments_.empty();
    target = last_seq_;
    result = broken_;
  }
  if (writable && result.ok()) result = SyncUpTo(target);
  {
    absl::MutexLock l(&mu_);
    closed_ = true;
    segments_.clear();
    snapshot_.reset();
  }
  lock_.reset();
  return result;
}

uint64_t StoreEngine::last_seq() const {
  absl::MutexLock l(&mu_);
  return last_seq_;
}

uint64_t StoreEngine::durable_seq() const {
  absl::MutexLock l(&mu_);
  return durable_seq_;
}

uint64_t StoreEngine::first_journal_seq() const {
  absl::MutexLock l(&mu_);
  return segments_.empty() ? last_seq_ + 1 : segments_.front()->first_seq;
}

}  // namespace treem::store
