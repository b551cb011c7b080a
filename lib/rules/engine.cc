#include "rules/engine.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/status_macros.h"
#include "rules/csv.h"

namespace treem::rules {

using internal::Sv;

namespace {

constexpr const char* kFactNames[kNumFlagFacts] = {"work",
                                                   "employer",
                                                   "worst_form",
                                                   "overtime",
                                                   "night",
                                                   "school",
                                                   "consent",
                                                   "contract",
                                                   "rep_cosigned",
                                                   "health_cert",
                                                   "health_check",
                                                   "register",
                                                   "approval",
                                                   "hazardous_conditions",
                                                   "hazardous_chores",
                                                   "legal_hazardous"};

inline bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

absl::StatusOr<uint16_t> ParseHoursToMinutes(std::string_view s, std::string_view where) {
  double h = 0;
  if (!absl::SimpleAtod(Sv(s), &h) || !std::isfinite(h) || h < 0 || h > 168) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": '", Sv(s), "' is not an hour value in 0..168"));
  }
  return static_cast<uint16_t>(std::lround(h * 60));
}

}  // namespace

const char* FactName(int bit) { return bit >= 0 && bit < kNumFlagFacts ? kFactNames[bit] : "?"; }

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kNotChildLabour:
      return "NOT_CHILD_LABOUR";
    case Outcome::kPermittedWithViolations:
      return "PERMITTED_WORK_WITH_VIOLATIONS";
    case Outcome::kChildLabour:
      return "CHILD_LABOUR";
    case Outcome::kHazardous:
      return "HAZARDOUS_CHILD_LABOUR";
    case Outcome::kWorstForm:
      return "WORST_FORM";
    case Outcome::kUnknownCode:
      return "UNKNOWN_CODE";
  }
  return "?";
}

const char* SdgStatusName(SdgStatus s) {
  switch (s) {
    case SdgStatus::kNo:
      return "NO";
    case SdgStatus::kYes:
      return "YES";
    case SdgStatus::kUnknown:
      return "UNKNOWN";
    case SdgStatus::kOutOfScope:
      return "OUT_OF_SCOPE";
  }
  return "?";
}

absl::StatusOr<Confidence> ParseConfidence(std::string_view s, std::string_view field) {
  s = Trim(s);
  if (s == "C" || s == "[C]" || s == "confirmed") return Confidence::kConfirmed;
  if (s == "S" || s == "[S]" || s == "secondary") return Confidence::kSecondary;
  if (s == "U" || s == "[U]" || s == "unconfirmed") return Confidence::kUnconfirmed;
  return absl::InvalidArgumentError(
      absl::StrCat(Sv(field), ": '", Sv(s), "' is not a confidence (C, S or U)"));
}

uint32_t PackYmd(core::Date d) {
  auto ymd = d.year_month_day();
  return PackYmd(ymd.year, ymd.month, ymd.day);
}

int AgeYmd(uint32_t birth, uint32_t on) {
  const int by = static_cast<int>(birth >> 9), bm = (birth >> 5) & 15, bd = birth & 31;
  const int y = static_cast<int>(on >> 9), m = (on >> 5) & 15, d = on & 31;
  int age = y - by;
  // The birthday in year y; 29 February falls on 28 February in a common year.
  const int bday = (bm == 2 && bd == 29 && !IsLeap(y)) ? 28 : bd;
  if (m < bm || (m == bm && d < bday)) --age;
  return age;
}

std::string FamilyOf(std::string_view code) {
  size_t dash = code.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::string(code);
  return std::string(code.substr(0, dash));
}

CodeTable::CodeTable() { entries_.emplace_back(); }

uint16_t CodeTable::Find(std::string_view code) const {
  auto it = index_.find(Sv(code));
  return it == index_.end() ? 0 : it->second;
}

