// The classification engine: code lists, rule sets compiled from data/rules/*.csv, and the hot
// path that classifies a compact activity without allocating.
//
// Rule rows are data (see docs/rules.md for the atom vocabulary). Each row has age bands, a
// conjunction `all` and a disjunction `any` of atoms over a 64-bit fact word:
//   bits  0..15  input flags (work, employer, worst_form, overtime, night, ...)
//   bits 16..31  their negations
//   bits 32..47  hour thresholds of the rule set (hours_day>4, hours_week>=14, ...)
//   bits 48..63  code-set atoms of the rule set (job:TT09-A2, workplace!ART147-2, ...)
// Code-set atoms are looked up per code index in small dense tables; an unknown code makes
// its atoms unknown, and rows are evaluated in three-valued (Kleene) logic, so a row that
// depends on an unknown code is reported as undetermined (UNKNOWN_CODE), never guessed.
#ifndef TREEM_LIB_RULES_ENGINE_H_
#define TREEM_LIB_RULES_ENGINE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/date.h"

namespace treem::rules {

// Same ordinals as schema ClassificationOutcome.
enum class Outcome : uint8_t {
  kNotChildLabour = 0,
  kPermittedWithViolations = 1,
  kChildLabour = 2,
  kHazardous = 3,
  kWorstForm = 4,
  kUnknownCode = 5,
};
const char* OutcomeName(Outcome o);  // "NOT_CHILD_LABOUR", ...

// Same ordinals as schema SdgStatus.
enum class SdgStatus : uint8_t { kNo = 0, kYes = 1, kUnknown = 2, kOutOfScope = 3 };
const char* SdgStatusName(SdgStatus s);  // "NO", "YES", "UNKNOWN", "OUT_OF_SCOPE"

// Same ordinals as schema Confidence.
enum class Confidence : uint8_t { kConfirmed = 0, kSecondary = 1, kUnconfirmed = 2 };
absl::StatusOr<Confidence> ParseConfidence(std::string_view s, std::string_view field);

// Same ordinals as schema RuleSetKind.
enum class RuleSetKind : uint8_t { kLegal = 0, kStatistical = 1 };

// Input flags (bit positions in CompactActivity::flags and in the fact word).
enum FactBit : uint8_t {
  kFactWork = 0,          // the activity includes economic work (hours or a job code)
  kFactEmployer = 1,      // an establishment other than the own family
  kFactWorstForm = 2,     // any worst-form flag
  kFactOvertime = 3,      //
  kFactNight = 4,         // reported night work (times are checked by the rule set too)
  kFactSchool = 5,        // during school hours
  kFactConsent = 6,       // parent consent
  kFactContract = 7,      // written contract
  kFactRepCosigned = 8,   // representative co-signed / consented
  kFactHealthCert = 9,    // health certificate
  kFactHealthCheck = 10,  // 6-monthly check
  kFactRegister = 11,     // register kept
  kFactApproval = 12,     // provincial approval for under-13
  kFactHazardousConditions = 13,
  kFactHazardousChores = 14,
  kFactLegalHazardous = 15,  // derived: a hazardous legal row fired (statistical rules only)
  kNumFlagFacts = 16,
};
// Atom names of the flags, indexed by FactBit ("work", "employer", ...).
const char* FactName(int bit);

// Packs a date as (year << 9) | (month << 5) | day: order-preserving, cheap to unpack.
inline uint32_t PackYmd(int y, int m, int d) {
  return (static_cast<uint32_t>(y) << 9) | (static_cast<uint32_t>(m) << 5) |
         static_cast<uint32_t>(d);
}
uint32_t PackYmd(core::Date d);
// Age in completed years (Civil Code 2015 Arts 147-148; 29 February births are N on
// 28 February of a common year). Requires on >= birth.
int AgeYmd(uint32_t birth, uint32_t on);

inline constexpr uint16_t kNoTime = 0xFFFF;

// The compact, plain input of the hot path (28 bytes).
struct CompactActivity {
  uint32_t birth_ymd = 0;           // PackYmd of the recorded birth date
  uint32_t date_ymd = 0;            // PackYmd of the activity date
  uint16_t job = 0;                 // CodeTable index; 0 = unknown code
  uint16_t workplace = 0;           // CodeTable index; 0 = unknown code
  uint16_t minutes_day = 0;         // hours per day x 60, rounded
  uint16_t minutes_week = 0;        // hours per week x 60, rounded
  uint16_t chore_minutes_week = 0;  // chore hours per week x 60, rounded
  uint16_t work_start = kNoTime;    // minutes after midnight, or kNoTime
  uint16_t work_end = kNoTime;      // minutes after midnight, or kNoTime
  uint16_t flags = 0;               // bit FactBit set when the fact holds
};

// Errors the hot path can meet (the explained path turns them into statuses).
enum class CompactError : uint8_t { kNone = 0, kBeforeBirth = 1, kAdult = 2 };

struct CompactResult {
  uint32_t fired = 0;         // legal rows that fired (bit i = row i of the legal rule set)
  uint32_t undetermined = 0;  // legal rows depending on an unknown code
  uint32_t stat_fired = 0;    // statistical rows that fired
  uint32_t stat_undetermined = 0;
  uint8_t age = 0;
  Outcome outcome = Outcome::kNotChildLabour;  // kUnknownCode when undetermined rows could be worse
  Outcome determined = Outcome::kNotChildLabour;  // from fired rows only
  Outcome potential = Outcome::kNotChildLabour;   // worst severity among undetermined rows
  SdgStatus economic = SdgStatus::kNo;
  SdgStatus with_chores = SdgStatus::kNo;
  SdgStatus hazardous = SdgStatus::kNo;
  CompactError error = CompactError::kNone;
};

struct CodeEntry {
  std::string code;
  std::string family;  // code up to its last '-', or the whole code
  std::string name_vi;
  std::string name_en;
  std::string source;
  Confidence confidence = Confidence::kUnconfirmed;
};
std::string FamilyOf(std::string_view code);

// All known job and workplace codes; index 0 is reserved for "unknown".
class CodeTable {
 public:
  CodeTable();
  uint16_t Find(std::string_view code) const;  // 0 when unknown
  const CodeEntry& entry(uint16_t index) const { return entries_[index]; }
  size_t size() const { return entries_.size(); }
  // Adds or (when `replace`) replaces an entry. Fails when the table is full.
  absl::Status Put(CodeEntry e, bool replace);

