#include "indicators/compute.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "capnp/schema.h"
#include "cases/deadline_rules.h"
#include "core/ids.h"
#include "indicators/columns.h"
#include "indicators/plan.h"
#include "internal/embedded.h"
#include "internal/huge_pages.h"
#include "internal/status_macros.h"
#include "rules/classify.h"
#include "rules/csv.h"
#include "rules/engine.h"

namespace treem::indicators {
namespace {

using internal::Sv;
namespace s = schema;
using DD = s::DisaggregationDimension;

// Cells: sex (3) x band (6: under5, 5-11, 12-14, 15-17, adult, unknown) x extra value.
constexpr int kSexes = 3;
constexpr int kBands = 6;
constexpr int kBandUnknown = 5;
constexpr int kBaseCells = kSexes * kBands;

int ExtraValues(DD d) {
  switch (d) {
    case DD::ETHNICITY:
      return 56;
    case DD::ETHNIC_MINORITY:
      return 3;  // 0 unknown, 1 Kinh, 2 minority
    case DD::POVERTY:
      return 5;
    case DD::RESIDENCE:
      return 3;
    default:
      return 1;
  }
}

// rules::AgeYmd, inlined (called once per person and report): completed years of a packed
// birth date on a packed day, 29 February birthdays on 28 February in common years.
inline int AgeOn(uint32_t birth, uint32_t on) {
  const int by = static_cast<int>(birth >> 9), bm = (birth >> 5) & 15, bd = birth & 31;
  const int y = static_cast<int>(on >> 9), m = (on >> 5) & 15, d = on & 31;
  int age = y - by;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int bday = (bm == 2 && bd == 29 && !leap) ? 28 : bd;
  if (m < bm || (m == bm && d < bday)) --age;
  return age;
}

// core::StatBandFor, inlined (called once per person and report).
int BandOf(int age) {
  if (age < 0) return kBandUnknown;
  if (age < 5) return static_cast<int>(core::StatBand::kUnder5);
  if (age <= 11) return static_cast<int>(core::StatBand::k5To11);
  if (age <= 14) return static_cast<int>(core::StatBand::k12To14);
  if (age <= 17) return static_cast<int>(core::StatBand::k15To17);
  return static_cast<int>(core::StatBand::kAdult);
}

enum class Sel : uint8_t {
  kChildren,
  kChildLabour,
  kHazardous,
  kSdgEconomic,
  kChildrenInformed,
  kCasesP2,
  kCasesP2InTime,
  kAtRisk,
  kAtRiskInEducation,
  kEduStaff,
  kEduStaffInformed,
  kParents,
  kParentsInformed,
  kEmployers,
  kEmployersInformed,
  kEmployersTrained,
  kOfficials,
  kOfficialsTrained,
  kOfficialsProvince,
  kOfficialsProvinceTrained,
  kOfficialsCommune,
  kOfficialsCommuneTrained,
  kCasesOpened,
  kCasesClosed,
  kCasesOverdue,
  kReferrals,
  kReferralsByStatus,
  kReferralsOverdue,
  kReferralsByService,
  kFollowUpCases,
  kFollowUpVisited,
  kInspections,
  kInspectionsWithViolations,
  kViolations,
  kSanctions,
  kSanctionsParents,
  kCriminalReferrals,
  kFines,
  kCommitmentsInForce,
  kCommitmentsBreached,
  kHeadcount,
  kSpending,
  kSpendingBySource,
  kSpendingByKind,
};

struct SelectorSpec {
  Sel sel;
  int param = -1;  // enumerant ordinal for parameterised selectors (-1 = all)
};

template <typename E>
absl::StatusOr<int> EnumerantOrdinal(std::string_view name, std::string_view selector) {
  auto schema = capnp::Schema::from<E>();
  KJ_IF_MAYBE (e, schema.findEnumerantByName(kj::StringPtr(std::string(name).c_str()))) {
    return static_cast<int>(e->getOrdinal());
  }
  return absl::InvalidArgumentError(
      absl::StrCat("selector ", Sv(selector), ": unknown parameter \"", Sv(name), "\""));
}

absl::StatusOr<SelectorSpec> ParseSelector(std::string_view text) {
  static const auto* plain = new absl::flat_hash_map<std::string, Sel>{
      {"CHILDREN_5_17", Sel::kChildren},
      {"CHILDREN_5_17_CHILD_LABOUR", Sel::kChildLabour},
      {"CHILDREN_5_17_HAZARDOUS", Sel::kHazardous},
      {"CHILDREN_5_17_SDG_ECONOMIC", Sel::kSdgEconomic},
      {"CHILDREN_5_17_INFORMED", Sel::kChildrenInformed},
      {"CASES_P2", Sel::kCasesP2},
      {"CASES_P2_IN_TIME", Sel::kCasesP2InTime},
      {"AT_RISK_OR_CL", Sel::kAtRisk},
      {"AT_RISK_OR_CL_IN_EDUCATION", Sel::kAtRiskInEducation},
      {"EDUCATION_STAFF", Sel::kEduStaff},
      {"EDUCATION_STAFF_INFORMED", Sel::kEduStaffInformed},
      {"PARENTS_CARERS", Sel::kParents},
      {"PARENTS_CARERS_INFORMED", Sel::kParentsInformed},
      {"EMPLOYERS", Sel::kEmployers},
      {"EMPLOYERS_INFORMED", Sel::kEmployersInformed},
      {"EMPLOYERS_TRAINED", Sel::kEmployersTrained},
      {"OFFICIALS", Sel::kOfficials},
      {"OFFICIALS_TRAINED", Sel::kOfficialsTrained},
      {"OFFICIALS_PROVINCE", Sel::kOfficialsProvince},
      {"OFFICIALS_PROVINCE_TRAINED", Sel::kOfficialsProvinceTrained},
      {"OFFICIALS_COMMUNE", Sel::kOfficialsCommune},
      {"OFFICIALS_COMMUNE_TRAINED", Sel::kOfficialsCommuneTrained},
      {"CASES_OPENED", Sel::kCasesOpened},
      {"CASES_CLOSED", Sel::kCasesClosed},
      {"CASES_OVERDUE", Sel::kCasesOverdue},
      {"REFERRALS", Sel::kReferrals},
      {"REFERRALS_OVERDUE", Sel::kReferralsOverdue},
      {"FOLLOWUP_CASES", Sel::kFollowUpCases},
      {"FOLLOWUP_VISITED", Sel::kFollowUpVisited},
      {"INSPECTIONS", Sel::kInspections},
      {"INSPECTIONS_WITH_VIOLATIONS", Sel::kInspectionsWithViolations},
      {"VIOLATIONS", Sel::kViolations},
      {"SANCTIONS", Sel::kSanctions},
      {"SANCTIONS_PARENTS", Sel::kSanctionsParents},
      {"CRIMINAL_REFERRALS", Sel::kCriminalReferrals},
      {"FINES_VND", Sel::kFines},
      {"COMMITMENTS_IN_FORCE", Sel::kCommitmentsInForce},
      {"COMMITMENTS_BREACHED", Sel::kCommitmentsBreached},
      {"REACH_HEADCOUNT", Sel::kHeadcount},
      {"SPENDING", Sel::kSpending}};
  auto it = plain->find(std::string(text));
  if (it != plain->end()) return SelectorSpec{it->second};
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view head = text.substr(0, colon), arg = text.substr(colon + 1);
    if (head == "CASES_OVERDUE") {
      TREEM_ASSIGN_OR_RETURN(int o, EnumerantOrdinal<s::DeadlineKind>(arg, text));
      return SelectorSpec{Sel::kCasesOverdue, o};
    }
    if (head == "REFERRALS") {
      TREEM_ASSIGN_OR_RETURN(int o, EnumerantOrdinal<s::ReferralStatus>(arg, text));
      return SelectorSpec{Sel::kReferralsByStatus, o};
    }
    if (head == "REFERRALS_SERVICE") {
      TREEM_ASSIGN_OR_RETURN(int o, EnumerantOrdinal<s::ServiceType>(arg, text));
      return SelectorSpec{Sel::kReferralsByService, o};
    }
    if (head == "SPENDING_SOURCE") {
      TREEM_ASSIGN_OR_RETURN(int o, EnumerantOrdinal<s::FundingSource>(arg, text));
      return SelectorSpec{Sel::kSpendingBySource, o};
    }
    if (head == "SPENDING_KIND") {
      static constexpr std::string_view kKinds[] = {"communication", "training", "inspection",
                                                    "caseServices"};
      for (int i = 0; i < 4; ++i)
        if (arg == kKinds[i]) return SelectorSpec{Sel::kSpendingByKind, i};
      return absl::InvalidArgumentError(
          absl::StrCat("selector ", Sv(text), ": unknown parameter \"", Sv(arg), "\""));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("selector: unknown \"", Sv(text), "\""));
}

// Integer counters per unit key and cell, with the counted record ids on request.
struct Counter {
  int cells = kBaseCells;
  std::vector<int64_t> v;
  std::vector<std::pair<uint32_t, core::Uuid>> ids;  // (key, record id)
};

bool InPeriod(uint32_t day, uint32_t start, uint32_t end) { return day >= start && day <= end; }

// The report rows a unit key counts in, numbered as small groups: counters are kept per group
// and cell, not per key (a country has ~100k village keys but a report a few dozen rows), so
// they stay in the L1 cache and a report faults in no fresh pages for them.
struct KeyGroups {
  std::vector<uint32_t> of_key;   // per unit key: its group
  std::vector<uint8_t> in_total;  // per group: counted in the report unit's total
  std::vector<uint32_t> sub_row;  // per group: breakdown row, or kNone
  size_t size() const { return in_total.size(); }
};

// Buffers of earlier reports over the same dataset, kept (in its KeyResolutionCache) so that a
// report does not fault in hundreds of megabytes of fresh pages at national scale.
struct ScratchPool {
  std::mutex mu;
  std::vector<std::vector<int64_t>> i64;
  std::vector<std::vector<uint8_t>> u8;
  std::vector<std::vector<int16_t>> i16;
};

// A zeroed vector of n elements, from `list` when it holds one (the smallest buffer large
// enough, else the largest).
template <typename T>
std::vector<T> TakeScratch(ScratchPool* pool, std::vector<std::vector<T>> ScratchPool::*list,
                           size_t n) {
  std::vector<T> v;
  if (pool != nullptr) {
    std::lock_guard<std::mutex> lock(pool->mu);
    auto& l = pool->*list;
    size_t best = l.size();
    for (size_t i = 0; i < l.size(); ++i) {
      const size_t cap = l[i].capacity();
      if (best == l.size()) {
        best = i;
        continue;
      }
      const size_t bc = l[best].capacity();
      if ((cap >= n && (bc < n || cap < bc)) || (bc < n && cap > bc)) best = i;
    }
    if (best < l.size()) {
      v = std::move(l[best]);
      l.erase(l.begin() + static_cast<std::ptrdiff_t>(best));
    }
  }
  internal::AssignAdvised(v, n, T{});
  return v;
}
template <typename T>
void GiveScratch(ScratchPool* pool, std::vector<std::vector<T>> ScratchPool::*list,
                 std::vector<T>&& v) {
  if (pool == nullptr || v.capacity() == 0) return;
  std::lock_guard<std::mutex> lock(pool->mu);
  auto& l = pool->*list;
  if (l.size() < 96) l.push_back(std::move(v));
}

class Engine {
 public:
  Engine(const Dataset& d, const Period& p, bool provenance, const KeyGroups& groups,
         ScratchPool* pool = nullptr)
      : d_(d),
        groups_(groups),
        group_of_(groups.of_key.data()),
        provenance_(provenance),
        pool_(pool) {
    start_ = rules::PackYmd(p.start);
    end_ = rules::PackYmd(p.end);
    ms_ = cases::StartOfLocalDay(p.start);
    me_ = cases::EndOfLocalDay(p.end);
  }
  ~Engine() {
    if (pool_ == nullptr) return;
    for (auto& [key, c] : cache_) GiveScratch(pool_, &ScratchPool::i64, std::move(c.v));
    for (auto* v : {&flags_, &org_reached_}) GiveScratch(pool_, &ScratchPool::u8, std::move(*v));
    for (auto& [key, v] : child_cells_) GiveScratch(pool_, &ScratchPool::i16, std::move(v));
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // `cells`: false when only totals are wanted (one counter per key group).
  absl::StatusOr<const Counter*> Get(const std::string& selector, s::AgeReference ref, DD extra,
                                     bool cells = true) {
    const std::string cache_key = CacheKey(selector, ref, extra, cells);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return &it->second;
    TREEM_ASSIGN_OR_RETURN(SelectorSpec spec, ParseSelector(selector));
    Counter c;
    // Records that are not persons (establishments, inspections, amounts) have one cell only.
    const bool person_cells = spec.sel <= Sel::kCasesOverdue ||
                              (spec.sel >= Sel::kReferrals && spec.sel <= Sel::kFollowUpVisited);
    const bool establishments = spec.sel == Sel::kEmployers ||
                                spec.sel == Sel::kEmployersInformed ||
                                spec.sel == Sel::kEmployersTrained;
    c.cells = cells && person_cells && !establishments ? kBaseCells * ExtraValues(extra) : 1;
    ref_ = ref == s::AgeReference::PERIOD_START ? start_ : end_;
    extra_ = extra;
    const bool fused = !provenance_ && (ChildNeed(spec.sel) >= 0 || RoleIndex(spec.sel) >= 0);
    if (fused && !cells) {
      // Totals: the cells counter summed (one scan of the persons serves both).
      TREEM_ASSIGN_OR_RETURN(const Counter* full, Get(selector, ref, extra, true));
      const size_t fc = static_cast<size_t>(full->cells);
      c.v = TakeScratch(pool_, &ScratchPool::i64, groups_.size());
      for (size_t g = 0; g < groups_.size(); ++g)
        for (size_t j = 0; j < fc; ++j) c.v[g] += full->v[g * fc + j];
      return &cache_.emplace(cache_key, std::move(c)).first->second;
    }
    if (fused) {
      // Every child and role selector the report asks for, in one pass over the persons
      // (docs/indicators.md).
      FusedPersonScan(ref, extra, c.cells);
      it = cache_.find(cache_key);
      if (it != cache_.end()) return &it->second;
    }
    c.v = TakeScratch(pool_, &ScratchPool::i64, groups_.size() * static_cast<size_t>(c.cells));
    Run(spec, c);
    return &cache_.emplace(cache_key, std::move(c)).first->second;
  }

  // Tells the engine which selectors the report will ask for (so that one pass over the
  // children counts all the child selectors among them).
  void Want(const std::string& selector) {
    auto spec = ParseSelector(selector);
    if (!spec.ok()) return;
    const int need = ChildNeed(spec->sel);
    if (need >= 0) {
      child_needs_ |= static_cast<uint8_t>(1u << need);
      child_selector_[static_cast<size_t>(need)] = selector;
    }
    const int role = RoleIndex(spec->sel);
    if (role >= 0) {
      role_needs_ |= static_cast<uint16_t>(1u << role);
      role_selector_[static_cast<size_t>(role)] = selector;
    }
  }

 private:
  static std::string CacheKey(const std::string& selector, s::AgeReference ref, DD extra,
                              bool cells) {
    return absl::StrCat(selector, "|", static_cast<int>(ref), "|", static_cast<int>(extra),
                        cells ? "|c" : "|t");
  }

  // The `need` of PersonScan for the selectors over children 5-17 (role_mask 0), or -1.
  static int ChildNeed(Sel sel) {
    switch (sel) {
      case Sel::kChildren:
        return 0;
      case Sel::kChildrenInformed:
        return 1;
      case Sel::kChildLabour:
        return 3;
      case Sel::kHazardous:
        return 4;
      case Sel::kSdgEconomic:
        return 5;
      case Sel::kAtRisk:
        return 6;
      case Sel::kAtRiskInEducation:
        return 7;
      default:
        return -1;
    }
  }
  // Per person flags for the period (Flags()).
  enum FlagBit : uint8_t {
    kFChildLabour = 1 << 0,  // an activity in the period classified child labour or worse
    kFHazardous = 1 << 1,    // ... hazardous or a worst form
    kFSdgEconomic = 1 << 2,  // ... in the SDG 8.7.1 economic series
    kFReached = 1 << 3,      // reached by communication or training in the period
    kFTrained = 1 << 4,      // ... by training
    kFRisk = 1 << 5,         // latest screen medium/high, or an open protection case
    kFEduReferral = 1 << 6,  // an education referral in progress or completed at the end
  };
  static_assert(kFReached == 1 << 3 && kFTrained == 1 << 4, "FusedPersonScan's reach_hit");
  // Flag groups, built on demand.
  static constexpr uint8_t kLabourFlags = kFChildLabour | kFHazardous | kFSdgEconomic;
  static constexpr uint8_t kReachFlags = kFReached | kFTrained;
  static constexpr uint8_t kRiskFlags = kFRisk | kFEduReferral;

  // bit0: at risk or in child labour in the period (the P3 population); bit1: that and access
  // to education (school, or an education referral).
  static unsigned RiskOf(uint8_t f, uint8_t school) {
    const unsigned risk = (f & (kFChildLabour | kFRisk)) != 0 ? 1u : 0u;
    const bool enrolled = school == static_cast<uint8_t>(s::SchoolAttendance::ENROLLED) ||
                          school == static_cast<uint8_t>(s::SchoolAttendance::IRREGULAR);
    const unsigned edu = risk != 0 && ((f & kFEduReferral) != 0 || enrolled) ? 2u : 0u;
    return risk | edu;
  }
  // Whether person p counts for a PersonScan `need` (0 none, 1 reached, 2 trained, 3 child
  // labour, 4 hazardous, 5 SDG economic, 6 P3 population, 7 P3 with education).
  bool Has(uint32_t p, int need) {
    switch (need) {
      case 1:
        return (Flags(kReachFlags)[p] & kFReached) != 0;
      case 2:
        return (Flags(kReachFlags)[p] & kFTrained) != 0;
      case 3:
        return (Flags(kLabourFlags)[p] & kFChildLabour) != 0;
      case 4:
        return (Flags(kLabourFlags)[p] & kFHazardous) != 0;
      case 5:
        return (Flags(kLabourFlags)[p] & kFSdgEconomic) != 0;
      case 6:
        return (RiskOf(Flags(kLabourFlags | kRiskFlags)[p], d_.p_school[p]) & 1u) != 0;
      case 7:
        return RiskOf(Flags(kLabourFlags | kRiskFlags)[p], d_.p_school[p]) == 3u;
      default:
        return true;
    }
  }

  // Selectors over role holders (PersonScan with a role mask), in RoleIndex order: mask, flag
  // required (0 none, kFReached reached by communication or training, kFTrained trained).
  struct RoleSelector {
    uint8_t mask, bit;
  };
  static constexpr uint8_t kOfficials =
      kRoleCommuneOfficial | kRoleDistrictOfficial | kRoleProvincialOfficial;
  static constexpr uint8_t kProvOfficials = kRoleDistrictOfficial | kRoleProvincialOfficial;
  static constexpr RoleSelector kRoleSelectors[] = {
      {kRoleEducationStaff, 0},  {kRoleEducationStaff, kFReached},
      {kRoleParentCarer, 0},     {kRoleParentCarer, kFReached},
      {kOfficials, 0},           {kOfficials, kFTrained},
      {kProvOfficials, 0},       {kProvOfficials, kFTrained},
      {kRoleCommuneOfficial, 0}, {kRoleCommuneOfficial, kFTrained},
  };
  // Index into kRoleSelectors, or -1.
  static int RoleIndex(Sel sel) {
    switch (sel) {
      case Sel::kEduStaff:
        return 0;
      case Sel::kEduStaffInformed:
        return 1;
      case Sel::kParents:
        return 2;
      case Sel::kParentsInformed:
        return 3;
      case Sel::kOfficials:
        return 4;
      case Sel::kOfficialsTrained:
        return 5;
      case Sel::kOfficialsProvince:
        return 6;
      case Sel::kOfficialsProvinceTrained:
        return 7;
      case Sel::kOfficialsCommune:
        return 8;
      case Sel::kOfficialsCommuneTrained:
        return 9;
      default:
        return -1;
    }
  }

  // Counts every wanted child selector (child_needs_) and role selector (role_needs_) for one
  // (age reference, extra dimension, cells) in a single pass over the persons, and caches them
  // as Get would. Same counts as PersonScan selector by selector (tests compare both paths).
  // At national scale the pass is bound by memory traffic (32 M persons, ~14 bytes each), so
  // everything a report counts over persons is counted here at once.
  void FusedPersonScan(s::AgeReference ref, DD extra, int stride) {
    const uint8_t needs = child_needs_;
    constexpr size_t kRoles = std::size(kRoleSelectors);
    uint8_t groups = 0;
    if (needs & ((1u << 3) | (1u << 4) | (1u << 5))) groups |= kLabourFlags;
    if (needs & (1u << 1)) groups |= kReachFlags;
    if (needs & ((1u << 6) | (1u << 7))) groups |= kLabourFlags | kRiskFlags;
    std::array<uint8_t, kRoles> mask{}, bit{};
    std::array<int64_t*, kRoles> role_out{};
    std::array<std::vector<int64_t>, kRoles> role_v;
    size_t roles_wanted = 0;
    const size_t size = groups_.size() * static_cast<size_t>(stride);
    for (size_t i = 0; i < kRoles; ++i) {
      if (!(role_needs_ & (1u << i))) continue;
      role_v[i] = TakeScratch(pool_, &ScratchPool::i64, size);
      role_out[roles_wanted] = role_v[i].data();
      mask[roles_wanted] = kRoleSelectors[i].mask;
      bit[roles_wanted] = kRoleSelectors[i].bit;
      if (kRoleSelectors[i].bit != 0) groups |= kReachFlags;
      ++roles_wanted;
    }
    const uint8_t* flags = groups != 0 ? Flags(groups).data() : nullptr;
    std::array<std::vector<int64_t>, 8> v;
    for (int need = 0; need < 8; ++need)
      if (needs & (1u << need)) v[need] = TakeScratch(pool_, &ScratchPool::i64, size);
    // Counters are added to without branches (which counter a person adds to is not
    // predictable); counts nobody asked for go to a sink.
    std::vector<int64_t> sink = TakeScratch(pool_, &ScratchPool::i64, size);
    std::array<int64_t*, 8> cv;
    for (int need = 0; need < 8; ++need) cv[need] = v[need].empty() ? sink.data() : v[need].data();
    // Per role byte: the wanted role selectors it holds (bit j); per reach bits (kFReached,
    // kFTrained as bits 0, 1): the wanted selectors they satisfy.
    std::array<uint16_t, 256> role_hit{};
    std::array<uint16_t, 4> reach_hit{};
    for (size_t j = 0; j < roles_wanted; ++j) {
      for (unsigned rb = 0; rb < 256; ++rb)
        if ((rb & mask[j]) != 0) role_hit[rb] |= static_cast<uint16_t>(1u << j);
      for (unsigned x = 0; x < 4; ++x)
        if (((x << 3) & bit[j]) == bit[j]) reach_hit[x] |= static_cast<uint16_t>(1u << j);
    }
    const bool children = needs != 0;
    const size_t n = d_.person_count();
    const uint32_t* keys = d_.p_key.data();
    const uint32_t* group = group_of_;
    const uint32_t* birth = d_.p_birth.data();
    const uint32_t* death = d_.p_death.data();
    const uint8_t* sex = d_.p_sex.data();
    const uint8_t* school = d_.p_school.data();
    const uint8_t* roles = roles_wanted > 0 ? d_.p_roles.data() : nullptr;
    const bool with_extra = extra_ != DD::UNKNOWN;
    const uint32_t ref_day = ref_;
    const size_t cell_stride = stride == 1 ? 0 : 1;
    for (size_t p = 0; p < n; ++p) {
      const uint8_t r = roles != nullptr ? roles[p] : 0;
      const uint32_t b = birth[p], dd = death[p];
      const int extra_value = with_extra ? ExtraOf(static_cast<uint32_t>(p)) : 0;
      const int c = children ? ChildCellOf(b, dd, sex[p], ref_day, extra_value) : -1;
      if (c < 0 && r == 0) continue;
      const size_t base = static_cast<size_t>(group[keys[p]]) * static_cast<size_t>(stride);
      const uint8_t f = flags != nullptr ? flags[p] : 0;
      if (c >= 0) {
        const size_t idx = base + cell_stride * static_cast<size_t>(c);
        ++cv[0][idx];
        cv[3][idx] += f & kFChildLabour;
        cv[4][idx] += (f & kFHazardous) >> 1;
        cv[5][idx] += (f & kFSdgEconomic) >> 2;
        cv[1][idx] += (f & kFReached) >> 3;
        if ((f & (kFChildLabour | kFRisk)) != 0) {
          const unsigned risk = RiskOf(f, school[p]);  // bit0 holds here
          ++cv[6][idx];
          cv[7][idx] += risk >> 1;
        }
      }
      if (r != 0 && (dd == 0 || dd > ref_day)) {
        // Role holders alive on the reference date, in their cell at any age (PersonCell).
        const int age = (b == 0 || b > ref_day) ? -1 : std::min(AgeOn(b, ref_day), 120);
        const size_t idx = base + cell_stride * static_cast<size_t>(std::min<int>(sex[p], 2) +
                                                                    kSexes * BandOf(age) +
                                                                    kBaseCells * extra_value);
        const unsigned hits = role_hit[r] & reach_hit[(f >> 3) & 3u];
        for (size_t j = 0; j < roles_wanted; ++j) role_out[j][idx] += (hits >> j) & 1u;
      }
    }
    GiveScratch(pool_, &ScratchPool::i64, std::move(sink));
    for (int need = 0; need < 8; ++need) {
      if (!(needs & (1u << need))) continue;
      Counter cnt;
      cnt.cells = stride;
      cnt.v = std::move(v[need]);
      cache_.emplace(CacheKey(child_selector_[static_cast<size_t>(need)], ref, extra, stride > 1),
                     std::move(cnt));
    }
    for (size_t i = 0; i < kRoles; ++i) {
      if (!(role_needs_ & (1u << i))) continue;
      Counter cnt;
      cnt.cells = stride;
      cnt.v = std::move(role_v[i]);
      cache_.emplace(CacheKey(role_selector_[i], ref, extra, stride > 1), std::move(cnt));
    }
  }

  // ---- derived per-period columns (built on first use) ----

  // The cell of a person aged 5-17 on `ref` (sex x band x extra value), or -1. Written without
  // unpredictable branches (children and adults alternate in the register).
  static int ChildCellOf(uint32_t b, uint32_t dd, uint8_t sex, uint32_t ref, int extra_value) {
    const int age = AgeOn(b, ref);
    const bool child = (b != 0) & (b <= ref) & ((dd == 0) | (dd > ref)) & (age >= 5) & (age <= 17);
    const int band = 1 + (age >= 12) + (age >= 15);
    const int cell = std::min<int>(sex, 2) + kSexes * band + kBaseCells * extra_value;
    return child ? cell : -1;
  }
  bool Alive(size_t p) const { return d_.p_death[p] == 0 || d_.p_death[p] > ref_; }

  // Per person: the cell of a child aged 5-17 on the reference date, or -1 (PersonScan).
  const std::vector<int16_t>& ChildCells() {
    auto& cells = child_cells_[{ref_, static_cast<int>(extra_)}];
    if (cells.empty() && d_.person_count() > 0) {
      cells = TakeScratch(pool_, &ScratchPool::i16, d_.person_count());
      const bool with_extra = extra_ != DD::UNKNOWN;
      for (size_t p = 0; p < cells.size(); ++p) {
        cells[p] =
            static_cast<int16_t>(ChildCellOf(d_.p_birth[p], d_.p_death[p], d_.p_sex[p], ref_,
                                             with_extra ? ExtraOf(static_cast<uint32_t>(p)) : 0));
      }
    }
    return cells;
  }
  // Persons with any role (a small share of the register).
  const std::vector<uint32_t>& RolePersons() {
    if (!roles_built_) {
      roles_built_ = true;
      // Branch-free compaction (role holders are spread among the persons).
      const size_t n = d_.p_roles.size();
      role_persons_.resize(n + 1);
      size_t k = 0;
      for (size_t p = 0; p < n; ++p) {
        role_persons_[k] = static_cast<uint32_t>(p);
        k += d_.p_roles[p] != 0;
      }
      role_persons_.resize(k);
      role_persons_.shrink_to_fit();
    }
    return role_persons_;
  }

  // Persons with a role in `mask` alive on the reference date, with their cell on it (built
  // once per mask, reference date and extra dimension).
  const std::vector<std::pair<uint32_t, int16_t>>& RoleHolders(uint8_t mask) {
    auto [it, inserted] = role_holders_.try_emplace({mask, ref_, static_cast<int>(extra_)});
    auto& out = it->second;
    if (!inserted) return out;
    for (uint32_t p : RolePersons()) {
      if ((d_.p_roles[p] & mask) == 0 || !Alive(p)) continue;
      const uint32_t b = d_.p_birth[p];
      const int age = (b == 0 || b > ref_) ? -1 : std::min(AgeOn(b, ref_), 120);
      out.emplace_back(p, static_cast<int16_t>(PersonCell(p, age)));
    }
    return out;
  }

  // Per person flags (FlagBit) for the period; `groups` (kLabourFlags, kReachFlags,
  // kRiskFlags) are filled on first use, all in one array (one pass of the persons reads one
  // byte each for every flag).
  const std::vector<uint8_t>& Flags(uint8_t groups) {
    if (flags_.empty()) flags_ = TakeScratch(pool_, &ScratchPool::u8, d_.person_count());
    const uint8_t missing = static_cast<uint8_t>(groups & ~flags_built_);
    if (missing & kLabourFlags) {
      for (size_t i = 0; i < d_.a_day.size(); ++i) {
        if (!InPeriod(d_.a_day[i], start_, end_)) continue;
        const uint8_t cls = d_.a_cls[i];
        const int outcome = cls & 7;
        uint8_t bits = 0;
        if (outcome >= static_cast<int>(rules::Outcome::kChildLabour)) bits |= kFChildLabour;
        if (outcome >= static_cast<int>(rules::Outcome::kHazardous)) bits |= kFHazardous;
        if (cls & kActSdgEconomic) bits |= kFSdgEconomic;
        flags_[d_.a_person[i]] |= bits;
      }
    }
    if (missing & kReachFlags) {
      for (size_t i = 0; i < d_.re_person.size(); ++i) {
        if (d_.re_from[i] > end_ || d_.re_to[i] < start_) continue;
        flags_[d_.re_person[i]] |= d_.re_kind[i] == 1 ? kFReached | kFTrained : kFReached;
      }
    }
    if (missing & kRiskFlags) FillRiskFlags();
    flags_built_ |= groups;
    return flags_;
  }
  const std::vector<uint8_t>& OrgReached() {
    if (org_reached_.empty()) {
      org_reached_ = TakeScratch(pool_, &ScratchPool::u8, d_.e_id.size());
      for (size_t i = 0; i < d_.ro_est.size(); ++i) {
        if (d_.ro_from[i] > end_ || d_.ro_to[i] < start_) continue;
        org_reached_[d_.ro_est[i]] |= static_cast<uint8_t>(d_.ro_kind[i] == 1 ? 3 : 1);
      }
    }
    return org_reached_;
  }
  int ReferralStatusAt(size_t r, int64_t t) const {
    if (d_.r_hbegin[r] == d_.r_hend[r]) return d_.r_status[r];
    int st = static_cast<int>(s::ReferralStatus::REQUESTED);
    for (uint32_t h = d_.r_hbegin[r]; h < d_.r_hend[r]; ++h) {
      if (d_.h_at[h] <= t) st = d_.h_status[h];
    }
    return st;
  }
  static bool ProtectionKind(uint8_t kind) {
    return kind == static_cast<uint8_t>(s::CaseKind::CHILD_LABOUR) ||
           kind == static_cast<uint8_t>(s::CaseKind::AT_RISK) ||
           kind == static_cast<uint8_t>(s::CaseKind::TRAFFICKING);
  }
  // kFRisk: the latest screen on or before the end of the period is medium or high, or a
  // protection case is open in the period; kFEduReferral: an education referral is in progress
  // or completed at the end of the period.
  void FillRiskFlags() {
    const size_t nk = d_.k_person.size();
    // Screens sorted by person then day (BuildDataset sorts them): the latest per person is the
    // last of its run on or before the end. Otherwise (a dataset built by hand), a map.
    bool sorted = true;
    for (size_t k = 1; k < nk && sorted; ++k) {
      sorted = d_.k_person[k - 1] < d_.k_person[k] ||
               (d_.k_person[k - 1] == d_.k_person[k] && d_.k_day[k - 1] <= d_.k_day[k]);
    }
    if (sorted) {
      for (size_t k = 0; k < nk; ++k) {
        if (d_.k_day[k] > end_) continue;
        const bool last =
            k + 1 == nk || d_.k_person[k + 1] != d_.k_person[k] || d_.k_day[k + 1] > end_;
        if (last && d_.k_level[k] >= 1) flags_[d_.k_person[k]] |= kFRisk;
      }
    } else {
      absl::flat_hash_map<uint32_t, std::pair<uint32_t, uint8_t>> latest;  // person: day, level
      latest.reserve(nk);
      for (size_t k = 0; k < nk; ++k) {
        if (d_.k_day[k] > end_) continue;
        auto [it, inserted] = latest.try_emplace(d_.k_person[k], d_.k_day[k], d_.k_level[k]);
        if (!inserted && d_.k_day[k] >= it->second.first) it->second = {d_.k_day[k], d_.k_level[k]};
      }
      for (const auto& [p, day_level] : latest)
        if (day_level.second >= 1) flags_[p] |= kFRisk;
    }
    for (size_t c = 0; c < d_.c_id.size(); ++c) {
      const uint32_t p = d_.c_person[c];
      if (p == kNone || !ProtectionKind(d_.c_kind[c])) continue;
      const bool open_in_period =
          d_.c_received[c] <= me_ && (d_.c_closed[c] == 0 || d_.c_closed[c] >= ms_);
      if (open_in_period) flags_[p] |= kFRisk;
    }
    for (size_t r = 0; r < d_.r_id.size(); ++r) {
      const uint32_t p = d_.c_person[d_.r_case[r]];
      if (p == kNone) continue;
      const auto svc = static_cast<s::ServiceType>(d_.r_service[r]);
      if (svc != s::ServiceType::GENERAL_EDUCATION && svc != s::ServiceType::RE_ENROLMENT &&
          svc != s::ServiceType::VOCATIONAL_TRAINING)
        continue;
      const int st = ReferralStatusAt(r, me_);
      if (st == static_cast<int>(s::ReferralStatus::IN_PROGRESS) ||
          st == static_cast<int>(s::ReferralStatus::COMPLETED))
        flags_[p] |= kFEduReferral;
    }
  }

  int ExtraOf(uint32_t p) const {
    switch (extra_) {
      case DD::ETHNICITY:
        return std::min<int>(d_.p_ethnicity[p], 55);
      case DD::ETHNIC_MINORITY: {
        const int e = d_.p_ethnicity[p];
        return e == 0 ? 0 : (e == static_cast<int>(s::Ethnicity::KINH) ? 1 : 2);
      }
      case DD::POVERTY:
        return std::min<int>(d_.p_poverty[p], 4);
      case DD::RESIDENCE:
        return std::min<int>(d_.p_residence[p], 2);
      default:
        return 0;
    }
  }
  int PersonCell(uint32_t p, int age) const {
    if (p == kNone) return kSexes * kBandUnknown;
    return std::min<int>(d_.p_sex[p], 2) + kSexes * BandOf(age) + kBaseCells * ExtraOf(p);
  }
  int EventCell(uint32_t p, int64_t at) const {
    if (p == kNone || d_.p_birth[p] == 0)
      return p == kNone ? kSexes * kBandUnknown : PersonCell(p, -1);
    const uint32_t day = rules::PackYmd(cases::LocalDate(at));
    const int age = d_.p_birth[p] <= day ? rules::AgeYmd(d_.p_birth[p], day) : -1;
    return PersonCell(p, age);
  }

  // The cell of case k's child when the case was received, and of a referral's child when it
  // was requested (computed once per report and extra dimension: date conversions are costly).
  int CaseCell(size_t k) {
    auto& cells = case_cells_[static_cast<int>(extra_)];
    if (cells.empty()) {
      cells.resize(d_.c_id.size());
      for (size_t i = 0; i < cells.size(); ++i)
        cells[i] = static_cast<int16_t>(EventCell(d_.c_person[i], d_.c_received[i]));
    }
    return cells[k];
  }
  int ReferralCell(size_t r) {
    auto& cells = referral_cells_[static_cast<int>(extra_)];
    if (cells.empty()) {
      cells.resize(d_.r_id.size());
      for (size_t i = 0; i < cells.size(); ++i)
        cells[i] = static_cast<int16_t>(EventCell(d_.c_person[d_.r_case[i]], d_.r_requested[i]));
    }
    return cells[r];
  }

  void Add(Counter& c, uint32_t key, int cell, int64_t n, const core::Uuid& id) {
    if (c.cells == 1) cell = 0;
    c.v[static_cast<size_t>(group_of_[key]) * static_cast<size_t>(c.cells) +
        static_cast<size_t>(cell)] += n;
    if (provenance_) c.ids.emplace_back(key, id);
  }

  void PersonScan(Counter& c, uint8_t role_mask, int need) {
    // need: see Has().
    if (role_mask != 0) {
      const auto& holders = RoleHolders(role_mask);
      const size_t stride = static_cast<size_t>(c.cells);
      int64_t* v = c.v.data();
      for (const auto& [p, cell] : holders) {
        if (!Has(p, need)) continue;
        if (provenance_) {
          Add(c, d_.p_key[p], cell, 1, d_.p_id[p]);
        } else {
          ++v[group_of_[d_.p_key[p]] * stride + (stride == 1 ? 0 : static_cast<size_t>(cell))];
        }
      }
      return;
    }
    const auto& cells = ChildCells();
    const size_t n = cells.size();
    const int stride = c.cells;
    int64_t* v = c.v.data();
    const uint32_t* keys = d_.p_key.data();
    if (need == 0 && !provenance_) {
      for (size_t p = 0; p < n; ++p) {
        const int cell = cells[p];
        if (cell >= 0) {
          ++v[static_cast<size_t>(group_of_[keys[p]]) * static_cast<size_t>(stride) +
              static_cast<size_t>(stride == 1 ? 0 : cell)];
        }
      }
      return;
    }
    for (size_t p = 0; p < n; ++p) {
      const int cell = cells[p];
      if (cell < 0) continue;
      if (!Has(static_cast<uint32_t>(p), need)) continue;
      Add(c, keys[p], cell, 1, d_.p_id[p]);
    }
  }

  void Run(const SelectorSpec& spec, Counter& c) {
    switch (spec.sel) {
      case Sel::kChildren:
      case Sel::kChildLabour:
      case Sel::kHazardous:
      case Sel::kSdgEconomic:
      case Sel::kChildrenInformed:
      case Sel::kAtRisk:
      case Sel::kAtRiskInEducation:
        return PersonScan(c, 0, ChildNeed(spec.sel));
      case Sel::kEduStaff:
      case Sel::kEduStaffInformed:
      case Sel::kParents:
      case Sel::kParentsInformed:
      case Sel::kOfficials:
      case Sel::kOfficialsTrained:
      case Sel::kOfficialsProvince:
      case Sel::kOfficialsProvinceTrained:
      case Sel::kOfficialsCommune:
      case Sel::kOfficialsCommuneTrained: {
        const RoleSelector& r = kRoleSelectors[RoleIndex(spec.sel)];
        return PersonScan(c, r.mask, r.bit == kFReached ? 1 : (r.bit == kFTrained ? 2 : 0));
      }
      case Sel::kEmployers:
      case Sel::kEmployersInformed:
      case Sel::kEmployersTrained: {
        const uint8_t bit =
            spec.sel == Sel::kEmployers ? 0 : (spec.sel == Sel::kEmployersInformed ? 1 : 2);
        const auto& reached = OrgReached();
        for (size_t e = 0; e < d_.e_id.size(); ++e) {
          const uint8_t k = d_.e_kind[e];
          if (k < 1 || k > 5)
            continue;  // enterprise, sme, cooperative, household business, craft village
          if (bit != 0 && (reached[e] & bit) == 0) continue;
          Add(c, d_.e_key[e], 0, 1, d_.e_id[e]);
        }
        return;
      }
      case Sel::kCasesP2:
      case Sel::kCasesP2InTime:
      case Sel::kCasesOpened:
        for (size_t k = 0; k < d_.c_id.size(); ++k) {
          const int64_t rec = d_.c_received[k];
          if (rec < ms_ || rec > me_) continue;
          if (spec.sel != Sel::kCasesOpened && !ProtectionKind(d_.c_kind[k])) continue;
          if (spec.sel == Sel::kCasesP2InTime) {
            if (d_.c_assessed[k] == 0 || d_.c_assessed[k] > me_) continue;
            const int64_t t = (d_.c_closed[k] != 0 && d_.c_closed[k] <= me_) ? d_.c_closed[k] : me_;
            if (t > d_.c_in_time_until[k]) continue;
          }
          Add(c, d_.c_key[k], CaseCell(k), 1, d_.c_id[k]);
        }
        return;
      case Sel::kCasesClosed:
        for (size_t k = 0; k < d_.c_id.size(); ++k) {
          if (d_.c_closed[k] == 0 || d_.c_closed[k] < ms_ || d_.c_closed[k] > me_) continue;
          Add(c, d_.c_key[k], CaseCell(k), 1, d_.c_id[k]);
        }
        return;
      case Sel::kCasesOverdue: {
        std::vector<uint8_t> overdue(d_.c_id.size(), 0);
        for (size_t i = 0; i < d_.d_case.size(); ++i) {
          if (spec.param >= 0 && d_.d_kind[i] != spec.param) continue;
          if (d_.d_started[i] > me_ || d_.d_due[i] >= me_) continue;
          if (d_.d_closed[i] != 0 && d_.d_closed[i] <= me_) continue;
          overdue[d_.d_case[i]] = 1;
        }
        for (size_t k = 0; k < overdue.size(); ++k) {
          if (!overdue[k] || d_.c_received[k] > me_) continue;
          if (d_.c_closed[k] != 0 && d_.c_closed[k] <= me_) continue;
          Add(c, d_.c_key[k], CaseCell(k), 1, d_.c_id[k]);
        }
        return;
      }
      case Sel::kReferrals:
      case Sel::kReferralsByStatus:
      case Sel::kReferralsByService:
      case Sel::kReferralsOverdue:
        for (size_t r = 0; r < d_.r_id.size(); ++r) {
          const int64_t req = d_.r_requested[r];
          if (spec.sel == Sel::kReferralsOverdue) {
            if (req > me_ || d_.r_due[r] == 0 || d_.r_due[r] >= end_) continue;
            const auto st = static_cast<s::ReferralStatus>(ReferralStatusAt(r, me_));
            if (st == s::ReferralStatus::DECLINED || st == s::ReferralStatus::COMPLETED ||
                st == s::ReferralStatus::REVOKED)
              continue;
          } else {
            if (req < ms_ || req > me_) continue;
            if (spec.sel == Sel::kReferralsByStatus && ReferralStatusAt(r, me_) != spec.param)
              continue;
            if (spec.sel == Sel::kReferralsByService && d_.r_service[r] != spec.param) continue;
          }
          const uint32_t k = d_.r_case[r];
          Add(c, d_.c_key[k], ReferralCell(r), 1, d_.r_id[r]);
        }
        return;
      case Sel::kFollowUpCases:
      case Sel::kFollowUpVisited: {
        std::vector<uint8_t> visited;
        if (spec.sel == Sel::kFollowUpVisited) {
          visited.assign(d_.c_id.size(), 0);
          for (size_t f = 0; f < d_.f_case.size(); ++f)
            if (d_.f_at[f] >= ms_ && d_.f_at[f] <= me_) visited[d_.f_case[f]] = 1;
        }
        for (size_t k = 0; k < d_.c_id.size(); ++k) {
          const uint8_t kind = d_.c_kind[k];
          if (kind != static_cast<uint8_t>(s::CaseKind::CHILD_LABOUR) &&
              kind != static_cast<uint8_t>(s::CaseKind::TRAFFICKING))
            continue;
          if (d_.c_in_progress[k] == 0 || d_.c_in_progress[k] > me_) continue;
          if (d_.c_closed[k] != 0 && d_.c_closed[k] < ms_) continue;
          if (!visited.empty() && !visited[k]) continue;
          Add(c, d_.c_key[k], CaseCell(k), 1, d_.c_id[k]);
        }
        return;
      }
      case Sel::kInspections:
      case Sel::kInspectionsWithViolations:
      case Sel::kViolations:
      case Sel::kSanctions:
      case Sel::kSanctionsParents:
      case Sel::kCriminalReferrals:
      case Sel::kFines:
        for (size_t i = 0; i < d_.i_id.size(); ++i) {
          if (!InPeriod(d_.i_day[i], start_, end_)) continue;
          const auto st = static_cast<s::SanctionStatus>(d_.i_sanction[i]);
          const bool sanctioned = st == s::SanctionStatus::DECIDED ||
                                  st == s::SanctionStatus::PAID ||
                                  st == s::SanctionStatus::APPEALED;
          int64_t n = 1;
          switch (spec.sel) {
            case Sel::kInspectionsWithViolations:
              n = d_.i_findings[i] > 0 ? 1 : 0;
              break;
            case Sel::kViolations:
              n = d_.i_findings[i];
              break;
            case Sel::kSanctions:
              n = sanctioned ? 1 : 0;
              break;
            case Sel::kSanctionsParents:
              n = sanctioned && d_.i_parent[i] ? 1 : 0;
              break;
            case Sel::kCriminalReferrals:
              n = d_.i_criminal[i];
              break;
            case Sel::kFines:
              n = sanctioned ? d_.i_fine[i] : 0;
              break;
            default:
              break;
          }
          if (n == 0) continue;
          Add(c, d_.i_key[i], 0, n, d_.i_id[i]);
        }
        return;
      case Sel::kCommitmentsInForce:
      case Sel::kCommitmentsBreached:
        for (size_t m = 0; m < d_.m_id.size(); ++m) {
          bool count = false;
          if (spec.sel == Sel::kCommitmentsInForce) {
            if (d_.m_signed[m] > end_ || (d_.m_valid_to[m] != 0 && d_.m_valid_to[m] <= end_))
              continue;
            int st = d_.m_hbegin[m] == d_.m_hend[m] ? d_.m_status[m]
                                                    : static_cast<int>(s::CommitmentStatus::ACTIVE);
            for (uint32_t h = d_.m_hbegin[m]; h < d_.m_hend[m]; ++h)
              if (d_.mh_day[h] != 0 && d_.mh_day[h] <= end_) st = d_.mh_status[h];
            count = st == static_cast<int>(s::CommitmentStatus::ACTIVE);
          } else {
            for (uint32_t h = d_.m_hbegin[m]; h < d_.m_hend[m]; ++h)
              if (d_.mh_status[h] == static_cast<uint8_t>(s::CommitmentStatus::BREACHED) &&
                  InPeriod(d_.mh_day[h], start_, end_))
                count = true;
          }
          if (count) Add(c, d_.m_key[m], 0, 1, d_.m_id[m]);
        }
        return;
      case Sel::kHeadcount:
        for (size_t i = 0; i < d_.hc_key.size(); ++i)
          if (InPeriod(d_.hc_day[i], start_, end_))
            Add(c, d_.hc_key[i], 0, d_.hc_count[i], core::Uuid{});
        if (provenance_) c.ids.clear();  // head counts are anonymous
        return;
      case Sel::kSpending:
      case Sel::kSpendingBySource:
      case Sel::kSpendingByKind:
        for (size_t g = 0; g < d_.g_key.size(); ++g) {
          if (!InPeriod(d_.g_day[g], start_, end_)) continue;
          if (spec.sel == Sel::kSpendingBySource && d_.g_source[g] != spec.param) continue;
          if (spec.sel == Sel::kSpendingByKind && d_.g_kind[g] != spec.param) continue;
          c.v[static_cast<size_t>(group_of_[d_.g_key[g]]) * static_cast<size_t>(c.cells)] +=
              d_.g_amount[g];
        }
        return;
    }
  }

  const Dataset& d_;
  const KeyGroups& groups_;
  const uint32_t* group_of_;  // groups_.of_key
  bool provenance_;
  uint32_t start_ = 0, end_ = 0, ref_ = 0;
  int64_t ms_ = 0, me_ = 0;
  DD extra_ = DD::UNKNOWN;
  std::map<std::pair<uint32_t, int>, std::vector<int16_t>> child_cells_;
  std::map<std::tuple<uint8_t, uint32_t, int>, std::vector<std::pair<uint32_t, int16_t>>>
      role_holders_;
  std::vector<uint32_t> role_persons_;
  bool roles_built_ = false;
  std::vector<uint8_t> flags_, org_reached_;
  std::map<int, std::vector<int16_t>> case_cells_, referral_cells_;  // per extra dimension
  uint8_t flags_built_ = 0;                                          // flag groups filled in flags_
  uint8_t child_needs_ = 0;  // bit per PersonScan `need` of the report's child selectors
  uint16_t role_needs_ = 0;  // bit per kRoleSelectors entry the report asks for
  std::array<std::string, 8> child_selector_;  // the selector text of each child need wanted
  std::array<std::string, std::size(kRoleSelectors)> role_selector_;  // ... of each role
  ScratchPool* pool_ = nullptr;
  // node_hash_map: Get() hands out pointers that must survive later insertions.
  absl::node_hash_map<std::string, Counter> cache_;
};

// ---- units: report rows ----

struct Rows {
  core::UnitIndex report_unit = core::kNoUnit;  // kNoUnit = the whole country
  std::string report_code;
  s::AdminLevel report_level = s::AdminLevel::NATIONAL;
  std::vector<core::UnitVersion> subs;  // breakdown rows
  std::vector<uint8_t> in_total;        // per key
  std::vector<uint32_t> sub_row;        // per key: index into subs, or kNone
  uint64_t unresolved_keys = 0, partial_keys = 0;
};

s::AdminLevel ToSchemaLevel(core::UnitLevel l) {
  switch (l) {
    case core::UnitLevel::kProvince:
      return s::AdminLevel::PROVINCE;
    case core::UnitLevel::kDistrict:
      return s::AdminLevel::DISTRICT;
    case core::UnitLevel::kCommune:
      return s::AdminLevel::COMMUNE;
    case core::UnitLevel::kVillage:
      return s::AdminLevel::VILLAGE;
  }
  return s::AdminLevel::UNSPECIFIED;
}

// The unit a key stands for on the map of `on`: the version of its code valid that day, or
// (an old code after the reform, a new code before it) the unit its lineage leads to.
core::UnitIndex ResolveKey(const core::AdminUnits& units, const std::string& code,
                           const std::string& village, core::Date on, bool* partial) {
  *partial = false;
  if (code.empty()) return core::kNoUnit;
  if (!village.empty()) {
    auto v = units.FindIndex(absl::StrCat(code, "-", village), on);
    if (v.ok()) return *v;
  }
  auto direct = units.FindIndex(code, on);
  if (direct.ok()) return *direct;
  auto cont = units.ContainingUnitOn(code, on);
  if (!cont.ok() || cont->empty()) return core::kNoUnit;
  *partial = (*cont)[0].partial;
  return (*cont)[0].unit.index;
}

}  // namespace

struct KeyResolutionCache {
  std::mutex mu;
  std::map<core::DayNumber, std::shared_ptr<const KeyResolution>> by_day;
  ScratchPool scratch;  // buffers of earlier reports (reused, never shared between reports)
};
std::shared_ptr<KeyResolutionCache> NewKeyResolutionCache() {
  return std::make_shared<KeyResolutionCache>();
}

namespace {

std::shared_ptr<const KeyResolution> Resolve(const Dataset& d, core::Date on) {
  const core::DayNumber day = core::ToDayNumber(on);
  if (d.resolved) {
    std::lock_guard<std::mutex> lock(d.resolved->mu);
    auto it = d.resolved->by_day.find(day);
    if (it != d.resolved->by_day.end() && it->second->leaf.size() == d.key_code.size()) {
      return it->second;
    }
  }
  auto r = std::make_shared<KeyResolution>();
  const size_t nk = d.key_code.size();
  r->leaf.resize(nk);
  r->partial.assign(nk, 0);
  for (size_t k = 0; k < nk; ++k) {
    bool partial = false;
    r->leaf[k] = ResolveKey(d.units, d.key_code[k], d.key_village[k], on, &partial);
    r->partial[k] = partial ? 1 : 0;
  }
  if (d.resolved) {
    std::lock_guard<std::mutex> lock(d.resolved->mu);
    d.resolved->by_day[day] = r;
  }
  return r;
}

absl::StatusOr<Rows> MakeRows(const Dataset& d, const ReportRequest& req, core::Date on) {
  Rows rows;
  const core::AdminUnits& units = d.units;
  std::optional<core::UnitLevel> report_level;
  if (!req.unit_code.empty()) {
    auto idx = units.FindIndex(req.unit_code, on);
    if (!idx.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unitCode: ", req.unit_code, " has no version on the map of ",
                       core::FormatDate(on), " (", idx.status().message(), ")"));
    }
    rows.report_unit = *idx;
    TREEM_ASSIGN_OR_RETURN(auto v, units.At(*idx));
    rows.report_code = std::string(v.code);
    report_level = v.level;
    rows.report_level = ToSchemaLevel(v.level);
  }
  if (req.breakdown_level) {
    const auto lvl = *req.breakdown_level;
    if (report_level && static_cast<int>(lvl) <= static_cast<int>(*report_level)) {
      return absl::InvalidArgumentError("breakdownLevel: not below the report unit's level");
    }
    for (core::UnitIndex i = 0; i < units.size(); ++i) {
      auto v = units.At(i);
      if (!v.ok() || v->level != lvl || !v->ValidOn(on)) continue;
      if (rows.report_unit != core::kNoUnit &&
          units.AncestorIndex(i, *report_level) != rows.report_unit)
        continue;
      rows.subs.push_back(*v);
    }
    std::sort(rows.subs.begin(), rows.subs.end(),
              [](const auto& a, const auto& b) { return a.code < b.code; });
  }
  absl::flat_hash_map<core::UnitIndex, uint32_t> sub_index;
  for (uint32_t i = 0; i < rows.subs.size(); ++i) sub_index[rows.subs[i].index] = i;
  const size_t nk = d.key_code.size();
  rows.in_total.assign(nk, 0);
  rows.sub_row.assign(nk, kNone);
  const std::shared_ptr<const KeyResolution> resolution = Resolve(d, on);
  for (size_t k = 0; k < nk; ++k) {
    const bool partial = resolution->partial[k] != 0;
    const core::UnitIndex leaf = resolution->leaf[k];
    if (leaf == core::kNoUnit) {
      ++rows.unresolved_keys;
      rows.in_total[k] = rows.report_unit == core::kNoUnit ? 1 : 0;
      continue;
    }
    if (partial) ++rows.partial_keys;
    auto lv = units.At(leaf);
    if (!lv.ok()) continue;
    if (rows.report_unit == core::kNoUnit) {
      rows.in_total[k] = 1;
    } else if (leaf == rows.report_unit ||
               (static_cast<int>(lv->level) > static_cast<int>(*report_level) &&
                units.AncestorIndex(leaf, *report_level) == rows.report_unit)) {
      rows.in_total[k] = 1;
    }
    if (req.breakdown_level && rows.in_total[k]) {
      const core::UnitIndex s_unit = lv->level == *req.breakdown_level
                                         ? leaf
                                         : units.AncestorIndex(leaf, *req.breakdown_level);
      auto it = sub_index.find(s_unit);
      if (it != sub_index.end()) rows.sub_row[k] = it->second;
    }
  }
  return rows;
}

KeyGroups GroupKeys(const Rows& rows) {
  KeyGroups g;
  const size_t nk = rows.in_total.size();
  g.of_key.resize(nk);
  absl::flat_hash_map<std::pair<uint8_t, uint32_t>, uint32_t> index;
  for (size_t k = 0; k < nk; ++k) {
    const std::pair<uint8_t, uint32_t> rows_of_key{rows.in_total[k], rows.sub_row[k]};
    auto [it, inserted] = index.try_emplace(rows_of_key, static_cast<uint32_t>(g.size()));
    if (inserted) {
      g.in_total.push_back(rows_of_key.first);
      g.sub_row.push_back(rows_of_key.second);
    }
    g.of_key[k] = it->second;
  }
  return g;
}

// ---- targets and values ----

struct TargetPick {
  bool has = false;
  double value = 0;
  s::Direction direction = s::Direction::UNKNOWN;
};

TargetPick PickTarget(const s::ProgrammePlan::Reader* plan, const IndicatorDef& def, int year,
                      s::AdminLevel level) {
  TargetPick best;
  if (plan == nullptr) return best;
  int best_year = 0;
  bool best_future = false;
  for (auto t : plan->getTargets()) {
    if (t.getIndicatorId() != def.id) continue;
    if (t.getScopeLevel() != s::AdminLevel::UNSPECIFIED && t.getScopeLevel() != level) continue;
    const int y = t.getByYear();
    const bool future = y >= year;
    // The nearest target at or after the period's year; else the latest one.
    const bool better = !best.has || (future && (!best_future || y < best_year)) ||
                        (!future && !best_future && y > best_year);
    if (better) {
      best.has = true;
      best.value = t.getValue();
      best.direction = t.getDirection() != s::Direction::UNKNOWN ? t.getDirection() : def.direction;
      best_year = y;
      best_future = future;
    }
  }
  return best;
}

double ValueOf(const IndicatorDef& def, int64_t num, int64_t den) {
  switch (def.unit) {
    case s::IndicatorUnit::PERCENT:
      return den == 0 ? std::nan("") : 100.0 * static_cast<double>(num) / static_cast<double>(den);
    case s::IndicatorUnit::PER_THOUSAND:
      return den == 0 ? std::nan("") : 1000.0 * static_cast<double>(num) / static_cast<double>(den);
    case s::IndicatorUnit::RATIO:
      return den == 0 ? std::nan("") : static_cast<double>(num) / static_cast<double>(den);
    default:
      return static_cast<double>(num);
  }
}

int64_t RoundTo(int64_t n, uint32_t base) {
  if (base <= 1) return n;
  const int64_t b = base;
  return ((n + b / 2) / b) * b;
}

struct CellSpec {
  int sex = -1, band = -1, extra = -1;  // -1 = total over the dimension
};

void FillDisaggregation(const CellSpec& cs, DD extra, s::Disaggregation::Builder out) {
  if (cs.sex >= 0) {
    out.setBySex(true);
    out.setSex(static_cast<s::Sex>(cs.sex));
  }
  if (cs.band >= 0) {
    out.setByStatBand(true);
    out.setStatBand(static_cast<s::StatAgeBand>(cs.band));
  }
  if (cs.extra >= 0) {
    switch (extra) {
      case DD::ETHNICITY:
        out.setByEthnicity(true);
        out.setEthnicity(static_cast<s::Ethnicity>(cs.extra));
        break;
      case DD::ETHNIC_MINORITY:
        out.setByEthnicMinority(true);
        out.setEthnicMinority(cs.extra == 2);
        break;
      case DD::POVERTY:
        out.setByPoverty(true);
        out.setPoverty(static_cast<s::PovertyStatus>(cs.extra));
        break;
      case DD::RESIDENCE:
        out.setByResidence(true);
        out.setResidence(static_cast<s::Residence>(cs.extra));
        break;
      default:
        break;
    }
  }
}

void SetUuid(const core::Uuid& id, s::Uuid::Builder out) {
  out.setHi(id.hi);
  out.setLo(id.lo);
}

struct ValueOut {
  const IndicatorDef* def;
  std::string unit_code;
  s::AdminLevel level;
  CellSpec cell;
  DD extra;
  int64_t num, den;
  std::vector<core::Uuid> ids;
};

}  // namespace

