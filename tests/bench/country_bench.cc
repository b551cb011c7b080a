// The synthetic country at 1x, 4x, 16x (100k, 400k, 1.6M children) and, with
// TREEM_BENCH_MAX_CHILDREN=20600000, the whole country (issue 8). Every benchmark runs on the
// same generated records (synth::Generate, a schema::Snapshot) and reports throughput and
// peak_rss_MiB (bench_util.h: resident high-water mark above the resident size at its start).
//
//   BM_SynthGenerate        the generator itself (records/s)
//   BM_SnapshotWrite        StoreEngine::WriteSnapshot of the snapshot (write, fsync, rename)
//   BM_SnapshotOpen         StoreEngine::Open read-only (mmap) + Cap'n Proto root, verify_crc 0/1
//   BM_BuildDataset         indicator columns from the mmap'd snapshot (classifies activities)
//   BM_ReportCountry        Compute: every indicator, sex x statBand, one row per province
//   BM_ReportProvince       Compute for one province (the largest), one row per commune
//   BM_OpenAndReport        open the store + BuildDataset + Compute (the report from a closed
//                           store, as it can be done today)
//   BM_ColumnFileOpenAndReport  ReadColumns (the file written at checkpoint) + Compute
//   BM_ColumnFileGiven      the same and later reports on a given file (TREEM_BENCH_COLUMN_FILE)
//   BM_ClassifyGenerated    ClassifyCompact over the generated activities (prepared once)
//   BM_PrepareAndClassify   PrepareActivity (record -> compact) + ClassifyCompact
//   BM_RiskScreen           RiskScreen::Screen over the generated screen answers
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "bench_util.h"
#include "indicators/columns.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "rules/classify.h"
#include "rules/engine.h"
#include "rules/registry.h"
#include "rules/risk.h"
#include "store/engine.h"