 private:
  std::vector<CodeEntry> entries_;
  absl::flat_hash_map<std::string, uint16_t> index_;
};

struct RuleRow {
  std::string row;   // "5", "S2"
  std::string code;  // "EXCESS_HOURS_U15"
  std::string bands_text, all_text, any_text;
  uint8_t band_mask = 0;            // bit per LegalBand (legal) or StatBand (statistical)
  bool chores_series_only = false;  // statistical: counts only in the with-chores series
  Outcome severity = Outcome::kChildLabour;
  bool fine_known = false;
  int64_t fine_min_vnd = 0, fine_max_vnd = 0;
  std::string instrument, article, explanation;
  Confidence confidence = Confidence::kUnconfirmed;
};

struct RuleSetInfo {
  std::string id, version, name, instrument, article, note;
  RuleSetKind kind = RuleSetKind::kLegal;
  Confidence confidence = Confidence::kUnconfirmed;
  core::Date effective_from;
  core::Date effective_to;  // not_a_date_time = open
  uint32_t from_ymd = 0, to_ymd = 0xFFFFFFFF;
  uint16_t night_start = 22 * 60, night_end = 6 * 60;
};

// A rule set compiled for the hot path.
class RuleSet {
 public:
  static constexpr int kMaxRows = 32;
  static constexpr int kMaxThresholds = 16;
  static constexpr int kMaxCodeAtoms = 16;