absl::Status CodeTable::Put(CodeEntry e, bool replace) {
  auto it = index_.find(e.code);
  if (it != index_.end()) {
    if (!replace) {
      return absl::AlreadyExistsError(absl::StrCat("code '", e.code, "' is listed twice"));
    }
    entries_[it->second] = std::move(e);
    return absl::OkStatus();
  }
  if (entries_.size() >= 0xFFFF) {
    return absl::ResourceExhaustedError("code lists: more than 65534 codes");
  }
  uint16_t idx = static_cast<uint16_t>(entries_.size());
  index_.emplace(e.code, idx);
  entries_.push_back(std::move(e));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Rule set parsing and compilation
// ---------------------------------------------------------------------------------------------

namespace {

absl::StatusOr<uint8_t> ParseBands(std::string_view text, RuleSetKind kind,
                                   std::string_view where) {
  text = Trim(text);
  if (text == "ALL") return kind == RuleSetKind::kLegal ? 0x07 : 0x0E;
  uint8_t mask = 0;
  for (absl::string_view part : absl::StrSplit(Sv(text), '|')) {
    std::string_view p(part.data(), part.size());
    p = Trim(p);
    int bit = -1;
    if (kind == RuleSetKind::kLegal) {
      if (p == "LT13") bit = 0;
      if (p == "A13_14") bit = 1;
      if (p == "A15_17") bit = 2;
    } else {
      if (p == "S5_11") bit = 1;
      if (p == "S12_14") bit = 2;
      if (p == "S15_17") bit = 3;
    }
    if (bit < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(where), ": bands: '", Sv(p), "' is not an age band of this rule set"));
    }
    mask = static_cast<uint8_t>(mask | (1u << bit));
  }
  if (mask == 0) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(where), ": bands: empty"));
  }
  return mask;
}

absl::StatusOr<Outcome> ParseSeverity(std::string_view s, std::string_view where) {
  s = Trim(s);
  if (s == "PROCEDURAL") return Outcome::kPermittedWithViolations;
  if (s == "CHILD_LABOUR") return Outcome::kChildLabour;
  if (s == "HAZARDOUS") return Outcome::kHazardous;
  if (s == "WORST_FORM") return Outcome::kWorstForm;
  return absl::InvalidArgumentError(
      absl::StrCat(Sv(where), ": outcome: '", Sv(s),
                   "' is not one of PROCEDURAL, CHILD_LABOUR, HAZARDOUS, WORST_FORM"));
}

absl::StatusOr<int64_t> ParseVnd(std::string_view s, std::string_view where) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(Sv(Trim(s)), &v) || v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(where), ": '", Sv(s), "' is not an amount in VND"));
  }
  return v;
}

}  // namespace

