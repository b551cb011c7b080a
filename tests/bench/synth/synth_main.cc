// treem-synth: writes a synthetic country (tests/bench/synth/synth.h) for benchmarks and demos.
//
//   treem-synth --children=1000000 [--seed=20250701] [--province=38] [--units=DIR]
//               [--snapshot=FILE] [--csv=DIR] [--json=FILE] [--columns=FILE]
//
// --snapshot writes the schema::Snapshot (standard Cap'n Proto serialization, unpacked);
// --csv writes households.csv and children.csv of one commune with the given number of
// children (the survey form read by ImportSurveyCsv); --json writes the snapshot as JSON
// (small scales only); --columns builds the indicator columns (indicators::BuildDataset) and
// writes them as a column file (indicators::WriteColumns, covers_seq 0), the file a register
// writes at checkpoint: the national report benchmark reads it (TREEM_BENCH_COLUMN_FILE).
// Prints what was generated.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "capnp/message.h"
#include "capnp/serialize.h"
#include "core/admin_units.h"
#include "indicators/columns.h"
#include "indicators/dataset.h"
#include "serde/codec.h"
#include "synth/synth.h"

namespace {

bool Flag(std::string_view arg, std::string_view name, std::string* out) {
  if (arg.substr(0, name.size()) != name || arg.size() <= name.size() || arg[name.size()] != '=')
    return false;
  *out = std::string(arg.substr(name.size() + 1));
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: treem-synth --children=N [--seed=S] [--province=CODE] [--units=DIR]\n"
               "                   [--snapshot=FILE] [--csv=DIR] [--json=FILE] [--columns=FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string children = "100000", seed = "20250701", province, units_dir, snapshot, csv, json,
              columns;
  units_dir = std::string(TREEM_SHARED_DIR) + "/data/admin-units";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (!(Flag(a, "--children", &children) || Flag(a, "--seed", &seed) ||
          Flag(a, "--province", &province) || Flag(a, "--units", &units_dir) ||
          Flag(a, "--snapshot", &snapshot) || Flag(a, "--csv", &csv) || Flag(a, "--json", &json) ||
          Flag(a, "--columns", &columns)))
      return Usage();
  }
  if (snapshot.empty() && csv.empty() && json.empty() && columns.empty()) return Usage();
  for (const std::string* out : {&snapshot, &json, &columns}) {
    const auto parent = std::filesystem::path(*out).parent_path();
    if (!out->empty() && !parent.empty()) std::filesystem::create_directories(parent);
  }
  treem::synth::Options o;
  o.children = std::strtoull(children.c_str(), nullptr, 10);
  o.seed = std::strtoull(seed.c_str(), nullptr, 10);
  treem::core::AdminUnits units;
  if (std::filesystem::exists(units_dir + "/conversion-2025-07-01.csv")) {
    auto u = treem::core::AdminUnits::LoadDirectory(units_dir);
    if (!u.ok()) {
      std::fprintf(stderr, "treem-synth: %s\n", std::string(u.status().message()).c_str());
      return 1;
    }
    units = *u;
  } else {
    std::fprintf(stderr, "treem-synth: no unit lists in %s: made-up unit codes\n",
                 units_dir.c_str());
  }
  auto all = treem::synth::Communes(units, treem::core::Date(2025, 12, 31), province);
  if (all.empty()) {
    std::fprintf(stderr, "treem-synth: no commune in province %s\n", province.c_str());
    return 1;
  }
  if (!csv.empty()) {
    auto f = treem::synth::GenerateSurveyCsv(o.seed, o.children, all.front().code);
    std::filesystem::create_directories(csv);
    std::ofstream(csv + "/households.csv", std::ios::binary) << f.households;
    std::ofstream(csv + "/children.csv", std::ios::binary) << f.children;
    std::printf("%s: %zu household rows, %zu child rows (commune %s)\n", csv.c_str(),
                f.household_rows, f.child_rows, all.front().code.c_str());
  }
  if (snapshot.empty() && json.empty() && columns.empty()) return 0;
  o.communes = treem::synth::SpreadCommunes(all, o.children);
  capnp::MallocMessageBuilder msg(1u << 24);
  auto st = treem::synth::Generate(o, msg.initRoot<treem::schema::Snapshot>());
  if (!snapshot.empty()) {
    auto words = capnp::messageToFlatArray(msg);
    std::ofstream(snapshot, std::ios::binary)
        .write(reinterpret_cast<const char*>(words.begin()),
               static_cast<std::streamsize>(words.size() * sizeof(capnp::word)));
    std::printf("%s: %zu bytes\n", snapshot.c_str(), words.size() * sizeof(capnp::word));
  }
  if (!json.empty()) {
    auto text = treem::serde::Encode<treem::schema::Snapshot>(
        msg.getRoot<treem::schema::Snapshot>().asReader(), treem::serde::Format::kJson);
    if (!text.ok()) {
      std::fprintf(stderr, "treem-synth: %s\n", std::string(text.status().message()).c_str());
      return 1;
    }
    std::ofstream(json, std::ios::binary) << *text;
  }
  if (!columns.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    auto d =
        treem::indicators::BuildDataset(msg.getRoot<treem::schema::Snapshot>().asReader(), units);
    const double build_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    absl::Status w = d.ok() ? treem::indicators::WriteColumns(*d, 0, columns) : d.status();
    if (!w.ok()) {
      std::fprintf(stderr, "treem-synth: %s\n", std::string(w.message()).c_str());
      return 1;
    }
    std::printf("%s: %llu bytes (columns built in %.2f s)\n", columns.c_str(),
                static_cast<unsigned long long>(std::filesystem::file_size(columns)), build_s);
  }
  std::printf(
      "communes %zu, households %llu, persons %llu (children %llu), activities %llu, "
      "risk screens %llu, cases %llu, referrals %llu, communications %llu, trainings %llu, "
      "participants %llu, establishments %llu, inspections %llu, commitments %llu\n",
      o.communes.size(), static_cast<unsigned long long>(st.households),
      static_cast<unsigned long long>(st.persons), static_cast<unsigned long long>(st.children),
      static_cast<unsigned long long>(st.activities),
      static_cast<unsigned long long>(st.risk_screens), static_cast<unsigned long long>(st.cases),
      static_cast<unsigned long long>(st.referrals),
      static_cast<unsigned long long>(st.communications),
      static_cast<unsigned long long>(st.trainings),
      static_cast<unsigned long long>(st.participants),
      static_cast<unsigned long long>(st.establishments),
      static_cast<unsigned long long>(st.inspections),
      static_cast<unsigned long long>(st.commitments));
  return 0;
}