absl::StatusOr<Suppression> SuppressionRuleNamed(std::string_view name) {
  auto text = internal::EmbeddedFile("indicators/suppression.csv");
  if (!text) return absl::InternalError("indicators/suppression.csv: not embedded");
  TREEM_ASSIGN_OR_RETURN(auto rows, rules::ParseCsv(*text, "indicators/suppression.csv"));
  if (rows.empty()) return absl::InternalError("indicators/suppression.csv: empty");
  TREEM_ASSIGN_OR_RETURN(
      auto h, rules::CsvHeader::Make(rows[0], {"name", "method", "min_count", "max_count", "base"},
                                     "indicators/suppression.csv"));
  for (size_t i = 1; i < rows.size(); ++i) {
    if (h.Get(rows[i], "name") != name) continue;
    Suppression s;
    const auto m = h.Get(rows[i], "method");
    if (m == "suppress")
      s.method = s::SuppressionMethod::SUPPRESS;
    else if (m == "round")
      s.method = s::SuppressionMethod::ROUND;
    else if (m == "none")
      s.method = s::SuppressionMethod::NONE;
    else
      return absl::InvalidArgumentError(
          absl::StrCat("suppression ", Sv(name), ": method: unknown"));
    if (!absl::SimpleAtoi(Sv(h.Get(rows[i], "min_count")), &s.min_count) ||
        !absl::SimpleAtoi(Sv(h.Get(rows[i], "max_count")), &s.max_count) ||
        !absl::SimpleAtoi(Sv(h.Get(rows[i], "base")), &s.base)) {
      return absl::InvalidArgumentError(
          absl::StrCat("suppression ", Sv(name), ": counts: not numbers"));
    }
    return s;
  }
  return absl::NotFoundError(absl::StrCat("suppression: no rule named \"", Sv(name), "\""));
}