absl::Status RuleSet::CompileAtom(std::string_view atom, uint64_t* mask, std::string_view where) {
  atom = Trim(atom);
  if (atom.empty()) return absl::OkStatus();
  // Code-set atoms: job:FAM|FAM, job!FAM, workplace:FAM, workplace!FAM.
  for (std::string_view field : {std::string_view("job"), std::string_view("workplace")}) {
    if (atom.size() > field.size() + 1 && atom.substr(0, field.size()) == field &&
        (atom[field.size()] == ':' || atom[field.size()] == '!')) {
      for (size_t i = 0; i < code_atoms_.size(); ++i) {
        if (code_atoms_[i].text == atom) {
          *mask |= uint64_t{1} << (48 + i);
          return absl::OkStatus();
        }
      }
      if (code_atoms_.size() >= kMaxCodeAtoms) {
        return absl::InvalidArgumentError(
            absl::StrCat(Sv(where), ": more than ", kMaxCodeAtoms, " code-set atoms"));
      }
      CodeAtom ca;
      ca.workplace = field == "workplace";
      ca.negated = atom[field.size()] == '!';
      ca.text = std::string(atom);
      for (absl::string_view f : absl::StrSplit(Sv(atom.substr(field.size() + 1)), '|')) {
        std::string fam(Trim(std::string_view(f.data(), f.size())));
        if (fam.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Sv(where), ": atom '", Sv(atom), "' names an empty code family"));
        }
        bool seen = false;
        for (const std::string& k : families_) seen = seen || k == fam;
        if (!seen) families_.push_back(fam);
        ca.families.push_back(std::move(fam));
      }
      *mask |= uint64_t{1} << (48 + code_atoms_.size());
      code_atoms_.push_back(std::move(ca));
      return absl::OkStatus();
    }
  }
  // Thresholds: hours_day>4, hours_week>=14, chore_week>=21.
  for (int field = 0; field < 3; ++field) {
    static constexpr std::string_view kFields[3] = {"hours_day", "hours_week", "chore_week"};
    std::string_view name = kFields[field];
    if (atom.size() > name.size() && atom.substr(0, name.size()) == name &&
        (atom[name.size()] == '>')) {
      bool ge = atom.size() > name.size() + 1 && atom[name.size() + 1] == '=';
      std::string_view value = atom.substr(name.size() + (ge ? 2 : 1));
      TREEM_ASSIGN_OR_RETURN(
          uint16_t minutes,
          ParseHoursToMinutes(value, absl::StrCat(Sv(where), ": atom '", Sv(atom), "'")));
      for (size_t i = 0; i < thresholds_.size(); ++i) {
        if (thresholds_[i].text == atom) {
          *mask |= uint64_t{1} << (32 + i);
          return absl::OkStatus();
        }
      }
      if (thresholds_.size() >= kMaxThresholds) {
        return absl::InvalidArgumentError(
            absl::StrCat(Sv(where), ": more than ", kMaxThresholds, " hour thresholds"));
      }
      thresholds_.push_back(Threshold{static_cast<uint8_t>(field), ge, minutes, std::string(atom)});
      *mask |= uint64_t{1} << (32 + thresholds_.size() - 1);
      return absl::OkStatus();
    }
  }
  // Flags and negated flags.
  bool negated = atom[0] == '!';
  std::string_view name = negated ? atom.substr(1) : atom;
  for (int bit = 0; bit < kNumFlagFacts; ++bit) {
    if (name == kFactNames[bit]) {
      *mask |= uint64_t{1} << (bit + (negated ? 16 : 0));
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Sv(where), ": '", Sv(atom), "' is not a known condition"));
}