namespace treem::bench {
namespace {

void SetScaleCounters(benchmark::State& state, const Country& c) {
  state.counters["children"] = static_cast<double>(c.children);
  state.counters["children_per_second"] = benchmark::Counter(
      static_cast<double>(c.children), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SynthGenerate(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  DropCountry();
  synth::Stats st;
  size_t bytes = 0;
  PeakMemory peak;
  for (auto _ : state) {
    FlatBuilder msg(CountryCapacity(n));
    st = synth::Generate(CountryOptions(n), msg.initRoot<schema::Snapshot>());
    bytes = msg.Bytes().size();
  }
  peak.Report(state);
  state.counters["records_per_second"] = benchmark::Counter(
      static_cast<double>(st.records()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["snapshot_MiB"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["persons"] = static_cast<double>(st.persons);
  state.counters["activities"] = static_cast<double>(st.activities);
  state.counters["cases"] = static_cast<double>(st.cases);
}
BENCHMARK(BM_SynthGenerate)->Apply(ApplyScales)->Unit(benchmark::kSecond)->Iterations(1);

void BM_SnapshotWrite(benchmark::State& state) {
  Country& c = GetCountry(static_cast<uint64_t>(state.range(0)));
  const auto bytes = c.bytes();
  const std::string dir = MakeTempDir();
  auto store = store::StoreEngine::Open(dir, {});
  if (Skipped(state, store.status())) return;
  PeakMemory peak;
  for (auto _ : state) {
    auto seq = (*store)->Append(Cmd());
    if (!seq.ok() || !(*store)->WriteSnapshot(bytes, *seq).ok()) {
      state.SkipWithError("snapshot write failed");
      break;
    }
  }
  peak.Report(state);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
  state.counters["snapshot_MiB"] = static_cast<double>(bytes.size()) / (1 << 20);
  state.counters["generate_s"] = c.generate_seconds;
  state.counters["persons"] = static_cast<double>(c.stats.persons);
  state.counters["records"] = static_cast<double>(c.stats.records());
  SetScaleCounters(state, c);
  store->reset();
  RemoveDir(dir);
}
BENCHMARK(BM_SnapshotWrite)->Apply(ApplyScales)->Unit(benchmark::kMillisecond)->UseRealTime();

// Arg 0: children; arg 1: verify the payload CRC.
void BM_SnapshotOpen(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  StoreDir& s = Store(n);
  DropCountry();
  const bool verify_crc = state.range(1) != 0;
  PeakMemory peak;
  uint64_t persons = 0;
  for (auto _ : state) {
    auto os = Open(s.dir, verify_crc);
    if (Skipped(state, os.status())) break;
    persons = os->root().getPersons().size();
    benchmark::DoNotOptimize(persons);
  }
  peak.Report(state);
  state.counters["snapshot_MiB"] = static_cast<double>(s.bytes) / (1 << 20);
  state.counters["peak_over_snapshot"] =
      state.counters["peak_rss_MiB"] / state.counters["snapshot_MiB"];
  state.counters["children"] = static_cast<double>(n);
}
void OpenArgs(benchmark::internal::Benchmark* b) {
  for (int64_t n : Scales())
    for (int crc : {0, 1}) b->Args({n, crc});
}
BENCHMARK(BM_SnapshotOpen)->Apply(OpenArgs)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BuildDataset(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  StoreDir& s = Store(n);
  DropCountry();
  auto os = Open(s.dir);
  if (Skipped(state, os.status())) return;
  PeakMemory peak;
  for (auto _ : state) {
    auto d = indicators::BuildDataset(os->root(), Units());
    if (Skipped(state, d.status())) break;
    state.counters["activities_classified"] = static_cast<double>(d->stats.activities);
    benchmark::DoNotOptimize(d);
  }
  peak.Report(state);
  state.counters["children"] = static_cast<double>(n);
  state.counters["children_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BuildDataset)->Apply(ApplyScales)->Unit(benchmark::kMillisecond)->UseRealTime();

std::string LargestProvince(const indicators::Dataset& d) {
  std::map<std::string, uint64_t> count;
  absl::flat_hash_map<uint32_t, uint64_t> per_key;
  for (uint32_t k : d.p_key) ++per_key[k];
  for (const auto& [k, n] : per_key) {
    auto u = d.units.FindIndex(d.key_code[k], core::Date(2025, 12, 31));
    if (!u.ok()) continue;
    auto v = d.units.At(*u);
    if (!v.ok() || v->level != core::UnitLevel::kCommune) continue;
    count[std::string(v->parent_code)] += n;
  }
  std::string best;
  uint64_t most = 0;
  for (const auto& [p, n] : count)
    if (n > most) most = n, best = p;
  return best;
}

void Report(benchmark::State& state, bool province) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  Data& data = GetData(n);
  if (!data.d) {
    state.SkipWithError("dataset not built");
    return;
  }
  std::string unit;
  if (province) {
    unit = LargestProvince(*data.d);
    if (unit.empty()) {
      state.SkipWithError("no official unit lists: no province");
      return;
    }
  }
  const auto req = Request(unit);
  // The first report on a map date resolves the unit codes (cached in the dataset).
  (void)indicators::Compute(*data.d, req);
  PeakMemory peak;
  size_t values = 0;
  for (auto _ : state) {
    auto rep = indicators::Compute(*data.d, req);
    if (Skipped(state, rep.status())) break;
    values = rep->reader().getValues().size();
    benchmark::DoNotOptimize(rep);
  }
  peak.Report(state);
  state.counters["values"] = static_cast<double>(values);
  state.counters["children"] = static_cast<double>(n);
  state.counters["children_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
void BM_ReportCountry(benchmark::State& state) { Report(state, false); }
void BM_ReportProvince(benchmark::State& state) { Report(state, true); }
BENCHMARK(BM_ReportCountry)->Apply(ApplyScales)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReportProvince)->Apply(ApplyScales)->Unit(benchmark::kMillisecond);

// One report over `d`; false (skipped) on error.
bool ReportOn(benchmark::State& state, const indicators::Dataset& d,
              const indicators::ReportRequest& req) {
  auto rep = indicators::Compute(d, req);
  if (Skipped(state, rep.status())) return false;
  benchmark::DoNotOptimize(rep);
  return true;
}

void BM_OpenAndReport(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  StoreDir& s = Store(n);
  DropCountry();
  const auto req = Request("");
  PeakMemory peak;
  for (auto _ : state) {
    auto os = Open(s.dir);
    if (Skipped(state, os.status())) break;
    auto d = indicators::BuildDataset(os->root(), Units());
    if (Skipped(state, d.status()) || !ReportOn(state, *d, req)) break;
  }
  peak.Report(state);
  state.counters["snapshot_MiB"] = static_cast<double>(s.bytes) / (1 << 20);
  state.counters["children"] = static_cast<double>(n);
}
BENCHMARK(BM_OpenAndReport)->Apply(ApplyScales)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same from the indicator column file a registry writes beside each snapshot
// (lib/indicators/columns.h): open = read the columns into their vectors, then the report.
// This is the "report from an open store" path; BM_OpenAndReport is the path without it.
void BM_ColumnFileOpenAndReport(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  Data& data = GetData(n);
  if (!data.d) {
    state.SkipWithError("dataset not built");
    return;
  }
  const std::string dir = MakeTempDir();
  const std::string path = dir + "/columns.tcol";
  if (Skipped(state, indicators::WriteColumns(*data.d, 1, path))) return;
  const double file_mib = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
  const auto req = Request("");
  PeakMemory peak;
  double open_seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto d = indicators::ReadColumns(path, Units());
    open_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (Skipped(state, d.status()) || !ReportOn(state, *d, req)) break;
  }
  peak.Report(state);
  RemoveDir(dir);
  state.counters["column_file_MiB"] = file_mib;
  state.counters["open_ms"] =
      benchmark::Counter(open_seconds * 1000, benchmark::Counter::kAvgIterations);
  state.counters["children"] = static_cast<double>(n);
}
BENCHMARK(BM_ColumnFileOpenAndReport)
    ->Apply(ApplyScales)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A column file made beforehand (treem-synth --columns=FILE; TREEM_BENCH_COLUMN_FILE): the
// national report without generating the country in the benchmark process (which needs ~18 GiB
// and minutes). Arg 0: 0 = ReadColumns + the first country report (what the first report
// after a register's Open costs); 1 = a country report on the dataset already read (every
// later report); 2 = the same for the largest province, one row per commune.
void BM_ColumnFileGiven(benchmark::State& state) {
  const char* path = std::getenv("TREEM_BENCH_COLUMN_FILE");
  if (path == nullptr || *path == 0) {
    state.SkipWithError("TREEM_BENCH_COLUMN_FILE not set (treem-synth --columns=FILE)");
    return;
  }
  const int mode = static_cast<int>(state.range(0));
  std::optional<indicators::Dataset> kept;
  std::string unit;
  if (mode > 0) {
    auto d = indicators::ReadColumns(path, Units());
    if (Skipped(state, d.status())) return;
    kept = std::move(*d);
    if (mode == 2 && (unit = LargestProvince(*kept)).empty()) {
      state.SkipWithError("no official unit lists: no province");
      return;
    }
    if (!ReportOn(state, *kept, Request(unit))) return;  // resolves the keys once
  }
  const auto req = Request(unit);
  PeakMemory peak;
  double open_seconds = 0;
  size_t persons = 0;
  for (auto _ : state) {
    if (mode == 0) {
      const auto t0 = std::chrono::steady_clock::now();
      auto d = indicators::ReadColumns(path, Units());
      open_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (Skipped(state, d.status()) || !ReportOn(state, *d, req)) break;
      persons = d->person_count();
    } else {
      if (!ReportOn(state, *kept, req)) break;
      persons = kept->person_count();
    }
  }
  peak.Report(state);
  state.counters["column_file_MiB"] =
      static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
  if (mode == 0)
    state.counters["open_ms"] =
        benchmark::Counter(open_seconds * 1000, benchmark::Counter::kAvgIterations);
  state.counters["persons"] = static_cast<double>(persons);
}
BENCHMARK(BM_ColumnFileGiven)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- classification and risk screening on the generated records ----

// The embedded rule registry, or null with the benchmark marked skipped.
const rules::RuleRegistry* Registry(benchmark::State& state) {
  auto reg = rules::RuleRegistry::Default();
  if (!reg.ok()) {
    state.SkipWithError("registry did not load");
    return nullptr;
  }
  return *reg;
}

// The birth date of each person of `snap` (those whose recorded date is valid).
absl::flat_hash_map<core::Uuid, core::Date> Births(schema::Snapshot::Reader snap) {
  absl::flat_hash_map<core::Uuid, core::Date> births;
  for (auto p : snap.getPersons()) {
    auto bd = rules::FromSchemaDate(p.getBirthDate().getDate(), "birthDate");
    if (bd.ok()) births.emplace(core::Uuid{p.getId().getHi(), p.getId().getLo()}, *bd);
  }
  return births;
}

// The compact form of every work activity of `snap` that prepares without error.
std::vector<rules::CompactActivity> PrepareAll(const rules::RuleRegistry& reg,
                                               schema::Snapshot::Reader snap) {
  const auto births = Births(snap);
  std::vector<rules::CompactActivity> out;
  for (auto a : snap.getWorkActivities()) {
    auto it = births.find(core::Uuid{a.getChildId().getHi(), a.getChildId().getLo()});
    if (it == births.end()) continue;
    auto p = rules::PrepareActivity(reg, core::BirthDate{it->second, false}, a, "", "", "a");
    if (p.ok()) out.push_back(p->compact);
  }
  return out;
}

void BM_ClassifyGenerated(benchmark::State& state) {
  const rules::RuleRegistry* reg = Registry(state);
  if (reg == nullptr) return;
  Country& c = GetCountry(static_cast<uint64_t>(state.range(0)));
  const std::vector<rules::CompactActivity> compact = PrepareAll(*reg, c.snapshot());
  const rules::RuleSet* stat = reg->Find("ILO-SDG871");
  uint64_t child_labour = 0;
  PeakMemory peak;
  for (auto _ : state) {
    for (const rules::CompactActivity& a : compact) {
      const rules::RuleSet* legal = reg->ForDate(rules::RuleSetKind::kLegal, a.date_ymd);
      child_labour +=
          rules::ClassifyCompact(*legal, stat, a).determined >= rules::Outcome::kChildLabour;
    }
    benchmark::DoNotOptimize(child_labour);
  }
  peak.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * compact.size()));
  state.counters["activities"] = static_cast<double>(compact.size());
  state.counters["child_labour_share_of_activities"] =
      static_cast<double>(child_labour) /
      static_cast<double>(std::max<size_t>(1, state.iterations() * compact.size()));
}
BENCHMARK(BM_ClassifyGenerated)->Arg(1'600'000)->Unit(benchmark::kMillisecond);

void BM_PrepareAndClassify(benchmark::State& state) {
  const rules::RuleRegistry* reg = Registry(state);
  if (reg == nullptr) return;
  Country& c = GetCountry(static_cast<uint64_t>(state.range(0)));
  auto snap = c.snapshot();
  // Birth dates looked up once (as BuildDataset does with its person index).
  const auto births = Births(snap);
  const rules::RuleSet* stat = reg->Find("ILO-SDG871");
  uint64_t n = 0, child_labour = 0;
  PeakMemory peak;
  for (auto _ : state) {
    n = 0;
    for (auto a : snap.getWorkActivities()) {
      auto it = births.find(core::Uuid{a.getChildId().getHi(), a.getChildId().getLo()});
      if (it == births.end()) continue;
      auto p = rules::PrepareActivity(*reg, core::BirthDate{it->second, false}, a, "", "", "a");
      if (!p.ok()) continue;
      child_labour += rules::ClassifyCompact(*p->legal, stat, p->compact).determined >=
                      rules::Outcome::kChildLabour;
      ++n;
    }
    benchmark::DoNotOptimize(child_labour);
  }
  peak.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_PrepareAndClassify)->Arg(1'600'000)->Unit(benchmark::kMillisecond);

void BM_RiskScreen(benchmark::State& state) {
  const rules::RuleRegistry* reg = Registry(state);
  if (reg == nullptr) return;
  auto screen = reg->FindScreen("");
  if (!screen.ok()) {
    state.SkipWithError("no risk screen");
    return;
  }
  Country& c = GetCountry(static_cast<uint64_t>(state.range(0)));
  std::vector<std::vector<std::pair<std::string, rules::RiskAnswer>>> all;
  for (auto k : c.snapshot().getRiskAssessments()) {
    auto& answers = all.emplace_back();
    for (auto a : k.getRequest().getAnswers())
      answers.emplace_back(std::string(a.getFactor().cStr()),
                           static_cast<rules::RiskAnswer>(a.getAnswer()));
  }
  uint64_t high = 0;
  PeakMemory peak;
  for (auto _ : state) {
    for (const auto& answers : all) {
      auto r = (*screen)->Screen(answers, false);
      high += r.ok() && r->level != rules::RiskLevel::kLow;
    }
    benchmark::DoNotOptimize(high);
  }
  peak.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size()));
  state.counters["screens"] = static_cast<double>(all.size());
}
BENCHMARK(BM_RiskScreen)->Arg(1'600'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace treem::bench
