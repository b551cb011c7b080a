#include "bench_util.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "capnp/serialize.h"
#include "store/engine.h"

namespace treem::bench {

const core::AdminUnits& Units() {
  static const core::AdminUnits* units = [] {
    const std::string dir = std::string(TREEM_SHARED_DIR) + "/data/admin-units/";
    if (std::filesystem::exists(dir + "conversion-2025-07-01.csv")) {
      auto u = core::AdminUnits::LoadDirectory(dir);
      if (u.ok()) return new core::AdminUnits(*u);
    }
    return new core::AdminUnits();
  }();
  return *units;
}
bool HaveOfficialUnits() { return Units().size() > 0; }

uint64_t MaxChildren() {
  const char* e = std::getenv("TREEM_BENCH_MAX_CHILDREN");
  if (e == nullptr || *e == 0) return 1'600'000;
  return std::strtoull(e, nullptr, 10);
}

std::vector<int64_t> Scales() {
  std::vector<int64_t> out;
  for (uint64_t n : {uint64_t{100'000}, uint64_t{400'000}, uint64_t{1'600'000}, kCountryChildren})
    if (n <= MaxChildren()) out.push_back(static_cast<int64_t>(n));
  return out;
}

void ApplyScales(benchmark::internal::Benchmark* b) {
  for (int64_t n : Scales()) b->Arg(n);
}

bool Skipped(benchmark::State& state, const absl::Status& s) {
  if (s.ok()) return false;
  state.SkipWithError(std::string(s.message()).c_str());
  return true;
}

FlatBuilder::FlatBuilder(size_t capacity_bytes)
    : capnp::MessageBuilder(), capacity_((capacity_bytes + kTableBytes + 4095) & ~size_t{4095}) {
  void* p = mmap(nullptr, capacity_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  base_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}
FlatBuilder::~FlatBuilder() {
  reader_.reset();
  if (base_ != nullptr) munmap(base_, capacity_);
}
kj::ArrayPtr<capnp::word> FlatBuilder::allocateSegment(unsigned minimumSize) {
  const size_t left = base_ == nullptr ? 0 : (capacity_ - used_) / sizeof(capnp::word);
  // TREEM_BENCH_SEGMENT_WORDS (tests of this class): a smaller segment limit.
  static const size_t max_words = [] {
    const char* e = std::getenv("TREEM_BENCH_SEGMENT_WORDS");
    return e != nullptr ? std::strtoull(e, nullptr, 10) : kMaxSegmentWords;
  }();
  // A large list needs a segment of its own of at least its size (Cap'n Proto allows 2^29
  // words): taken from the mapping too, never from the heap.
  const size_t words = std::max<size_t>(std::min(left, max_words), minimumSize);
  if (words <= left && words > 0) {
    auto* seg = reinterpret_cast<capnp::word*>(base_ + used_);
    used_ += words * sizeof(capnp::word);
    return kj::ArrayPtr<capnp::word>(seg, words);
  }
  const size_t n = std::max<size_t>(minimumSize, size_t{1} << 20);
  extra_.emplace_back(new capnp::word[n]());
  return kj::ArrayPtr<capnp::word>(extra_.back().get(), n);
}
std::span<const uint8_t> FlatBuilder::Bytes() {
  if (!bytes_.empty()) return bytes_;
  auto segs = getSegmentsForOutput();
  bool in_place = base_ != nullptr && extra_.empty() && segs.size() < kTableBytes / 4 - 2;
  const uint8_t* expect = base_ + kTableBytes;
  for (const auto& seg : segs) {  // in mapping order, each starting where the previous began
    const auto* b = reinterpret_cast<const uint8_t*>(seg.begin());
    in_place = in_place && b >= expect && b < base_ + capacity_;
    expect = b + 1;
  }
  if (!in_place) {
    flat_ = capnp::messageToFlatArray(segs);
    bytes_ = {reinterpret_cast<const uint8_t*>(flat_.begin()), flat_.size() * sizeof(capnp::word)};
  } else {
    // Close the gaps (unused segment tails) by moving segments down, then write the table.
    std::vector<uint32_t> sizes;
    uint8_t* dest = base_ + kTableBytes;
    for (const auto& seg : segs) {
      const size_t n = seg.size() * sizeof(capnp::word);
      if (reinterpret_cast<const uint8_t*>(seg.begin()) != dest) std::memmove(dest, seg.begin(), n);
      dest += n;
      sizes.push_back(static_cast<uint32_t>(seg.size()));
    }
    const size_t table = (4 * (sizes.size() + 1) + 7) & ~size_t{7};
    uint8_t* start = base_ + kTableBytes - table;
    std::memset(start, 0, table);
    const uint32_t count = static_cast<uint32_t>(sizes.size() - 1);
    std::memcpy(start, &count, 4);
    std::memcpy(start + 4, sizes.data(), 4 * sizes.size());
    bytes_ = {start, static_cast<size_t>(dest - start)};
  }
  reader_ = std::make_unique<capnp::FlatArrayMessageReader>(
      kj::ArrayPtr<const capnp::word>(reinterpret_cast<const capnp::word*>(bytes_.data()),
                                      bytes_.size() / sizeof(capnp::word)),
      Unlimited());
  return bytes_;
}
schema::Snapshot::Reader FlatBuilder::Snapshot() {
  if (reader_) return reader_->getRoot<schema::Snapshot>();
  return getRoot<schema::Snapshot>().asReader();
}

namespace {
std::unique_ptr<Country>& Current() {
  static std::unique_ptr<Country> c;
  return c;
}
}  // namespace

synth::Options CountryOptions(uint64_t children) {
  synth::Options o;
  o.children = children;
  o.communes = synth::SpreadCommunes(synth::Communes(Units()), children);
  return o;
}
// ~560 bytes per child are used; the mapping is committed only as it is written.
size_t CountryCapacity(uint64_t children) { return size_t{1200} * children + (size_t{256} << 20); }

Country& GetCountry(uint64_t children) {
  auto& cur = Current();
  if (cur && cur->children == children) return *cur;
  cur.reset();
  malloc_trim(0);
  auto c = std::make_unique<Country>();
  c->children = children;
  c->message = std::make_unique<FlatBuilder>(CountryCapacity(children));
  const synth::Options o = CountryOptions(children);
  const auto t0 = std::chrono::steady_clock::now();
  c->stats = synth::Generate(o, c->message->initRoot<schema::Snapshot>());
  c->generate_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cur = std::move(c);
  return *cur;
}
void DropCountry() {
  Current().reset();
  malloc_trim(0);
}

namespace {
size_t StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0) return std::strtoull(line.c_str() + n + 1, nullptr, 10);
  }
  return 0;
}
}  // namespace