absl::StatusOr<std::unique_ptr<RuleSet>> RuleSet::Parse(RuleSetInfo info, std::string_view csv,
                                                        std::string_view what) {
  auto rs = std::make_unique<RuleSet>();
  rs->info_ = std::move(info);
  TREEM_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(csv, what));
  if (rows.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no header"));
  }
  TREEM_ASSIGN_OR_RETURN(
      CsvHeader h,
      CsvHeader::Make(rows[0],
                      {"row", "code", "bands", "series", "all", "any", "outcome", "fine_min_vnd",
                       "fine_max_vnd", "instrument", "article", "confidence", "explanation"},
                      what));
  const RuleSetKind kind = rs->info_.kind;
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    std::string where = absl::StrCat(Sv(what), ": line ", r.line);
    if (rs->n_rows_ >= kMaxRows) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": more than ", kMaxRows, " rows"));
    }
    RuleRow row;
    row.row = std::string(Trim(h.Get(r, "row")));
    row.code = std::string(Trim(h.Get(r, "code")));
    if (row.row.empty() || row.code.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": row and code are required"));
    }
    row.bands_text = std::string(h.Get(r, "bands"));
    TREEM_ASSIGN_OR_RETURN(row.band_mask, ParseBands(row.bands_text, kind, where));
    std::string_view series = Trim(h.Get(r, "series"));
    if (series == "chores") {
      row.chores_series_only = true;
    } else if (!series.empty() && series != "both") {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": series: '", Sv(series), "' is not 'both' or 'chores'"));
    }
    row.all_text = std::string(h.Get(r, "all"));
    row.any_text = std::string(h.Get(r, "any"));
    TREEM_ASSIGN_OR_RETURN(row.severity, ParseSeverity(h.Get(r, "outcome"), where));
    std::string_view fmin = Trim(h.Get(r, "fine_min_vnd")), fmax = Trim(h.Get(r, "fine_max_vnd"));
    if (!fmin.empty() || !fmax.empty()) {
      TREEM_ASSIGN_OR_RETURN(row.fine_min_vnd, ParseVnd(fmin, where));
      TREEM_ASSIGN_OR_RETURN(row.fine_max_vnd, ParseVnd(fmax, where));
      if (row.fine_min_vnd > row.fine_max_vnd) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": fine_min_vnd exceeds fine_max_vnd"));
      }
      row.fine_known = true;
    }
    row.instrument = std::string(h.Get(r, "instrument"));
    row.article = std::string(h.Get(r, "article"));
    row.explanation = std::string(h.Get(r, "explanation"));
    TREEM_ASSIGN_OR_RETURN(row.confidence,
                           ParseConfidence(h.Get(r, "confidence"), where + ": confidence"));
    Compiled c;
    c.band_mask = row.band_mask;
    for (absl::string_view a : absl::StrSplit(Sv(row.all_text), ';')) {
      TREEM_RETURN_IF_ERROR(
          rs->CompileAtom(std::string_view(a.data(), a.size()), &c.all, where + ": all"));
    }
    for (absl::string_view a : absl::StrSplit(Sv(row.any_text), ';')) {
      TREEM_RETURN_IF_ERROR(
          rs->CompileAtom(std::string_view(a.data(), a.size()), &c.any, where + ": any"));
    }
    if (c.all == 0 && c.any == 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": the row has no condition"));
    }
    for (const RuleRow& prev : rs->rows_) {
      if (prev.row == row.row) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": row '", row.row, "' is listed twice"));
      }
    }
    const uint32_t bit = uint32_t{1} << rs->n_rows_;
    rs->severity_rows_[static_cast<int>(row.severity)] |= bit;
    if (row.severity == Outcome::kHazardous) rs->hazardous_rows_ |= bit;
    if (row.chores_series_only) rs->chores_only_rows_ |= bit;
    rs->compiled_[static_cast<size_t>(rs->n_rows_)] = c;
    rs->rows_.push_back(std::move(row));
    ++rs->n_rows_;
  }
  if (rs->n_rows_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": no rule rows"));
  }
  rs->Finish();
  return rs;
}

void RuleSet::Finish() {
  for (int band = 0; band < 4; ++band) {
    BandRows& br = band_rows_[static_cast<size_t>(band)];
    br.n = 0;
    for (int i = 0; i < n_rows_; ++i) {
      const Compiled& c = compiled_[static_cast<size_t>(i)];
      if (!((c.band_mask >> band) & 1u)) continue;
      br.rows[static_cast<size_t>(br.n++)] =
          BandRow{c.all, c.any == 0 ? ~uint64_t{0} : c.any, uint32_t{1} << i};
    }
  }
  n_thresholds_ = static_cast<int>(thresholds_.size());
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    threshold_minutes_[i] = thresholds_[i].minutes;
    threshold_field_[i] = thresholds_[i].field;
    threshold_ge_[i] = thresholds_[i].ge ? 1 : 0;
  }
}

void RuleSet::BindCodes(const CodeTable& codes) {
  job_facts_.assign(codes.size(), 0);
  workplace_facts_.assign(codes.size(), 0);
  job_atom_mask_ = workplace_atom_mask_ = 0;
  for (size_t a = 0; a < code_atoms_.size(); ++a) {
    const CodeAtom& atom = code_atoms_[a];
    const uint64_t bit = uint64_t{1} << (48 + a);
    (atom.workplace ? workplace_atom_mask_ : job_atom_mask_) |= bit;
    for (size_t i = 1; i < codes.size(); ++i) {
      const std::string& fam = codes.entry(static_cast<uint16_t>(i)).family;
      bool member = false;
      for (const std::string& f : atom.families) member = member || f == fam;
      if (member != atom.negated) (atom.workplace ? workplace_facts_ : job_facts_)[i] |= bit;
    }
  }
}

