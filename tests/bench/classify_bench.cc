// Classification throughput on the hot path: 10 million synthetic activities per iteration,
// generated with a fixed seed (a pool of 1 million compact activities cycled 10 times, to keep
// memory small on shared machines). Reports items/second; the target is >= 10 million/s on one
// core (the rate is computed from CPU time, so it stays meaningful on a loaded machine;
// wall time is printed beside it). The legal rule set is chosen per activity by its date (2019-2024
// spans VN-LC2012 and VN-LC2019), as a column scan over a store would do.
#include <cstdint>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "capnp/message.h"
#include "rules/api.h"
#include "rules/engine.h"
#include "rules/registry.h"

namespace treem::rules {
namespace {

constexpr size_t kPool = 1'000'000;
constexpr size_t kPerIteration = 10'000'000;

std::vector<CompactActivity> MakePool(const RuleRegistry& reg) {
  std::mt19937_64 rng(871);
  std::vector<uint16_t> codes;
  for (const char* c : {"OTHER", "TT09-A2-04", "TT09-A2-06", "TT09-A2-10", "ART147-1-a",
                        "ART147-1-e", "TT09-A3-P05", "TT09-A5-D3", "ARTS_SPORT", "TT11-A1-02"}) {
    codes.push_back(reg.codes().Find(c));
  }
  codes.push_back(0);  // an unknown code now and then
  std::vector<uint16_t> places = {reg.codes().Find("NONE"),       reg.codes().Find("NONE"),
                                  reg.codes().Find("NONE"),       reg.codes().Find("ART147-2-b"),
                                  reg.codes().Find("ART147-2-d"), 0};
  std::vector<CompactActivity> pool(kPool);
  for (CompactActivity& a : pool) {
    const int year = 2019 + static_cast<int>(rng() % 6);
    const int month = 1 + static_cast<int>(rng() % 12);
    const int day = 1 + static_cast<int>(rng() % 28);
    a.date_ymd = PackYmd(year, month, day);
    const int age = 5 + static_cast<int>(rng() % 13);  // 5..17
    a.birth_ymd =
        PackYmd(year - age - 1, 1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28));
    if (AgeYmd(a.birth_ymd, a.date_ymd) > 17) a.birth_ymd = PackYmd(year - 17, 12, 31);
    a.job = codes[rng() % codes.size()];
    a.workplace = places[rng() % places.size()];
    a.minutes_week = static_cast<uint16_t>(rng() % (50 * 60));
    a.minutes_day = static_cast<uint16_t>(a.minutes_week / (1 + rng() % 6));
    if (a.minutes_day > 24 * 60) a.minutes_day = 24 * 60;
    a.chore_minutes_week = static_cast<uint16_t>(rng() % (30 * 60));
    if (rng() % 4 == 0) {
      a.work_start = static_cast<uint16_t>(rng() % 1440);
      a.work_end = static_cast<uint16_t>(rng() % 1440);
    }
    a.flags = static_cast<uint16_t>(rng() & 0x7FFF);
    if (rng() % 50 != 0) a.flags &= static_cast<uint16_t>(~(1u << kFactWorstForm));
    a.flags |= 1u << kFactWork;
  }
  return pool;
}

void BM_ClassifyCompact(benchmark::State& state) {
  auto reg = NewRuleRegistry();
  if (!reg.ok()) {
    state.SkipWithError("registry did not load");
    return;
  }
  const std::vector<CompactActivity> pool = MakePool(**reg);
  const RuleSet* stat = (*reg)->Find("ILO-SDG871");
  uint64_t child_labour = 0;
  for (auto _ : state) {
    for (size_t rep = 0; rep < kPerIteration / kPool; ++rep) {
      for (const CompactActivity& a : pool) {
        const RuleSet* legal = (*reg)->ForDate(RuleSetKind::kLegal, a.date_ymd);
        const CompactResult r = ClassifyCompact(*legal, stat, a);
        child_labour += r.determined >= Outcome::kChildLabour;
      }
    }
    benchmark::DoNotOptimize(child_labour);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPerIteration));
  state.counters["child_labour_share"] =
      static_cast<double>(child_labour) / static_cast<double>(state.iterations() * kPerIteration);
}
BENCHMARK(BM_ClassifyCompact)->Unit(benchmark::kMillisecond);

// The explained path (Cap'n Proto request in, explained result out), for comparison.
void BM_ClassifyExplained(benchmark::State& state) {
  auto reg = NewRuleRegistry();
  if (!reg.ok()) {
    state.SkipWithError("registry did not load");
    return;
  }
  capnp::MallocMessageBuilder in;
  auto req = in.initRoot<schema::ClassifyRequest>();
  auto b = req.initBirthDate().initDate();
  b.setYear(2010);
  b.setMonth(5);
  b.setDay(17);
  auto a = req.initActivity();
  auto d = a.initObservedOn();
  d.setYear(2024);
  d.setMonth(3);
  d.setDay(10);
  a.setJobCode("TT09-A2-06");
  a.setHoursPerDay(5);
  a.setHoursPerWeek(22);
  a.setNightWork(true);
  for (auto _ : state) {
    capnp::MallocMessageBuilder out;
    absl::Status s = Classify(**reg, req.asReader(), out.initRoot<schema::ClassificationResult>());
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ClassifyExplained);

}  // namespace
}  // namespace treem::rules

BENCHMARK_MAIN();