ReportMessage::ReportMessage() : message_(std::make_unique<capnp::MallocMessageBuilder>()) {
  message_->initRoot<s::Report>();
}
s::Report::Reader ReportMessage::reader() const {
  return message_->getRoot<s::Report>().asReader();
}
s::Report::Builder ReportMessage::builder() { return message_->getRoot<s::Report>(); }

namespace {

struct Prepared {
  std::vector<const IndicatorDef*> defs;
  core::Date map_date;
  Suppression suppression;
};

absl::StatusOr<Prepared> Prepare(const ReportRequest& req) {
  Prepared p;
  const std::vector<IndicatorDef>& all =
      req.definitions.empty() ? BuiltinDefinitions() : req.definitions;
  if (req.indicator_ids.empty()) {
    for (const auto& d : all) p.defs.push_back(&d);
  } else {
    for (const auto& id : req.indicator_ids) {
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& d) { return d.id == id; });
      if (it == all.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("indicatorIds: unknown indicator \"", id, "\""));
      }
      p.defs.push_back(&*it);
    }
  }
  for (auto dim : req.dimensions) {
    if (dim == DD::UNKNOWN || static_cast<int>(dim) > 6) {
      return absl::InvalidArgumentError("dimensions: unknown dimension");
    }
  }
  if (req.plan != nullptr) TREEM_RETURN_IF_ERROR(ValidatePlan(*req.plan, all, "plan"));
  if (req.upward && req.provenance) {
    return absl::InvalidArgumentError(
        "provenance: record ids are not allowed in a report for upward reporting");
  }
  p.map_date = req.map_date.value_or(req.period.end);
  p.suppression = req.suppression;
  if (req.upward && p.suppression.method == s::SuppressionMethod::NONE) {
    TREEM_ASSIGN_OR_RETURN(p.suppression, SuppressionRuleNamed("upward"));
  }
  return p;
}

}  // namespace

