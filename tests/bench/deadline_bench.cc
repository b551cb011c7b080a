// Deadline queries (issue 8): "what is due, due soon or overdue" (cases::CaseBook::QueryDeadlines,
// what Registry::Due answers) over the cases of the synthetic country. The case book is built
// by applying the real case commands (openCase at the notification instant, the initial
// assessment when the generated case has one), so the deadlines are the legal ones the rules
// compute. Queries at instants spread over 2025: per commune (the commune worker's question)
// and over every unit (the province's). Arg: children of the country (cases ~0.3% of them).
#include <string>
#include <vector>

#include "bench_util.h"
#include "capnp/message.h"
#include "cases/case_book.h"
#include "cases/deadline_rules.h"

namespace treem::bench {
namespace {

struct Book {
  uint64_t children = 0;
  std::unique_ptr<cases::CaseBook> book;
  std::vector<std::string> units;
  size_t cases = 0;
};

Book& GetBook(uint64_t n) {
  static Book b;
  if (b.children == n && b.book) return b;
  b = Book{};
  b.children = n;
  b.book = std::make_unique<cases::CaseBook>();
  Country& c = GetCountry(n);
  for (auto k : c.snapshot().getCases()) {
    const int64_t received = k.getNotification().getReceivedAt().getMicros();
    const cases::CommandContext ctx{
        received, {"worker", schema::Role::COMMUNE_WORKER, std::string(k.getUnitCode().cStr())}};
    {
      capnp::MallocMessageBuilder mb;
      auto cmd = mb.initRoot<schema::CaseCommand>();
      cmd.setCaseId(k.getId());
      cmd.setReason("synth");
      auto o = cmd.initBody().initOpenCase();
      o.setCaseId(k.getId());
      o.setChildId(k.getChildId());
      o.setUnitCode(k.getUnitCode());
      o.setKind(k.getKind());
      o.setLevel(schema::ProtectionLevel::SUPPORT);
      o.setNotification(k.getNotification());
      if (!b.book->Apply(cmd.asReader(), ctx).ok()) continue;
    }
    ++b.cases;
    if (b.units.empty() || b.units.back() != k.getUnitCode().cStr())
      b.units.emplace_back(k.getUnitCode().cStr());
    if (k.getHasInitialAssessment()) {
      capnp::MallocMessageBuilder mb;
      auto cmd = mb.initRoot<schema::CaseCommand>();
      cmd.setCaseId(k.getId());
      cmd.setReason("synth");
      auto a = cmd.initBody().initInitialAssessment().initAssessment();
      a.setLevel(schema::ProtectionLevel::SUPPORT);
      const int64_t at = k.getInitialAssessment().getAssessedAt().getMicros();
      (void)b.book->Apply(cmd.asReader(), cases::CommandContext{at, ctx.actor});
    }
  }
  return b;
}

// Arg 1: 0 = one commune per query, 1 = all units.
void BM_DeadlineQuery(benchmark::State& state) {
  Book& b = GetBook(static_cast<uint64_t>(state.range(0)));
  if (b.units.empty()) {
    state.SkipWithError("no cases");
    return;
  }
  const bool all = state.range(1) != 0;
  const int64_t year_start = cases::StartOfLocalDay(core::Date(2025, 1, 1));
  uint64_t items = 0, i = 0;
  PeakMemory peak;
  for (auto _ : state) {
    cases::DeadlineFilter f;
    f.at = year_start + static_cast<int64_t>((i * 7919) % 365) * cases::kMicrosPerDay;
    if (!all) f.unit_codes = {b.units[i % b.units.size()]};
    f.limit = 100;
    auto ans = b.book->QueryDeadlines(f);
    items += ans.items.size();
    ++i;
    benchmark::DoNotOptimize(ans);
  }
  peak.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["cases"] = static_cast<double>(b.cases);
  state.counters["open_deadlines"] = static_cast<double>(b.book->open_deadline_count());
  state.counters["answers_per_query"] =
      static_cast<double>(items) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
void DeadlineArgs(benchmark::internal::Benchmark* b) {
  for (int64_t n : Scales())
    if (n >= 400'000)
      for (int all : {0, 1}) b->Args({n, all});
}
BENCHMARK(BM_DeadlineQuery)->Apply(DeadlineArgs);

}  // namespace
}  // namespace treem::bench