bool RuleSet::IsNight(uint16_t start, uint16_t end) const {
  if (start == kNoTime || end == kNoTime) return false;
  int s = start, e = end;
  if (e <= s) e += 1440;  // ends the next day
  const int ns = info_.night_start, ne = info_.night_end;
  // Night windows on a 3-day timeline around the work interval.
  for (int day = -1440; day <= 1440; day += 1440) {
    int ws = ns + day;
    int we = (ne <= ns ? ne + 1440 : ne) + day;
    if (s < we && ws < e) return true;
  }
  return false;
}

uint64_t RuleSet::Facts(const CompactActivity& a, uint64_t* unknown) const {
  uint64_t flags = a.flags;
  if (a.work_start != kNoTime && IsNight(a.work_start, a.work_end)) {
    flags |= uint64_t{1} << kFactNight;
  }
  uint64_t facts = flags | ((~flags & 0xFFFFu) << 16);
  const uint16_t values[3] = {a.minutes_day, a.minutes_week, a.chore_minutes_week};
  for (int i = 0; i < n_thresholds_; ++i) {
    // v >= m + 1 is v > m; v >= m is the inclusive form.
    const uint32_t v = values[threshold_field_[static_cast<size_t>(i)]];
    const uint32_t m = threshold_minutes_[static_cast<size_t>(i)] +
                       (threshold_ge_[static_cast<size_t>(i)] ? 0u : 1u);
    facts |= static_cast<uint64_t>(v >= m) << (32 + i);
  }
  uint64_t unk = 0;
  if (a.job < job_facts_.size() && a.job != 0) {
    facts |= job_facts_[a.job];
  } else {
    unk |= job_atom_mask_;
  }
  if (a.workplace < workplace_facts_.size() && a.workplace != 0) {
    facts |= workplace_facts_[a.workplace];
  } else {
    unk |= workplace_atom_mask_;
  }
  *unknown = unk;
  return facts;
}

void RuleSet::Evaluate(uint64_t facts, uint64_t unknown, int band, uint32_t* fired,
                       uint32_t* undetermined) const {
  uint32_t f = 0, u = 0;
  if (unknown == 0) {
    // Fast path (every code known): two-valued logic over the rows of this band.
    const BandRows& br = band_rows_[static_cast<size_t>(band)];
    for (int i = 0; i < br.n; ++i) {
      const BandRow& r = br.rows[static_cast<size_t>(i)];
      // Branch-free: rows fire unpredictably, so a mispredicted branch costs more than the
      // arithmetic.
      const uint32_t all_hold = static_cast<uint32_t>((r.all & ~facts) == 0);
      const uint32_t any_holds = static_cast<uint32_t>((r.any & facts) != 0);
      f |= r.bit & (0u - (all_hold & any_holds));
    }
    *fired = f;
    *undetermined = 0;
    return;
  }
  const uint64_t known_false = ~facts & ~unknown;
  for (int i = 0; i < n_rows_; ++i) {
    const Compiled& c = compiled_[static_cast<size_t>(i)];
    const uint32_t in_band = (c.band_mask >> band) & 1u;
    const bool any_true = (c.any & facts) != 0;
    const bool all_false = (c.all & known_false) != 0;
    const bool any_false = c.any != 0 && (c.any & known_false) == c.any;
    const uint32_t possible = in_band & static_cast<uint32_t>(!all_false && !any_false);
    const bool unk = (c.all & unknown) != 0 || (c.any != 0 && !any_true && (c.any & unknown) != 0);
    f |= (possible & static_cast<uint32_t>(!unk)) << i;
    u |= (possible & static_cast<uint32_t>(unk)) << i;
  }
  *fired = f;
  *undetermined = u;
}

