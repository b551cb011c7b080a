// Fuzz target: lib/store/engine.h recovery, i.e. opening a store whose files come from the
// fuzzer: journal segments (frames with CRC, length, seq, synced_seq) and a snapshot.
//
// Input: byte 0 holds flags (bit 0: repair the CRCs first, so the fuzzer gets past them;
// bit 1: small max_record_size), then up to three files separated by "\n%%treem%%\n":
// journal-000001.tlog, journal-000002.tlog and a snapshot, named after the covers_seq of its
// header. The files live in an in-memory file system (tests/unit/fault_fs.h).
//
// Invariants besides "no crash": a store that opens (salvage or writable) reads back every
// record from its first journal seq to its last seq; a writable open leaves a store that
// takes an append and, reopened, holds the same records plus the new one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "fuzz/store_fuzz_util.h"
#include "store/engine.h"
#include "store/journal.h"
#include "store/snapshot_file.h"

namespace treem::fuzz {
namespace {

using store::StoreEngine;
using store::StoreOptions;
using store::testing::MemFs;

constexpr char kDir[] = "/store";

// Every record from the first journal seq on; fails the run when reading fails or skips.
std::vector<std::pair<uint64_t, std::string>> ReadEverything(const StoreEngine& e) {
  std::vector<std::pair<uint64_t, std::string>> out;
  const uint64_t first = e.first_journal_seq();
  const absl::Status s = e.ReadFrom(first, [&](uint64_t seq, std::span<const uint8_t> p) {
    out.emplace_back(seq, std::string(reinterpret_cast<const char*>(p.data()), p.size()));
    return absl::OkStatus();
  });
  if (!s.ok()) FuzzFail("reading an opened store", s);
  uint64_t expected = first;
  for (const auto& [seq, payload] : out) {
    if (seq != expected++) FuzzFail("records out of sequence");
  }
  if (e.last_seq() != 0 && expected - 1 != e.last_seq() && !out.empty()) {
    FuzzFail("records do not reach last_seq");
  }
  return out;
}

}  // namespace
}  // namespace treem::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  using namespace treem::fuzz;
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const std::vector<std::string_view> parts =
      SplitParts(AsText(data + 1, size - 1), kFileSeparator, 3);

  MemFs fs;
  if (!fs.MakeDir(kDir).ok()) FuzzFail("mkdir");
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string bytes(parts[i]);
    if (i < 2) {
      if (flags & 1) RepairSegmentCrcs(bytes);
      fs.SetContents(std::string(kDir) + "/" + store::SegmentFileName(i + 1), bytes);
    } else {
      if (flags & 1) RepairSnapshotCrcs(bytes);
      const uint64_t covers = bytes.size() >= 24 ? Get64At(bytes, 16) : 0;
      fs.SetContents(std::string(kDir) + "/" + store::SnapshotFileName(covers), bytes);
    }
  }

  StoreOptions o = FuzzStoreOptions(&fs);
  o.create_if_missing = false;
  if (flags & 2) o.max_record_size = 64;

  {  // Salvage: read-only, opens whatever precedes the damage; changes nothing.
    StoreOptions ro = o;
    ro.read_only = true;
    ro.salvage = true;
    absl::StatusOr<std::unique_ptr<store::StoreEngine>> e = store::StoreEngine::Open(kDir, ro);
    if (e.ok()) {
      (void)ReadEverything(**e);
      (void)(*e)->LatestSnapshot();
    }
  }

  absl::StatusOr<std::unique_ptr<store::StoreEngine>> e = store::StoreEngine::Open(kDir, o);
  Note("open", e.status());
  if (!e.ok()) return 0;
  const std::vector<std::pair<uint64_t, std::string>> before = ReadEverything(**e);
  const uint64_t last = (*e)->last_seq();
  if (std::optional<store::SnapshotView> snap = (*e)->LatestSnapshot()) {
    if (snap->covers_seq() > last) FuzzFail("snapshot covers records the journal lacks");
  }
  const std::string probe = "fuzz probe record";
  absl::StatusOr<uint64_t> seq = (*e)->Append(AsBytes(probe));
  if (!seq.ok()) FuzzFail("append after recovery", seq.status());
  if (*seq != last + 1) FuzzFail("append after recovery got an unexpected seq");
  if (absl::Status s = (*e)->Close(); !s.ok()) FuzzFail("close after recovery", s);
  e->reset();

  absl::StatusOr<std::unique_ptr<store::StoreEngine>> again = store::StoreEngine::Open(kDir, o);
  if (!again.ok()) FuzzFail("reopening a recovered store", again.status());
  if ((*again)->last_seq() != last + 1) FuzzFail("reopened store lost the probe record");
  std::vector<std::pair<uint64_t, std::string>> after = ReadEverything(**again);
  if (after.empty() || after.back().second != probe) FuzzFail("probe record not read back");
  after.pop_back();
  if (after != before) FuzzFail("reopened store reads other records");
  return 0;
}
