// CSV import throughput (issue 8 target: >= 500,000 rows/s for the full import: parse, validate
// and build the commands, BM_CsvImportCommands). Rows = household rows + child rows;
// peak_rss_MiB as everywhere.
// Run: build/tests/bench/treem_bench --benchmark_filter=CsvImport
#include <string>

#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "exchange/csv_import.h"
#include "synth/synth.h"

namespace {

using treem::exchange::CsvImportOptions;
using treem::exchange::ImportSurveyCsv;

struct Files {
  std::string households;
  std::string children;
  size_t rows = 0;
};

// A commune's village survey from the synthetic country generator (tests/bench/synth): about
// one household per two children, Vietnamese names, some quoted fields, CRLF line ends.
Files MakeFiles(int children) {
  auto csv = treem::synth::GenerateSurveyCsv(42, static_cast<uint64_t>(children), "15928");
  return Files{std::move(csv.households), std::move(csv.children),
               csv.household_rows + csv.child_rows};
}

CsvImportOptions Options(bool validate_only) {
  CsvImportOptions o;
  o.actor_user_id = "bench";
  o.at_micros = 1735689600LL * 1000000;
  o.commune_code = "15928";
  o.validate_only = validate_only;
  return o;
}

// Imports the survey of state.range(0) children per iteration (or validates only).
void Import(benchmark::State& state, bool validate_only) {
  const Files f = MakeFiles(static_cast<int>(state.range(0)));
  const CsvImportOptions o = Options(validate_only);
  treem::bench::PeakMemory peak;
  for (auto _ : state) {
    auto r = ImportSurveyCsv(f.households, f.children, o);
    if (!r.ok() || !r->ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(r);
  }
  peak.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.rows));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * (f.households.size() + f.children.size())));
}

// The sizes every import benchmark runs: children of the survey.
void Sizes(benchmark::internal::Benchmark* b) { b->Arg(25000)->Arg(100000)->Arg(400000); }

// One import per size in a process that has not imported a batch of that size yet: the batch
// memory is fresh (page faults), as for a one-off import. BM_CsvImportCommands measures
// repeated imports, which reuse the memory of the previous batch (csv_import.h). Registered
// first, with one repetition and increasing sizes, so that no earlier batch left memory to reuse.
void BM_CsvImportCommandsCold(benchmark::State& state) { Import(state, false); }
BENCHMARK(BM_CsvImportCommandsCold)
    ->Apply(Sizes)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond);

void BM_CsvImportValidate(benchmark::State& state) { Import(state, true); }
BENCHMARK(BM_CsvImportValidate)->Apply(Sizes)->Unit(benchmark::kMillisecond);

void BM_CsvImportCommands(benchmark::State& state) { Import(state, false); }
BENCHMARK(BM_CsvImportCommands)->Apply(Sizes)->Unit(benchmark::kMillisecond);

}  // namespace
