// Fuzz target: the CSV readers of lib/rules (rule data and user code lists): rules::ParseCsv
// with CsvHeader, RuleSet::Parse (rule rows), RiskScreen::Parse (the at-risk screen) and
// RuleRegistry::LoadCodeListCsv (codes loaded by users at run time).
//
// Input: byte 0 chooses the reader (mod 4), the rest is the CSV text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "rules/csv.h"
#include "rules/engine.h"
#include "rules/registry.h"
#include "rules/risk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  if (size < 1) return 0;
  const std::string_view csv = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      absl::StatusOr<std::vector<rules::CsvRow>> rows = rules::ParseCsv(csv, "fuzz.csv");
      if (!rows.ok() || rows->empty()) break;
      absl::StatusOr<rules::CsvHeader> header =
          rules::CsvHeader::Make((*rows)[0], {"code", "name_vi"}, "fuzz.csv");
      if (!header.ok()) break;
      for (const rules::CsvRow& row : *rows) {
        (void)header->Get(row, "code");
        (void)header->Get(row, "source");
        (void)header->Find("confidence");
      }
      break;
    }
    case 1: {
      rules::RuleSetInfo info;
      info.id = "FUZZ";
      info.version = "1";
      info.effective_from = core::Date(2021, 1, 1);
      absl::StatusOr<std::unique_ptr<rules::RuleSet>> set =
          rules::RuleSet::Parse(info, csv, "fuzz.csv");
      if (set.ok()) {
        absl::StatusOr<const rules::RuleRegistry*> reg = rules::RuleRegistry::Default();
        if (reg.ok()) (*set)->BindCodes((*reg)->codes());
      }
      break;
    }
    case 2: {
      absl::StatusOr<std::unique_ptr<rules::RiskScreen>> screen =
          rules::RiskScreen::Parse(csv, "fuzz.csv");
      (void)screen;
      break;
    }
    case 3: {
      // A fresh registry per input: a successful load changes it.
      absl::StatusOr<std::unique_ptr<rules::RuleRegistry>> reg =
          rules::RuleRegistry::LoadEmbedded();
      if (!reg.ok()) fuzz::FuzzFail("embedded rule data", reg.status());
      const size_t before = (*reg)->codes().size();
      const absl::Status s = (*reg)->LoadCodeListCsv(csv, "fuzz.csv");
      if (!s.ok() && (*reg)->codes().size() != before) {
        fuzz::FuzzFail("a refused code list changed the registry");
      }
      break;
    }
  }
  return 0;
}
