// Indicators at scale (issue 8 target: a full indicator report for 20 million children in under
// a second from an open store). BM_IndicatorsCompute times Compute() alone over a synthetic
// Dataset of N children (N = 100k, 400k, 1.6M: the cost should grow linearly); the counter
// children_per_second extrapolates. BM_IndicatorsBuildDataset times BuildDataset() from a
// Snapshot message. Units come from shared/data/admin-units when present (children spread over
// the communes of the old map, so the report exercises the lineage), else every record counts in
// the national total only.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "capnp/message.h"
#include "core/admin_units.h"
#include "indicators/compute.h"
#include "indicators/dataset.h"
#include "rules/engine.h"
#include "treem/schema/commands.capnp.h"

namespace treem::indicators {
namespace {

using bench::Units;

// Old-map commune codes of the registry (or a few made-up codes without one).
std::vector<std::string> CommuneCodes() {
  std::vector<std::string> codes;
  const auto& u = Units();
  for (core::UnitIndex i = 0; i < u.size(); ++i) {
    auto v = u.At(i);
    if (v.ok() && v->level == core::UnitLevel::kCommune && v->ValidOn(core::Date(2025, 6, 30)))
      codes.emplace_back(v->code);
  }
  if (codes.empty()) codes = {"00001", "00002", "00003"};
  return codes;
}

Dataset Synthetic(size_t n) {
  Dataset d;
  d.units = Units();
  d.resolved = NewKeyResolutionCache();
  const auto codes = CommuneCodes();
  for (const auto& c : codes) {
    d.key_code.push_back(c);
    d.key_village.emplace_back();
  }
  std::mt19937_64 rng(42);
  d.p_id.resize(n);
  d.p_key.resize(n);
  d.p_birth.resize(n);
  d.p_death.assign(n, 0);
  d.p_sex.resize(n);
  d.p_ethnicity.resize(n);
  d.p_poverty.resize(n);
  d.p_residence.resize(n);
  d.p_roles.assign(n, 0);
  d.p_school.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng();
    d.p_id[i] = core::Uuid{r, i};
    d.p_key[i] = static_cast<uint32_t>(r % codes.size());
    d.p_birth[i] =
        rules::PackYmd(2007 + static_cast<int>((r >> 20) % 20),
                       1 + static_cast<int>((r >> 28) % 12), 1 + static_cast<int>((r >> 32) % 28));
    d.p_sex[i] = static_cast<uint8_t>(1 + ((r >> 40) & 1));
    d.p_ethnicity[i] = static_cast<uint8_t>((r >> 41) % 8);
    d.p_poverty[i] = static_cast<uint8_t>((r >> 44) % 5);
    d.p_residence[i] = static_cast<uint8_t>(1 + ((r >> 47) & 1));
    d.p_school[i] = static_cast<uint8_t>((r >> 48) % 4);
    if ((r >> 52) % 50 == 0) d.p_roles[i] = kRoleParentCarer;
    // 5% of the children have a work activity in 2025, a third of them child labour.
    if ((r >> 56) % 20 == 0) {
      d.a_id.push_back(core::Uuid{r, ~i});
      d.a_person.push_back(static_cast<uint32_t>(i));
      d.a_day.push_back(rules::PackYmd(2025, 1 + static_cast<int>(r % 12), 10));
      d.a_cls.push_back(static_cast<uint8_t>((r % 3 == 0) ? 2 + (r % 2) : 0));
    }
    // 10% reached by communication.
    if ((r >> 12) % 10 == 0) {
      d.re_person.push_back(static_cast<uint32_t>(i));
      d.re_from.push_back(rules::PackYmd(2025, 3, 1));
      d.re_to.push_back(rules::PackYmd(2025, 3, 1));
      d.re_kind.push_back(0);
    }
  }
  return d;
}

void BM_IndicatorsCompute(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Dataset d = Synthetic(n);
  ReportRequest req;
  req.period = Period::Year(2025);
  req.dimensions = {schema::DisaggregationDimension::SEX,
                    schema::DisaggregationDimension::STAT_BAND};
  for (auto _ : state) {
    auto rep = Compute(d, req);
    if (!rep.ok()) state.SkipWithError(std::string(rep.status().message()).c_str());
    benchmark::DoNotOptimize(rep);
  }
  state.counters["children_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
// The same with unit codes resolved afresh on every call (the first report on a map date).
void BM_IndicatorsComputeColdUnits(benchmark::State& state) {
  Dataset d = Synthetic(static_cast<size_t>(state.range(0)));
  ReportRequest req;
  req.period = Period::Year(2025);
  for (auto _ : state) {
    d.resolved = NewKeyResolutionCache();
    auto rep = Compute(d, req);
    if (!rep.ok()) state.SkipWithError(std::string(rep.status().message()).c_str());
    benchmark::DoNotOptimize(rep);
  }
}
BENCHMARK(BM_IndicatorsComputeColdUnits)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_IndicatorsCompute)
    ->Arg(100000)
    ->Arg(400000)
    ->Arg(1600000)
    ->Unit(benchmark::kMillisecond);

void BM_IndicatorsBuildDataset(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto codes = CommuneCodes();
  capnp::MallocMessageBuilder msg;
  auto persons = msg.initRoot<schema::Snapshot>().initPersons(static_cast<unsigned>(n));
  std::mt19937_64 rng(7);
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t r = rng();
    auto p = persons[i];
    p.initId().setHi(r);
    p.getId().setLo(i);
    p.setSex(static_cast<schema::Sex>(1 + (r & 1)));
    auto b = p.initBirthDate().initDate();
    b.setYear(static_cast<int16_t>(2007 + (r >> 8) % 20));
    b.setMonth(static_cast<uint8_t>(1 + (r >> 16) % 12));
    b.setDay(static_cast<uint8_t>(1 + (r >> 24) % 28));
    p.setCommuneCode(codes[(r >> 32) % codes.size()]);
  }
  const auto snap = msg.getRoot<schema::Snapshot>().asReader();
  for (auto _ : state) {
    auto d = BuildDataset(snap, Units());
    if (!d.ok()) state.SkipWithError(std::string(d.status().message()).c_str());
    benchmark::DoNotOptimize(d);
  }
  state.counters["children_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_IndicatorsBuildDataset)->Arg(100000)->Arg(400000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace treem::indicators
