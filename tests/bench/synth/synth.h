// A synthetic country for benchmarks (issue 8): households, children, carers, staff, work
// activities, risk screens, cases with deadlines, referrals, communication and training
// activities, establishments, inspections and commitments, as real schema records (a
// schema::Snapshot) or as village survey CSVs. Deterministic: the same options give the same
// bytes. Scales from one commune to the whole country (20.6 million children aged 5-17 in the
// 3,321 communes of the 34 provinces of the map of 2025-07-01).
//
//   auto units = treem::core::AdminUnits::LoadDirectory(dir);         // or AdminUnits()
//   treem::synth::Options o;
//   o.children = 1'000'000;
//   o.communes = treem::synth::SpreadCommunes(treem::synth::Communes(*units), o.children);
//   capnp::MallocMessageBuilder msg;
//   treem::synth::Stats st = treem::synth::Generate(o, msg.initRoot<treem::schema::Snapshot>());
//
// Mixes (rough national figures; see docs/benchmarks.md): 51.5% boys; ages uniform over 5-17;
// 85% Kinh with minority-majority communes (a fifth of communes, 70% minorities, mostly poorer);
// 4% poor and 5% near-poor households (x3 in minority communes); urban residence in wards
// (phường); 92% enrolled, dropping out rises with age; work activities for 4% (5-11), 12%
// (12-14) and 22% (15-17) of children, the hours and jobs chosen so that about 5% of children
// are in child labour under the rule sets; risk screens of 3%; cases for about 0.3%, referrals
// for most cases; communication reaching about 45% of children and half of the carers.
#ifndef TREEM_TESTS_BENCH_SYNTH_SYNTH_H_
#define TREEM_TESTS_BENCH_SYNTH_SYNTH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/admin_units.h"
#include "core/date.h"
#include "core/ids.h"
#include "treem/schema/commands.capnp.h"

namespace treem::synth {

// A commune children live in.
struct Commune {
  std::string code;      // 5 digits
  std::string province;  // 2 digits
  bool urban = false;    // a ward (phường): urban residence
};

// The communes valid on `on` (default: 2025-12-31, the map of 3,321 communes in 34 provinces),
// in code order, optionally those of one province; without official unit lists, 3,321 made-up
// codes in 34 made-up provinces (the report then counts them in the national total only).
std::vector<Commune> Communes(const core::AdminUnits& units,
                              core::Date on = core::Date(2025, 12, 31),
                              std::string_view province = "");

// The communes a population of `children` lives in: about 6,200 children per commune (the
// national average), spread evenly across `all` (so small scales still span provinces).
std::vector<Commune> SpreadCommunes(const std::vector<Commune>& all, uint64_t children);

struct Options {
  uint64_t seed = 20250701;
  uint64_t children = 100000;     // children aged 5-17 on 31 December of `year`
  std::vector<Commune> communes;  // where they live; empty = one made-up commune "00001"
  int year = 2025;                // the year activities, screens and cases fall in (mostly)
  core::Uuid store_id;            // header.storeId; nil = derived from the seed
  uint64_t last_seq = 1;          // header.lastSeq
};

struct Stats {
  uint64_t households = 0, persons = 0, children = 0, carers = 0, staff = 0;
  uint64_t activities = 0, risk_screens = 0, cases = 0, deadlines = 0, referrals = 0;
  uint64_t communications = 0, trainings = 0, participants = 0;
  uint64_t establishments = 0, inspections = 0, commitments = 0;
  uint64_t records() const {
    return households + persons + activities + risk_screens + cases + referrals + communications +
           trainings + establishments + inspections + commitments;
  }
};

// Fills `out` with the whole state of a store holding the population.
Stats Generate(const Options& options, schema::Snapshot::Builder out);

// Village survey lists of one commune in the form exchange::ImportSurveyCsv reads
// (households.csv, children.csv), with the same mixes; Vietnamese names, some quoted fields.
struct SurveyCsv {
  std::string households, children;
  size_t household_rows = 0, child_rows = 0;
};
SurveyCsv GenerateSurveyCsv(uint64_t seed, uint64_t children, std::string_view commune_code);

}  // namespace treem::synth

#endif  // TREEM_TESTS_BENCH_SYNTH_SYNTH_H_