absl::StatusOr<ReportMessage> Compute(const Dataset& data, const ReportRequest& req) {
  TREEM_ASSIGN_OR_RETURN(Prepared prep, Prepare(req));
  if (req.provenance) TREEM_RETURN_IF_ERROR(VerifyDeferredColumns(data));
  TREEM_ASSIGN_OR_RETURN(Rows rows, MakeRows(data, req, prep.map_date));
  const KeyGroups groups = GroupKeys(rows);
  Engine engine(data, req.period, req.provenance, groups,
                data.resolved ? &data.resolved->scratch : nullptr);
  for (const IndicatorDef* def : prep.defs) {
    engine.Want(def->numerator.selector);
    if (def->has_denominator()) engine.Want(def->denominator.selector);
  }
  const size_t ng = groups.size();
  const size_t nrows = 1 + rows.subs.size();

  // Per counter: its values summed per report row (nrows x cells).
  absl::flat_hash_map<const Counter*, std::vector<int64_t>> row_sums_cache;
  auto row_sums = [&](const Counter* c) -> const std::vector<int64_t>& {
    auto [it, inserted] = row_sums_cache.try_emplace(c);
    if (!inserted) return it->second;
    const size_t cc = static_cast<size_t>(c->cells);
    std::vector<int64_t>& out = it->second;
    out.assign(nrows * cc, 0);
    for (size_t g = 0; g < ng; ++g) {
      const int64_t* src = &c->v[g * cc];
      if (groups.in_total[g])
        for (size_t j = 0; j < cc; ++j) out[j] += src[j];
      if (groups.sub_row[g] != kNone) {
        int64_t* dst = &out[(1 + groups.sub_row[g]) * cc];
        for (size_t j = 0; j < cc; ++j) dst[j] += src[j];
      }
    }
    return out;
  };
  std::vector<ValueOut> values;
  for (const IndicatorDef* def : prep.defs) {
    std::vector<DD> passes = {DD::UNKNOWN};
    for (DD dim : req.dimensions) {
      if (dim == DD::SEX || dim == DD::STAT_BAND) continue;
      if (def->Supports(dim) && std::find(passes.begin(), passes.end(), dim) == passes.end())
        passes.push_back(dim);
    }
    auto wants = [&](DD dim) {
      return def->Supports(dim) &&
             std::find(req.dimensions.begin(), req.dimensions.end(), dim) != req.dimensions.end();
    };
    for (DD extra : passes) {
      const bool cells_wanted = extra != DD::UNKNOWN || wants(DD::SEX) || wants(DD::STAT_BAND);
      TREEM_ASSIGN_OR_RETURN(
          const Counter* num,
          engine.Get(def->numerator.selector, def->age_reference, extra, cells_wanted));
      const Counter* den = nullptr;
      if (def->has_denominator()) {
        TREEM_ASSIGN_OR_RETURN(
            den, engine.Get(def->denominator.selector, def->age_reference, extra, cells_wanted));
      }
      // Both counters normally share their cells; otherwise only totals are meaningful.
      const bool same_cells = den == nullptr || den->cells == num->cells;
      const int cells = same_cells ? num->cells : 1;
      const int nextra = std::max(1, cells / kBaseCells);
      // Sum keys into rows (integers; divided last). Each counter is summed into rows once
      // (row_sums), however many indicators use it.
      std::vector<int64_t> rn(nrows * static_cast<size_t>(cells), 0), rd(rn.size(), 0);
      const std::vector<int64_t>& sn = row_sums(num);
      if (same_cells) {
        rn = sn;
        if (den != nullptr) rd = row_sums(den);
      } else {
        const std::vector<int64_t>& sd = row_sums(den);
        for (size_t row = 0; row < nrows; ++row) {
          for (int c = 0; c < num->cells; ++c)
            rn[row] += sn[row * static_cast<size_t>(num->cells) + static_cast<size_t>(c)];
          for (int c = 0; c < den->cells; ++c)
            rd[row] += sd[row * static_cast<size_t>(den->cells) + static_cast<size_t>(c)];
        }
      }
      // Cells to emit.
      std::vector<CellSpec> specs;
      if (cells == 1) {
        specs.push_back({});
      } else if (extra == DD::UNKNOWN) {
        specs.push_back({});
        if (wants(DD::SEX))
          specs.push_back({1, -1, -1}), specs.push_back({2, -1, -1}), specs.push_back({0, -1, -1});
        if (wants(DD::STAT_BAND)) {
          for (int b = 1; b <= 3; ++b) specs.push_back({-1, b, -1});
        }
        if (wants(DD::SEX) && wants(DD::STAT_BAND)) {
          for (int sx = 1; sx <= 2; ++sx)
            for (int b = 1; b <= 3; ++b) specs.push_back({sx, b, -1});
        }
      } else {
        for (int e = extra == DD::ETHNICITY || extra == DD::ETHNIC_MINORITY ? 1 : 0; e < nextra;
             ++e)
          specs.push_back({-1, -1, e});
      }
      for (size_t row = 0; row < nrows; ++row) {
        for (const CellSpec& cs : specs) {
          int64_t n = 0, dsum = 0;
          for (int c = 0; c < cells; ++c) {
            if (cells == 1) {
              n += rn[row];
              dsum += rd[row];
              break;
            }
            const int sex = c % kSexes, band = (c / kSexes) % kBands, ex = c / kBaseCells;
            if (cs.sex >= 0 && sex != cs.sex) continue;
            if (cs.band >= 0 && band != cs.band) continue;
            if (cs.extra >= 0 && ex != cs.extra) continue;
            n += rn[row * static_cast<size_t>(cells) + static_cast<size_t>(c)];
            dsum += rd[row * static_cast<size_t>(cells) + static_cast<size_t>(c)];
          }
          const bool is_total = cs.sex < 0 && cs.band < 0 && cs.extra < 0;
          // Optional cells appear only when they hold something (unknown sex, extra values).
          if (!is_total && n == 0 && dsum == 0 && (cs.sex == 0 || cs.extra >= 0)) continue;
          if (!is_total && extra != DD::UNKNOWN && n == 0 && dsum == 0) continue;
          ValueOut vo{def,
                      row == 0 ? rows.report_code : std::string(rows.subs[row - 1].code),
                      row == 0 ? rows.report_level : ToSchemaLevel(rows.subs[row - 1].level),
                      cs,
                      extra,
                      n,
                      dsum,
                      {}};
          if (req.provenance && row == 0 && is_total) {
            for (const auto& [key, id] : num->ids)
              if (rows.in_total[key]) vo.ids.push_back(id);
          }
          values.push_back(std::move(vo));
        }
      }
    }
  }

  // ---- write the report ----
  ReportMessage msg;
  auto rep = msg.builder();
  const std::string label = req.period.Label();
  SetUuid(core::NameUuid(absl::StrCat("report:", rows.report_code, ":", label, ":",
                                      req.generated_at_micros, ":", req.title)),
          rep.initId());
  rep.setTitle(req.title);
  rep.setUnitCode(rows.report_code);
  rep.setUnitLevel(rows.report_level);
  ToSchema(req.period, rep.initPeriod());
  if (req.plan != nullptr && req.plan->hasId()) {
    rep.initPlanId().setHi(req.plan->getId().getHi());
    rep.getPlanId().setLo(req.plan->getId().getLo());
  }
  rep.initGeneratedAt().setMicros(req.generated_at_micros);
  auto defs_out = rep.initDefinitions(static_cast<unsigned>(prep.defs.size()));
  for (unsigned i = 0; i < prep.defs.size(); ++i) ToSchema(*prep.defs[i], defs_out[i]);
  const Suppression& sup = prep.suppression;
  auto vals = rep.initValues(static_cast<unsigned>(values.size()));
  uint64_t suppressed_count = 0;
  for (unsigned i = 0; i < values.size(); ++i) {
    const ValueOut& vo = values[i];
    auto v = vals[i];
    v.setIndicatorId(vo.def->id);
    v.setUnitCode(vo.unit_code);
    ToSchema(req.period, v.initPeriod());
    FillDisaggregation(vo.cell, vo.extra, v.initDisaggregation());
    int64_t n = vo.num, d = vo.den;
    bool suppressed = false;
    const bool people_counts = vo.def->unit != s::IndicatorUnit::VND;
    if (people_counts && sup.method == s::SuppressionMethod::SUPPRESS) {
      auto small = [&](int64_t x) { return x >= sup.min_count && x <= sup.max_count; };
      if (small(n) || (vo.def->has_denominator() && small(d))) suppressed = true;
    } else if (people_counts && sup.method == s::SuppressionMethod::ROUND) {
      n = RoundTo(n, sup.base);
      d = RoundTo(d, sup.base);
    }
    TargetPick t = PickTarget(req.plan, *vo.def, req.period.end.year(), vo.level);
    if (suppressed) {
      ++suppressed_count;
      v.setSuppressed(true);
      v.setNumerator(0);
      v.setDenominator(0);
      v.setValue(std::nan(""));
    } else {
      v.setNumerator(n);
      v.setDenominator(vo.def->has_denominator() ? d : 0);
      v.setValue(ValueOf(*vo.def, n, d));
    }
    if (t.has) {
      v.setTarget(t.value);
      const double val = v.getValue();
      s::TargetStatus st = s::TargetStatus::UNKNOWN;
      if (!std::isnan(val)) {
        if (t.direction == s::Direction::AT_LEAST)
          st = val >= t.value - 1e-9 ? s::TargetStatus::MET : s::TargetStatus::NOT_MET;
        if (t.direction == s::Direction::AT_MOST)
          st = val <= t.value + 1e-9 ? s::TargetStatus::MET : s::TargetStatus::NOT_MET;
      }
      v.setTargetStatus(st);
    } else {
      v.setTargetStatus(s::TargetStatus::NO_TARGET);
    }
    if (!vo.ids.empty()) {
      auto ids = v.initRecordIds(static_cast<unsigned>(vo.ids.size()));
      for (unsigned j = 0; j < vo.ids.size(); ++j) SetUuid(vo.ids[j], ids[j]);
    }
  }
  auto so = rep.initSuppression();
  so.setMethod(sup.method);
  so.setMinCount(sup.min_count);
  so.setMaxCount(sup.max_count);
  so.setBase(sup.base);
  rep.setDeidentified(req.upward);
  rep.setMapVersion(prep.map_date < core::ReformDate() ? s::MapVersion::BEFORE2025
                                                       : s::MapVersion::FROM2025);
  auto rs = rep.initRuleSets(static_cast<unsigned>(data.rule_sets.size()));
  for (unsigned i = 0; i < data.rule_sets.size(); ++i) rs.set(i, data.rule_sets[i]);
  std::vector<std::string> notes;
  notes.push_back(absl::StrCat("map of ", core::FormatDate(prep.map_date),
                               "; populations counted on ", core::FormatDate(req.period.end)));
  if (rows.unresolved_keys > 0) {
    notes.push_back(
        absl::StrCat(rows.unresolved_keys,
                     " recorded unit code(s) not found on this map: their records count "
                     "only in a national total"));
  }
  if (rows.partial_keys > 0) {
    notes.push_back(absl::StrCat(rows.partial_keys,
                                 " old unit code(s) split across several new units: their records "
                                 "are counted in the first unit of the conversion table"));
  }
  if (data.stats.activities_skipped > 0) {
    notes.push_back(absl::StrCat(data.stats.activities_skipped,
                                 " work activit(ies) could not be classified and are not counted"));
  }
  if (suppressed_count > 0) {
    notes.push_back(absl::StrCat(suppressed_count, " value(s) withheld by small-cell protection"));
  }
  auto no = rep.initNotes(static_cast<unsigned>(notes.size()));
  for (unsigned i = 0; i < notes.size(); ++i) no.set(i, notes[i]);
  return msg;
}

