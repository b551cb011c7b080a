// Shared helpers of the benchmarks (issue 8): official units, the synthetic country at a given
// scale (generated once per scale, kept for the benchmarks that follow), scales from the
// environment, and peak-memory counters.
//
// Environment:
//   TREEM_BENCH_MAX_CHILDREN  largest population generated (default 1,600,000: the 1x/4x/16x
//                             series 100k, 400k, 1.6M); 20600000 adds the whole country
//   TMPDIR                    where stores are written (default /tmp)
#ifndef TREEM_TESTS_BENCH_BENCH_UTIL_H_
#define TREEM_TESTS_BENCH_BENCH_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "capnp/message.h"
#include "capnp/serialize.h"
#include "core/admin_units.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "store/engine.h"
#include "synth/synth.h"
#include "treem/schema/commands.capnp.h"

namespace treem::bench {

inline constexpr uint64_t kCountryChildren = 20'600'000;

const core::AdminUnits& Units();
bool HaveOfficialUnits();

// TREEM_BENCH_MAX_CHILDREN (default 1.6M).
uint64_t MaxChildren();
// The scales 100k, 400k, 1.6M (1x, 4x, 16x) and the whole country, those <= MaxChildren().
std::vector<int64_t> Scales();
// Registers `fn` with one Arg per scale of Scales().
void ApplyScales(benchmark::internal::Benchmark* b);

// Marks the benchmark skipped with the status message when `s` is an error; true then.
bool Skipped(benchmark::State& state, const absl::Status& s);

// A message builder whose segments are carved, in order, out of one lazily committed anonymous
// mapping (after 1 MiB left for the segment table), so that the serialized message (segment
// table + segments) is made contiguous in place, without a copy of the multi-gigabyte
// snapshot. A segment is 2^28 words, or one large list (Cap'n Proto allows up to 2^29).
// Bytes() closes the small gaps between segments, writes the table in front, and from then on
// the message is read through a FlatArrayMessageReader over those bytes (Snapshot()).
class FlatBuilder : public capnp::MessageBuilder {
 public:
  explicit FlatBuilder(size_t capacity_bytes);
  ~FlatBuilder() override;
  kj::ArrayPtr<capnp::word> allocateSegment(unsigned minimumSize) override;
  // The message in the standard serialization. Building must be finished.
  std::span<const uint8_t> Bytes();
  // The root once Bytes() was called, else the builder's root.
  schema::Snapshot::Reader Snapshot();

 private:
  static constexpr size_t kTableBytes = size_t{1} << 20;
  static constexpr size_t kMaxSegmentWords = size_t{1} << 28;
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = kTableBytes;  // bytes of the mapping handed out (table reserve included)
  std::vector<std::unique_ptr<capnp::word[]>> extra_;
  kj::Array<capnp::word> flat_;  // used when a segment fell outside the mapping
  std::span<const uint8_t> bytes_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

// The synthetic country (or part of it) at one scale.
struct Country {
  uint64_t children = 0;
  std::unique_ptr<FlatBuilder> message;  // root: schema::Snapshot
  synth::Stats stats;
  double generate_seconds = 0;
  schema::Snapshot::Reader snapshot() { return message->Snapshot(); }
  std::span<const uint8_t> bytes() { return message->Bytes(); }
};
// Generated on first use (seed 20250701, real communes when the unit lists are present), kept
// until another scale is asked for (one country in memory at a time).
Country& GetCountry(uint64_t children);
// What GetCountry generates: the options and the capacity of its FlatBuilder.
synth::Options CountryOptions(uint64_t children);
size_t CountryCapacity(uint64_t children);
void DropCountry();

// Peak memory of a benchmark: the kernel's high-water mark of resident memory (VmHWM) reset
// through /proc/self/clear_refs ("5") when constructed, read by Report(). Reported as
// peak_rss_MiB: the high-water mark minus the resident size at the reset, i.e. what the
// measured code added at its peak (file pages it maps and touches included). Freed heap is
// trimmed (malloc_trim) before the reset so it does not hide new allocations.
class PeakMemory {
 public:
  PeakMemory();
  void Report(benchmark::State& state) const;
  static size_t ResidentBytes();  // VmRSS now

 private:
  size_t base_ = 0;
  bool resettable_ = false;
};

// The journal record the benchmark stores hold ("cmd").
std::span<const uint8_t> Cmd();

// Stores holding the country's snapshot, one per scale (written on first use from
// GetCountry, removed at exit): a store directory with one journal record and the snapshot.
struct StoreDir {
  uint64_t children = 0;
  std::string dir;
  size_t bytes = 0;
};
StoreDir& Store(uint64_t children);

// A store opened read-only (the payload CRC checked only when asked): the mmap'd snapshot and
// its Cap'n Proto root.
capnp::ReaderOptions Unlimited();
struct OpenStore {
  std::unique_ptr<store::StoreEngine> store;
  std::optional<store::SnapshotView> view;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader;
  schema::Snapshot::Reader root() { return reader->getRoot<schema::Snapshot>(); }
};
absl::StatusOr<OpenStore> Open(const std::string& dir, bool verify_crc = false);

// The report the benchmarks compute: all indicators (unless narrowed), sex x statBand, 2025,
// rows one level below `unit` ("" = the country) when the official unit lists are present.
indicators::ReportRequest Request(const std::string& unit);

// The indicator columns of the country at one scale, built once from its store (one scale
// kept at a time).
struct Data {
  uint64_t children = 0;
  std::unique_ptr<indicators::Dataset> d;
};
Data& GetData(uint64_t n);

std::string MakeTempDir();
void RemoveDir(const std::string& dir);

}  // namespace treem::bench

#endif  // TREEM_TESTS_BENCH_BENCH_UTIL_H_
