// CSV import throughput (issue 8 target: >= 500,000 rows/s on the parse + validation path).
// Run: build/tests/bench/treem_bench --benchmark_filter=CsvImport
#include <string>

#include "benchmark/benchmark.h"
#include "exchange/csv_import.h"

namespace {

using treem::exchange::CsvImportOptions;
using treem::exchange::ImportSurveyCsv;

struct Files {
  std::string households;
  std::string children;
  size_t rows = 0;
};

// A synthetic commune survey: one household per 4 children, Vietnamese text, quoted fields.
Files MakeFiles(int children) {
  static const char* kNames[] = {"Nguyễn Thị Hoa", "Trần Văn Đức",      "Lê Thị Mai",
                                 "Hà Văn Sơn",     "\"Phạm, Thị Lan\"", "Lò Văn Hùng"};
  static const char* kEthnic[] = {"Kinh", "Mường", "Thái", "H'Mông"};
  static const char* kSchool[] = {"enrolled", "bỏ học", "irregular", "never_enrolled"};
  Files f;
  f.households =
      "\xEF\xBB\xBF"
      "household_key,commune_code,village,poverty_status,poverty_year,residence,"
      "craft_village\r\n";
  f.children =
      "\xEF\xBB\xBF"
      "child_key,household_key,full_name,sex,birth_date,ethnicity,national_id,"
      "school_status,grade,dropped_out_on,disability,special_groups,relationship\r\n";
  const int households = (children + 3) / 4;
  for (int h = 0; h < households; ++h) {
    f.households += "H" + std::to_string(h) + ",15928,Thôn " + std::to_string(h % 12) + "," +
                    (h % 3 == 0 ? "cận nghèo" : "none") + ",2024,rural," + (h % 5 == 0 ? "x" : "") +
                    "\r\n";
  }
  for (int c = 0; c < children; ++c) {
    const bool dropped = c % 4 == 1;
    char date[16];
    std::snprintf(date, sizeof(date), "%04d-%02d-%02d", 2008 + c % 12, 1 + c % 12, 1 + c % 28);
    f.children += "C" + std::to_string(c) + ",H" + std::to_string(c / 4) + "," + kNames[c % 6] +
                  "," + (c % 2 ? "nam" : "nữ") + "," + date + "," + kEthnic[c % 4] + "," +
                  (c % 3 == 0 ? "038212000123" : "") + "," + kSchool[c % 4] + "," +
                  std::to_string(c % 10) + "," + (dropped ? "2024-09-05" : "") + ",không," +
                  (c % 7 == 0 ? "k.1" : "") + ",con\r\n";
  }
  f.rows = static_cast<size_t>(households + children);
  return f;
}

CsvImportOptions Options(bool validate_only) {
  CsvImportOptions o;
  o.actor_user_id = "bench";
  o.at_micros = 1735689600LL * 1000000;
  o.commune_code = "15928";
  o.validate_only = validate_only;
  return o;
}

void BM_CsvImportValidate(benchmark::State& state) {
  const Files f = MakeFiles(static_cast<int>(state.range(0)));
  const CsvImportOptions o = Options(true);
  for (auto _ : state) {
    auto r = ImportSurveyCsv(f.households, f.children, o);
    if (!r.ok() || !r->ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.rows));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * (f.households.size() + f.children.size())));
}
BENCHMARK(BM_CsvImportValidate)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_CsvImportCommands(benchmark::State& state) {
  const Files f = MakeFiles(static_cast<int>(state.range(0)));
  const CsvImportOptions o = Options(false);
  for (auto _ : state) {
    auto r = ImportSurveyCsv(f.households, f.children, o);
    if (!r.ok() || !r->ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.rows));
}
BENCHMARK(BM_CsvImportCommands)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
