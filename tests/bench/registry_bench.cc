// A province register (issue 8): Registry::Open of a checkpointed register (the snapshot loaded
// into the register's records), and Open plus its first indicator report (which reads the
// column file written at checkpoint). The register is made once per scale: a synthetic province
// (synth, the communes of province 38 spread to the given number of children) imported with
// ImportSnapshot (without cases: see GetRegister), then Checkpoint. Args: children (100k, 400k; a
// large province has ~600k). Counters: snapshot_MiB (the register's snapshot file), peak_rss_MiB,
// setup_s (import and checkpoint, untimed).
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "bench_util.h"
#include "capnp/message.h"
#include "indicators/compute.h"
#include "registry/registry.h"

namespace treem::bench {
namespace {

const registry::Actor kOfficer{"province-officer", schema::Role::PROVINCE_OFFICER, "38"};

struct ProvinceRegister {
  uint64_t children = 0;
  std::string dir;
  double setup_seconds = 0;
  uint64_t snapshot_bytes = 0;
  std::string error;
};

registry::RegistryOptions Options(bool read_only) {
  registry::RegistryOptions o;
  o.scope = {"38"};
  o.units = Units();
  o.read_only = read_only;
  return o;
}

ProvinceRegister& GetRegister(uint64_t children) {
  static ProvinceRegister r;
  if (r.children == children) return r;
  if (!r.dir.empty()) RemoveDir(r.dir);
  r = ProvinceRegister{};
  r.children = children;
  r.dir = MakeTempDir();
  DropCountry();
  const auto t0 = std::chrono::steady_clock::now();
  synth::Options o;
  o.children = children;
  o.communes =
      synth::SpreadCommunes(synth::Communes(Units(), core::Date(2025, 12, 31), "38"), children);
  if (o.communes.empty()) {
    r.error = "no official unit lists: no province 38";
    return r;
  }
  auto msg = std::make_unique<capnp::MallocMessageBuilder>(1u << 24);
  auto snap = msg->initRoot<schema::Snapshot>();
  synth::Generate(o, snap);
  // A register rebuilds cases from their command log (caseLog), which the generator does not
  // write: the cases and their referrals (~0.5 per 1,000 children) are left out.
  snap.disownCases();
  snap.disownReferrals();
  // The register requires a commitment's unit; the generator leaves it to the establishment's.
  absl::flat_hash_map<core::Uuid, std::string> est_commune;
  for (auto e : snap.getEstablishments())
    est_commune[core::Uuid{e.getId().getHi(), e.getId().getLo()}] = e.getCommuneCode().cStr();
  for (auto m : snap.getCommitments()) {
    auto it = est_commune.find(
        core::Uuid{m.getEstablishmentId().getHi(), m.getEstablishmentId().getLo()});
    if (m.getUnitCode().size() == 0 && it != est_commune.end()) m.setUnitCode(it->second);
  }
  auto reg = registry::Registry::Create(r.dir + "/reg", Options(false));
  absl::Status s =
      reg.ok() ? (*reg)->ImportSnapshot(kOfficer, msg->getRoot<schema::Snapshot>().asReader())
               : reg.status();
  if (s.ok()) s = (*reg)->Checkpoint().status();
  if (!s.ok()) {
    r.error = std::string(s.message());
    return r;
  }
  reg->reset();
  for (const auto& e : std::filesystem::directory_iterator(r.dir + "/reg"))
    if (e.path().filename().string().rfind("snapshot", 0) == 0) r.snapshot_bytes += e.file_size();
  r.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// Arg 1: 0 = Open only, 1 = Open + the first report (IndicatorData + Compute).
void BM_RegistryOpen(benchmark::State& state) {
  ProvinceRegister& r = GetRegister(static_cast<uint64_t>(state.range(0)));
  if (!r.error.empty()) {
    state.SkipWithError(r.error.c_str());
    return;
  }
  const bool report = state.range(1) != 0;
  PeakMemory peak;
  for (auto _ : state) {
    auto reg = registry::Registry::Open(r.dir + "/reg", Options(true));
    if (Skipped(state, reg.status())) break;
    if (report) {
      // The register exists only with the official unit lists: one row per commune of 38.
      auto data = (*reg)->IndicatorData(Units());
      if (Skipped(state, data.status())) break;
      auto rep = indicators::Compute(**data, Request("38"));
      if (Skipped(state, rep.status())) break;
      benchmark::DoNotOptimize(rep);
    }
  }
  peak.Report(state);
  state.counters["snapshot_MiB"] = static_cast<double>(r.snapshot_bytes) / (1 << 20);
  state.counters["setup_s"] = r.setup_seconds;
  state.counters["children"] = static_cast<double>(r.children);
}
BENCHMARK(BM_RegistryOpen)
    ->ArgsProduct({{100'000, 400'000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace treem::bench