size_t PeakMemory::ResidentBytes() { return StatusKb("VmRSS") * 1024; }

PeakMemory::PeakMemory() {
  malloc_trim(0);
  const int fd = open("/proc/self/clear_refs", O_WRONLY);
  if (fd >= 0) {
    resettable_ = write(fd, "5", 1) == 1;
    close(fd);
  }
  base_ = ResidentBytes();
}

void PeakMemory::Report(benchmark::State& state) const {
  const size_t hwm = StatusKb("VmHWM") * 1024;
  const double mib = 1024.0 * 1024.0;
  state.counters["peak_rss_MiB"] =
      resettable_ ? static_cast<double>(hwm > base_ ? hwm - base_ : 0) / mib : -1;
  state.counters["rss_MiB"] = static_cast<double>(ResidentBytes()) / mib;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/treem-bench-XXXXXX");
  return mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
}
void RemoveDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

std::span<const uint8_t> Cmd() {
  static const std::string c = "cmd";
  return {reinterpret_cast<const uint8_t*>(c.data()), c.size()};
}

namespace {
struct Stores {
  std::map<uint64_t, StoreDir> by_scale;
  ~Stores() {
    for (auto& [n, s] : by_scale) RemoveDir(s.dir);
  }
};
}  // namespace

StoreDir& Store(uint64_t children) {
  static Stores stores;
  auto it = stores.by_scale.find(children);
  if (it != stores.by_scale.end()) return it->second;
  StoreDir& s = stores.by_scale[children];
  s = StoreDir{children, MakeTempDir(), 0};
  Country& c = GetCountry(children);
  auto store = store::StoreEngine::Open(s.dir, {});
  if (store.ok()) {
    auto seq = (*store)->Append(Cmd());
    if (seq.ok() && (*store)->WriteSnapshot(c.bytes(), *seq).ok()) s.bytes = c.bytes().size();
  }
  return s;
}

capnp::ReaderOptions Unlimited() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = std::numeric_limits<uint64_t>::max() / 16;
  o.nestingLimit = 128;
  return o;
}

absl::StatusOr<OpenStore> Open(const std::string& dir, bool verify_crc) {
  store::StoreOptions o;
  o.read_only = true;
  o.verify_snapshot_crc = verify_crc;
  auto store = store::StoreEngine::Open(dir, o);
  if (!store.ok()) return store.status();
  OpenStore os;
  os.store = std::move(*store);
  os.view = os.store->LatestSnapshot();
  if (!os.view) return absl::NotFoundError("no snapshot");
  const auto p = os.view->payload();
  os.reader = std::make_unique<capnp::FlatArrayMessageReader>(
      kj::ArrayPtr<const capnp::word>(reinterpret_cast<const capnp::word*>(p.data()),
                                      p.size() / sizeof(capnp::word)),
      Unlimited());
  return os;
}

indicators::ReportRequest Request(const std::string& unit) {
  indicators::ReportRequest req;
  req.unit_code = unit;
  req.period = indicators::Period::Year(2025);
  req.dimensions = {schema::DisaggregationDimension::SEX,
                    schema::DisaggregationDimension::STAT_BAND};
  if (HaveOfficialUnits())
    req.breakdown_level = unit.empty() ? core::UnitLevel::kProvince : core::UnitLevel::kCommune;
  return req;
}

// A Dataset built once per scale, shared by the report benchmarks (and the SQLite one).
Data& GetData(uint64_t n) {
  static Data data;
  if (data.children == n) return data;
  data = Data{};
  StoreDir& s = Store(n);
  DropCountry();
  auto os = Open(s.dir);
  if (!os.ok()) return data;
  auto d = indicators::BuildDataset(os->root(), Units());
  if (d.ok()) data = Data{n, std::make_unique<indicators::Dataset>(std::move(*d))};
  malloc_trim(0);
  return data;
}

}  // namespace treem::bench