absl::StatusOr<Provenance> ExplainValue(const Dataset& data, const ReportRequest& request,
                                        std::string_view indicator_id) {
  ReportRequest req = request;
  req.provenance = true;
  req.upward = false;
  TREEM_ASSIGN_OR_RETURN(Prepared prep, Prepare(req));
  TREEM_RETURN_IF_ERROR(VerifyDeferredColumns(data));
  const IndicatorDef* def = nullptr;
  const std::vector<IndicatorDef>& all =
      req.definitions.empty() ? BuiltinDefinitions() : req.definitions;
  for (const auto& d : all)
    if (d.id == indicator_id) def = &d;
  if (def == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("indicatorId: unknown indicator \"", Sv(indicator_id), "\""));
  }
  req.breakdown_level.reset();
  TREEM_ASSIGN_OR_RETURN(Rows rows, MakeRows(data, req, prep.map_date));
  const KeyGroups groups = GroupKeys(rows);
  Engine engine(data, req.period, true, groups);
  Provenance out;
  TREEM_ASSIGN_OR_RETURN(const Counter* num,
                         engine.Get(def->numerator.selector, def->age_reference, DD::UNKNOWN));
  for (const auto& [key, id] : num->ids)
    if (rows.in_total[key]) out.numerator.push_back(id);
  if (def->has_denominator()) {
    TREEM_ASSIGN_OR_RETURN(const Counter* den,
                           engine.Get(def->denominator.selector, def->age_reference, DD::UNKNOWN));
    for (const auto& [key, id] : den->ids)
      if (rows.in_total[key]) out.denominator.push_back(id);
  }
  return out;
}

}  // namespace treem::indicators