  // Parses the rule rows; `known_families` collects the code families the atoms name.
  static absl::StatusOr<std::unique_ptr<RuleSet>> Parse(RuleSetInfo info, std::string_view csv,
                                                        std::string_view what);
  // (Re)builds the dense code tables; call after the code table changes.
  void BindCodes(const CodeTable& codes);

  const RuleSetInfo& info() const { return info_; }
  const std::vector<RuleRow>& rows() const { return rows_; }
  const std::vector<std::string>& families() const { return families_; }

  // Hot path pieces.
  uint64_t Facts(const CompactActivity& a, uint64_t* unknown) const;
  void Evaluate(uint64_t facts, uint64_t unknown, int band, uint32_t* fired,
                uint32_t* undetermined) const;
  Outcome WorstSeverity(uint32_t mask) const;
  uint32_t hazardous_rows() const { return hazardous_rows_; }
  uint32_t chores_only_rows() const { return chores_only_rows_; }
  bool IsNight(uint16_t start, uint16_t end) const;
  // Builds the band-partitioned rows and threshold arrays (called by Parse).
  void Finish();

 private:
  struct Compiled {
    uint64_t all = 0, any = 0;
    uint8_t band_mask = 0;
  };
  // Rows of one age band for the fast path: `any` is all ones when the row has no disjunction.
  struct BandRow {
    uint64_t all = 0, any = 0;
    uint32_t bit = 0;
  };
  struct BandRows {
    std::array<BandRow, kMaxRows> rows{};
    int n = 0;
  };
  struct Threshold {
    uint8_t field = 0;  // 0 = minutes_day, 1 = minutes_week, 2 = chore_minutes_week
    bool ge = false;    // >= instead of >
    uint16_t minutes = 0;
    std::string text;
  };
  struct CodeAtom {
    bool workplace = false;
    bool negated = false;
    std::vector<std::string> families;
    std::string text;
  };
  absl::Status CompileAtom(std::string_view atom, uint64_t* mask, std::string_view where);

  RuleSetInfo info_;
  std::vector<RuleRow> rows_;
  std::array<Compiled, kMaxRows> compiled_{};
  std::array<BandRows, 4> band_rows_{};
  int n_rows_ = 0;
  std::array<uint32_t, 6> severity_rows_{};  // rows per Outcome value
  uint32_t hazardous_rows_ = 0;
  uint32_t chores_only_rows_ = 0;
  std::vector<Threshold> thresholds_;
  std::array<uint16_t, kMaxThresholds> threshold_minutes_{};
  std::array<uint8_t, kMaxThresholds> threshold_field_{};
  std::array<uint8_t, kMaxThresholds> threshold_ge_{};
  int n_thresholds_ = 0;
  std::vector<CodeAtom> code_atoms_;
  std::vector<std::string> families_;
  std::vector<uint64_t> job_facts_, workplace_facts_;
  uint64_t job_atom_mask_ = 0, workplace_atom_mask_ = 0;
};

// Legal then statistical classification of one compact activity at a given age (used for the
// age from the recorded birth date, and for the youngest/oldest ages of an estimated birth).
// `stat` may be null. No allocation.
CompactResult ClassifyAtAge(const RuleSet& legal, const RuleSet* stat, const CompactActivity& a,
                            int age);
// The hot path: computes the age from the packed dates, then ClassifyAtAge.
CompactResult ClassifyCompact(const RuleSet& legal, const RuleSet* stat, const CompactActivity& a);
// The statistical part alone, with the legal hazard flag given (true / unknown).
void ClassifyStatistical(const RuleSet& stat, const CompactActivity& a, int age,
                         bool legal_hazardous, bool legal_hazardous_unknown, CompactResult* r);

}  // namespace treem::rules

#endif  // TREEM_LIB_RULES_ENGINE_H_