Outcome RuleSet::WorstSeverity(uint32_t mask) const {
  for (int s = static_cast<int>(Outcome::kWorstForm); s >= 1; --s) {
    if (mask & severity_rows_[static_cast<size_t>(s)]) return static_cast<Outcome>(s);
  }
  return Outcome::kNotChildLabour;
}

// ---------------------------------------------------------------------------------------------
// Hot path
// ---------------------------------------------------------------------------------------------

namespace {

inline int LegalBandIndex(int age) { return age < 13 ? 0 : (age < 15 ? 1 : 2); }
inline int StatBandIndex(int age) { return age < 5 ? 0 : (age <= 11 ? 1 : (age <= 14 ? 2 : 3)); }

}  // namespace

void ClassifyStatistical(const RuleSet& stat, const CompactActivity& a, int age,
                         bool legal_hazardous, bool legal_hazardous_unknown, CompactResult* r) {
  const int band = StatBandIndex(age);
  if (band == 0 || age >= 18) {
    r->economic = r->with_chores = r->hazardous = SdgStatus::kOutOfScope;
    r->stat_fired = r->stat_undetermined = 0;
    return;
  }
  uint64_t unknown = 0;
  uint64_t facts = stat.Facts(a, &unknown);
  constexpr uint64_t kHazBits =
      (uint64_t{1} << kFactLegalHazardous) | (uint64_t{1} << (kFactLegalHazardous + 16));
  facts &= ~kHazBits;
  if (legal_hazardous) {
    facts |= uint64_t{1} << kFactLegalHazardous;
  } else if (legal_hazardous_unknown) {
    unknown |= kHazBits;
  } else {
    facts |= uint64_t{1} << (kFactLegalHazardous + 16);
  }
  uint32_t fired = 0, undetermined = 0;
  stat.Evaluate(facts, unknown, band, &fired, &undetermined);
  r->stat_fired = fired;
  r->stat_undetermined = undetermined;
  auto status = [](uint32_t f, uint32_t u) {
    return f ? SdgStatus::kYes : (u ? SdgStatus::kUnknown : SdgStatus::kNo);
  };
  const uint32_t econ_rows = ~stat.chores_only_rows();
  r->economic = status(fired & econ_rows, undetermined & econ_rows);
  r->with_chores = status(fired, undetermined);
  const uint32_t haz_rows = stat.hazardous_rows() & econ_rows;
  r->hazardous = status(fired & haz_rows, undetermined & haz_rows);
}

CompactResult ClassifyAtAge(const RuleSet& legal, const RuleSet* stat, const CompactActivity& a,
                            int age) {
  CompactResult r;
  if (age >= 18) {
    r.error = CompactError::kAdult;
    return r;
  }
  r.age = static_cast<uint8_t>(age < 0 ? 0 : age);
  uint64_t unknown = 0;
  const uint64_t facts = legal.Facts(a, &unknown);
  legal.Evaluate(facts, unknown, LegalBandIndex(age), &r.fired, &r.undetermined);
  r.determined = legal.WorstSeverity(r.fired);
  r.potential = legal.WorstSeverity(r.undetermined);
  r.outcome = r.potential > r.determined ? Outcome::kUnknownCode : r.determined;
  if (stat != nullptr) {
    ClassifyStatistical(*stat, a, age, (r.fired & legal.hazardous_rows()) != 0,
                        (r.undetermined & legal.hazardous_rows()) != 0, &r);
  }
  return r;
}

CompactResult ClassifyCompact(const RuleSet& legal, const RuleSet* stat, const CompactActivity& a) {
  if (a.date_ymd < a.birth_ymd) {
    CompactResult r;
    r.error = CompactError::kBeforeBirth;
    return r;
  }
  return ClassifyAtAge(legal, stat, a, AgeYmd(a.birth_ymd, a.date_ymd));
}

}  // namespace treem::rules
