#include "synth/synth.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cases/deadline_rules.h"
#include "rules/classify.h"
#include "rules/registry.h"
#include "rules/risk.h"

namespace treem::synth {
namespace {

namespace s = schema;

// SplitMix64: fast, good enough for synthetic data, trivially seeded per stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) : x_(seed) {}
  uint64_t Next() {
    uint64_t z = (x_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t x_;
};

uint64_t Mix(uint64_t a, uint64_t b) { return Rng(a * 0x2545F4914F6CDD1DULL ^ b).Next(); }

void SetId(s::Uuid::Builder b, const core::Uuid& id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}
core::Uuid RandomId(Rng& r) {
  // Version 4 layout, so ids look like real random ids.
  uint64_t hi = r.Next(), lo = r.Next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return core::Uuid{hi, lo};
}
void SetDate(s::Date::Builder b, int y, int m, int d) {
  b.setYear(static_cast<int16_t>(y));
  b.setMonth(static_cast<uint8_t>(m));
  b.setDay(static_cast<uint8_t>(d));
}
core::Date DayOfYear(int year, uint32_t doy) {
  return core::FromDayNumber(core::ToDayNumber(core::Date(year, 1, 1)) +
                             static_cast<core::DayNumber>(doy));
}

constexpr int64_t kHour = cases::kMicrosPerHour;
constexpr int64_t kDay = cases::kMicrosPerDay;
// 00:00 UTC of `d`.
int64_t Micros(core::Date d) { return core::ToDayNumber(d) * kDay; }

const char* const kFamily[] = {"Nguyễn", "Trần", "Lê",   "Phạm", "Hoàng", "Huỳnh", "Phan",
                               "Vũ",     "Võ",   "Đặng", "Bùi",  "Đỗ",    "Hồ",    "Ngô",
                               "Dương",  "Lý",   "Lò",   "Hà",   "Giàng", "Sùng"};
const char* const kMiddleM[] = {"Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "A"};
const char* const kMiddleF[] = {"Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim", "Mỹ"};
const char* const kGivenM[] = {"Anh", "Bảo",  "Cường", "Dũng", "Hùng", "Huy",  "Khoa", "Long",
                               "Nam", "Phúc", "Quân",  "Sơn",  "Tài",  "Tuấn", "Việt", "Vinh"};
const char* const kGivenF[] = {"An",   "Chi", "Dung", "Giang", "Hà",     "Hoa",  "Hương", "Lan",
                               "Linh", "Mai", "Ngân", "Nhung", "Phương", "Thảo", "Trang", "Yến"};
template <size_t N>
const char* Pick(Rng& r, const char* const (&a)[N]) {
  return a[r.Below(N)];
}
std::string Name(Rng& r, bool male) {
  return absl::StrCat(Pick(r, kFamily), " ", male ? Pick(r, kMiddleM) : Pick(r, kMiddleF), " ",
                      male ? Pick(r, kGivenM) : Pick(r, kGivenF));
}

// Ethnic minorities by rough size (Tày, Thái, Mường, Khmer, H'Mông, Nùng, Dao, Gia Rai, Ê Đê,
// Ba Na, Hoa, Sán Chay, Chăm, Cơ Ho).
constexpr s::Ethnicity kMinorities[] = {
    s::Ethnicity::TAY,   s::Ethnicity::THAI,  s::Ethnicity::MUONG, s::Ethnicity::KHMER,
    s::Ethnicity::HMONG, s::Ethnicity::NUNG,  s::Ethnicity::DAO,   s::Ethnicity::GIA_RAI,
    s::Ethnicity::EDE,   s::Ethnicity::BA_NA, s::Ethnicity::HOA,   s::Ethnicity::SAN_CHAY,
    s::Ethnicity::CHAM,  s::Ethnicity::CO_HO};

struct CommunePlan {
  uint64_t children = 0, households = 0;
  uint32_t villages = 0, staff = 0, officials = 0, establishments = 0, inspections = 0;
  bool minority = false;
};

uint32_t HouseholdChildren(Rng& r) {
  const uint32_t u = r.Below(100);
  return u < 35 ? 1 : u < 75 ? 2 : u < 93 ? 3 : 4;
}

struct Job {
  const char* code;
  const char* workplace;
  int weight;
  double hours_lo, hours_hi;  // per week
  bool employer;
};
// Mostly family farm work and chores-like jobs; hours decide most outcomes.
constexpr Job kJobs[] = {
    {"OTHER", "NONE", 50, 2, 30, false},           {"TT09-A2-04", "NONE", 10, 4, 30, false},
    {"TT09-A5-D3", "NONE", 8, 4, 30, false},       {"TT09-A2-06", "NONE", 6, 4, 40, true},
    {"ARTS_SPORT", "NONE", 4, 2, 15, false},       {"ART147-1-a", "NONE", 8, 6, 45, true},
    {"TT09-A3-P05", "ART147-2-b", 3, 8, 48, true}, {"OTHER", "ART147-2-d", 4, 6, 40, true},
    {"TT11-A1-02", "NONE", 7, 4, 30, false},
};
int JobWeightTotal() {
  int t = 0;
  for (const Job& j : kJobs) t += j.weight;
  return t;
}
const Job& PickJob(Rng& r) {
  static const int total = JobWeightTotal();
  int x = static_cast<int>(r.Below(static_cast<uint32_t>(total)));
  for (const Job& j : kJobs) {
    if (x < j.weight) return j;
    x -= j.weight;
  }
  return kJobs[0];
}

// The default risk screen (RISK-RD9) of the embedded rule registry, or null.
const rules::RiskScreen* Screen() {
  static const rules::RiskScreen* screen = []() -> const rules::RiskScreen* {
    auto reg = rules::RuleRegistry::Default();
    if (!reg.ok()) return nullptr;
    auto sc = (*reg)->FindScreen("");
    return sc.ok() ? *sc : nullptr;
  }();
  return screen;
}

}  // namespace

std::vector<Commune> Communes(const core::AdminUnits& units, core::Date on,
                              std::string_view province) {
  std::vector<Commune> out;
  for (core::UnitIndex i = 0; i < units.size(); ++i) {
    auto v = units.At(i);
    if (!v.ok() || v->level != core::UnitLevel::kCommune || !v->ValidOn(on)) continue;
    // The province: the ancestor at province level (the parent on the two-tier map).
    core::UnitIndex p = v->parent;
    std::string prov;
    while (p != core::kNoUnit) {
      auto pv = units.At(p);
      if (!pv.ok()) break;
      if (pv->level == core::UnitLevel::kProvince) {
        prov = std::string(pv->code);
        break;
      }
      p = pv->parent;
    }
    if (!province.empty() && prov != province) continue;
    out.push_back({std::string(v->code), prov, v->kind == "Phường"});
  }
  std::sort(out.begin(), out.end(), [](const Commune& a, const Commune& b) {
    return std::tie(a.province, a.code) < std::tie(b.province, b.code);
  });
  if (out.empty() && units.size() == 0) {
    for (int i = 0; i < 3321; ++i) {
      char code[8];
      std::snprintf(code, sizeof(code), "%05d", 90000 + i);
      char prov[4];
      std::snprintf(prov, sizeof(prov), "%02d", 60 + i % 34);
      if (!province.empty() && province != prov) continue;
      out.push_back({code, prov, i % 6 == 0});
    }
  }
  return out;
}

std::vector<Commune> SpreadCommunes(const std::vector<Commune>& all, uint64_t children) {
  if (all.empty()) return {};
  const size_t want =
      std::clamp<size_t>(static_cast<size_t>((children + 3100) / 6200), 1, all.size());
  std::vector<Commune> out;
  out.reserve(want);
  for (size_t i = 0; i < want; ++i) out.push_back(all[i * all.size() / want]);
  return out;
}

Stats Generate(const Options& o, s::Snapshot::Builder out) {
  Stats st;
  std::vector<Commune> communes = o.communes;
  if (communes.empty()) communes.push_back({"00001", "00", false});
  const size_t nc = communes.size();
  const int year = o.year;
  const core::Date ref(year, 12, 31);

  // ---- plan: children per commune (uneven), households, staff ----
  std::vector<CommunePlan> plan(nc);
  {
    Rng r(Mix(o.seed, 1));
    std::vector<double> w(nc);
    double total = 0;
    for (size_t i = 0; i < nc; ++i) total += (w[i] = 0.35 + 1.3 * r.Unit());
    uint64_t given = 0;
    for (size_t i = 0; i < nc; ++i) {
      plan[i].children = static_cast<uint64_t>(static_cast<double>(o.children) * w[i] / total);
      given += plan[i].children;
    }
    for (size_t i = 0; given < o.children; i = (i + 1) % nc, ++given) ++plan[i].children;
  }
  std::vector<std::string> provinces;
  uint64_t total_households = 0, total_staff = 0;
  for (size_t i = 0; i < nc; ++i) {
    CommunePlan& cp = plan[i];
    Rng r(Mix(o.seed, 1000 + i));
    cp.minority = r.Chance(0.2);
    Rng hr(Mix(o.seed, 0x100000000ULL + i));
    for (uint64_t c = 0; c < cp.children;) {
      c += HouseholdChildren(hr);
      ++cp.households;
    }
    cp.villages = static_cast<uint32_t>(std::clamp<uint64_t>(4 + cp.children / 500, 4, 40));
    cp.staff = static_cast<uint32_t>(std::max<uint64_t>(1, cp.children / 20));
    cp.officials = 4;
    cp.establishments = static_cast<uint32_t>(1 + cp.children / 800);
    cp.inspections = static_cast<uint32_t>(cp.children / 3000 + (r.Chance(0.5) ? 1 : 0));
    total_households += cp.households;
    total_staff += cp.staff + cp.officials;
    if (std::find(provinces.begin(), provinces.end(), communes[i].province) == provinces.end())
      provinces.push_back(communes[i].province);
  }
  constexpr uint32_t kProvincialOfficials = 12;
  total_staff += provinces.size() * kProvincialOfficials;
  const uint64_t total_persons = o.children + total_households + total_staff;

  // ---- header ----
  auto h = out.initHeader();
  h.setFormatVersion(1);
  h.setMinReaderVersion(1);
  h.initCreatedAt().setMicros(Micros(core::Date(year + 1, 1, 15)));
  auto by = h.initCreatedBy();
  by.setUserId("synth");
  by.setRole(s::Role::SYSTEM);
  core::Uuid store = o.store_id;
  if (store.hi == 0 && store.lo == 0) {
    Rng r(Mix(o.seed, 7));
    store = RandomId(r);
  }
  SetId(h.initStoreId(), store);
  h.setLastSeq(o.last_seq);
  h.setLibraryVersion("synth");

  auto households = out.initHouseholds(static_cast<unsigned>(total_households));
  auto persons = out.initPersons(static_cast<unsigned>(total_persons));
  uint64_t total_est = 0, total_insp = 0, total_comm = 0, total_train = 0;
  for (const auto& cp : plan) {
    total_est += cp.establishments;
    total_insp += cp.inspections;
    total_comm += cp.villages + 2;
    total_train += 1;
  }
  total_train += provinces.size();
  auto establishments = out.initEstablishments(static_cast<unsigned>(total_est));
  auto communications = out.initCommunications(static_cast<unsigned>(total_comm));
  auto trainings = out.initTrainings(static_cast<unsigned>(total_train));
  auto inspections = out.initInspections(static_cast<unsigned>(total_insp));

  struct ActivitySpec {
    uint32_t person;
    core::Uuid id, child, employer;
    core::Date on;
    const Job* job;
    double hours_week, hours_day;
    bool night;
  };
  struct ScreenSpec {
    uint32_t person;
    core::Uuid child;
    core::Date on;
    uint8_t facts;  // bit0 dropped/never, bit1 irregular, bit2 poor, bit3 near poor, bit4 minority,
                    // bit5 male, bit6 age 12+, bit7 works
  };
  struct CaseSpec {
    core::Uuid id, child;
    std::string unit;
    s::CaseKind kind;
  };
  std::vector<ActivitySpec> activities;
  std::vector<ScreenSpec> screens;
  std::vector<CaseSpec> cases;
  activities.reserve(o.children / 10);
  std::vector<core::Uuid> province_officials_of;  // filled below

  uint32_t next_person = 0, next_household = 0, next_est = 0, next_comm = 0, next_train = 0,
           next_insp = 0;
  std::vector<std::vector<core::Uuid>> village_children, village_carers;
  std::vector<core::Uuid> staff_ids, official_ids, est_ids;
  // The next person record with a new id and a name, male with probability `p_male` (drawn in
  // that order): its id and builder.
  auto new_person = [&](Rng& r, double p_male) {
    const core::Uuid pid = RandomId(r);
    const bool male = r.Chance(p_male);
    auto p = persons[next_person++];
    SetId(p.initId(), pid);
    p.setFullName(Name(r, male));
    p.setSex(male ? s::Sex::MALE : s::Sex::FEMALE);
    return std::pair{pid, p};
  };
  for (size_t ci = 0; ci < nc; ++ci) {
    const Commune& cm = communes[ci];
    const CommunePlan& cp = plan[ci];
    Rng r(Mix(o.seed, 0x200000000ULL + ci));
    Rng hr(Mix(o.seed, 0x100000000ULL + ci));
    village_children.assign(cp.villages, {});
    village_carers.assign(cp.villages, {});
    staff_ids.clear();
    official_ids.clear();
    est_ids.clear();
    auto village_code = [](uint32_t v) {
      char b[16];
      std::snprintf(b, sizeof(b), "%04u", v + 1);
      return std::string(b);
    };
    // Establishments of the commune.
    for (uint32_t e = 0; e < cp.establishments; ++e) {
      auto es = establishments[next_est++];
      const core::Uuid id = RandomId(r);
      est_ids.push_back(id);
      SetId(es.initId(), id);
      const uint32_t k = r.Below(100);
      es.setKind(k < 55   ? s::EstablishmentKind::HOUSEHOLD_BUSINESS
                 : k < 75 ? s::EstablishmentKind::SME
                 : k < 85 ? s::EstablishmentKind::CRAFT_VILLAGE_HOUSEHOLD
                 : k < 93 ? s::EstablishmentKind::COOPERATIVE
                          : s::EstablishmentKind::ENTERPRISE);
      es.setSector(k < 40 ? "A01" : k < 70 ? "C13" : "G47");
      es.setCommuneCode(cm.code);
      es.setName(absl::StrCat("Cơ sở ", e + 1));
      ++st.establishments;
    }
    // Households and their members.
    const double poor = cp.minority ? 0.15 : 0.025, near_poor = cp.minority ? 0.12 : 0.045;
    uint64_t left = cp.children;
    for (uint64_t hh = 0; hh < cp.households; ++hh) {
      const uint32_t kids = static_cast<uint32_t>(std::min<uint64_t>(HouseholdChildren(hr), left));
      left -= kids;
      const uint32_t village = r.Below(cp.villages);
      const std::string vcode = village_code(village);
      const core::Uuid hid = RandomId(r);
      auto hb = households[next_household++];
      SetId(hb.initId(), hid);
      hb.setCommuneCode(cm.code);
      hb.setVillageCode(vcode);
      const double u = r.Unit();
      const s::PovertyStatus pov = u < poor                     ? s::PovertyStatus::POOR
                                   : u < poor + near_poor       ? s::PovertyStatus::NEAR_POOR
                                   : u < poor + near_poor + 0.1 ? s::PovertyStatus::AVERAGE
                                                                : s::PovertyStatus::NONE;
      const s::Residence res = cm.urban ? s::Residence::URBAN : s::Residence::RURAL;
      auto pa = hb.initPoverty(1)[0];
      pa.setStatus(pov);
      pa.setStandard(s::PovertyStandard::DECREE07OF2021);
      pa.setYear(static_cast<uint16_t>(year - 1));
      pa.setResidence(res);
      hb.setResidence(res);
      hb.setAgricultural(!cm.urban && r.Chance(0.6));
      hb.setCraftVillage(r.Chance(0.03));
      hb.setAddress(absl::StrCat("Số ", 1 + r.Below(300), ", thôn ", village + 1));
      const bool minority_hh = r.Chance(cp.minority ? 0.7 : 0.07);
      const s::Ethnicity eth =
          minority_hh ? kMinorities[std::min(r.Below(14), r.Below(14))] : s::Ethnicity::KINH;
      auto members = hb.initMembers(kids + 1);
      // The carer (an adult).
      {
        auto [pid, p] = new_person(r, 0.3);
        SetDate(p.initBirthDate().initDate(), year - 25 - static_cast<int>(r.Below(30)),
                1 + static_cast<int>(r.Below(12)), 1 + static_cast<int>(r.Below(28)));
        p.setEthnicity(eth);
        p.setNationalId(absl::StrCat("0", 10000000000ULL + r.Below(1000000000)));
        SetId(p.initHouseholdId(), hid);
        p.setCommuneCode(cm.code);
        p.setVillageCode(vcode);
        auto m = members[0];
        SetId(m.initPersonId(), pid);
        m.setRelationship(s::Relationship::HEAD);
        m.setIsCarer(true);
        village_carers[village].push_back(pid);
        ++st.carers;
      }
      for (uint32_t k = 0; k < kids; ++k) {
        const uint32_t person_index = next_person;
        const core::Uuid pid = RandomId(r);
        const bool male = r.Chance(0.515);
        const int age = 5 + static_cast<int>(r.Below(13));
        const core::Date birth = DayOfYear(year - age, r.Below(365));
        auto p = persons[next_person++];
        SetId(p.initId(), pid);
        p.setFullName(Name(r, male));
        p.setSex(male ? s::Sex::MALE : s::Sex::FEMALE);
        auto bd = p.initBirthDate();
        rules::ToSchemaDate(birth, bd.initDate());
        bd.setEstimated(r.Chance(0.02));
        p.setEthnicity(eth);
        if (age >= 6 && r.Chance(0.7))
          p.setNationalId(absl::StrCat("0", 10000000000ULL + r.Below(1000000000)));
        SetId(p.initHouseholdId(), hid);
        p.setCommuneCode(cm.code);
        p.setVillageCode(vcode);
        // Schooling by age; minorities and poor households drop out more.
        const double risk = (minority_hh ? 2.0 : 1.0) * (pov == s::PovertyStatus::POOR ? 1.6 : 1.0);
        const double drop = age < 6 ? 0.0 : age <= 14 ? 0.01 * risk : 0.12 * risk;
        const double never = age < 6 ? 0.12 : 0.004 * risk;
        const double irregular = 0.02 * risk;
        const double v = r.Unit();
        const s::SchoolAttendance att = v < drop           ? s::SchoolAttendance::DROPPED_OUT
                                        : v < drop + never ? s::SchoolAttendance::NEVER_ENROLLED
                                        : v < drop + never + irregular
                                            ? s::SchoolAttendance::IRREGULAR
                                            : s::SchoolAttendance::ENROLLED;
        auto sc = p.initSchool();
        sc.setAttendance(att);
        sc.setGrade(static_cast<uint8_t>(std::clamp(age - 5, 0, 12)));
        if (att == s::SchoolAttendance::DROPPED_OUT)
          rules::ToSchemaDate(DayOfYear(year - 1, r.Below(365)), sc.initDroppedOutOn());
        auto m = members[k + 1];
        SetId(m.initPersonId(), pid);
        m.setRelationship(s::Relationship::CHILD);
        village_children[village].push_back(pid);
        ++st.children;
        // Work: more with age, in minority and poor households, out of school.
        double pw = age <= 11 ? 0.04 : age <= 14 ? 0.12 : 0.22;
        if (minority_hh) pw *= 1.4;
        if (pov == s::PovertyStatus::POOR) pw *= 1.3;
        if (att == s::SchoolAttendance::DROPPED_OUT) pw = std::min(0.9, pw * 3);
        const bool works = r.Chance(pw);
        if (works) {
          const int n = r.Chance(0.15) ? 2 : 1;
          for (int a = 0; a < n; ++a) {
            const Job& job = PickJob(r);
            const double hw = job.hours_lo + (job.hours_hi - job.hours_lo) * r.Unit() * r.Unit();
            const int days = 1 + static_cast<int>(r.Below(6));
            ActivitySpec as{person_index,
                            RandomId(r),
                            pid,
                            (job.employer && age >= 13 && !est_ids.empty() && r.Chance(0.6))
                                ? est_ids[r.Below(static_cast<uint32_t>(est_ids.size()))]
                                : core::Uuid{},
                            DayOfYear(year, r.Below(365)),
                            &job,
                            hw,
                            std::min(12.0, hw / days),
                            r.Chance(0.03)};
            activities.push_back(as);
          }
        }
        uint8_t facts = 0;
        if (att == s::SchoolAttendance::DROPPED_OUT || att == s::SchoolAttendance::NEVER_ENROLLED)
          facts |= 1;
        if (att == s::SchoolAttendance::IRREGULAR) facts |= 2;
        if (pov == s::PovertyStatus::POOR) facts |= 4;
        if (pov == s::PovertyStatus::NEAR_POOR) facts |= 8;
        if (minority_hh) facts |= 16;
        if (male) facts |= 32;
        if (age >= 12) facts |= 64;
        if (works) facts |= 128;
        if (r.Chance(works || (facts & 1) ? 0.25 : 0.02)) {
          screens.push_back({person_index, pid, DayOfYear(year, r.Below(365)), facts});
        }
        // Cases: child labour found at work, children at risk, a few others.
        const double pc = works ? 0.03 : ((facts & 1) ? 0.01 : 0.0012);
        if (r.Chance(pc)) {
          const uint32_t kk = r.Below(100);
          const s::CaseKind kind =
              works     ? (kk < 97 ? s::CaseKind::CHILD_LABOUR : s::CaseKind::TRAFFICKING)
              : kk < 75 ? s::CaseKind::AT_RISK
              : kk < 92 ? s::CaseKind::ABUSE
                        : s::CaseKind::OTHER;
          cases.push_back({RandomId(r), pid, cm.code, kind});
        }
      }
    }
    // Education staff (schools) and commune officials.
    for (uint32_t k = 0; k < cp.staff + cp.officials; ++k) {
      const bool official = k >= cp.staff;
      auto [pid, p] = new_person(r, official ? 0.6 : 0.3);
      SetDate(p.initBirthDate().initDate(), year - 23 - static_cast<int>(r.Below(38)),
              1 + static_cast<int>(r.Below(12)), 1 + static_cast<int>(r.Below(28)));
      p.setEthnicity(cp.minority && r.Chance(0.4) ? s::Ethnicity::TAY : s::Ethnicity::KINH);
      p.setCommuneCode(cm.code);
      p.initRoles(1).set(
          0, official ? s::PersonRole::COMMUNE_OFFICIAL : s::PersonRole::EDUCATION_STAFF);
      (official ? official_ids : staff_ids).push_back(pid);
      ++st.staff;
    }
    // Communication: one meeting per village (children and carers), two school sessions.
    auto funding = [&](auto lines, int64_t vnd, s::FundingSource src) {
      auto f = lines[0];
      f.initAmount().setVnd(vnd);
      f.setSource(src);
      f.setFunder(src == s::FundingSource::STATE_BUDGET ? "ngân sách xã" : "ILO ENHANCE");
    };
    for (uint32_t v = 0; v < cp.villages + 2; ++v) {
      auto c = communications[next_comm++];
      SetId(c.initId(), RandomId(r));
      rules::ToSchemaDate(DayOfYear(year, r.Below(365)), c.initDate());
      c.setUnitCode(cm.code);
      const bool school = v >= cp.villages;
      std::vector<std::pair<core::Uuid, s::AudienceGroup>> who;
      if (!school) {
        c.setVillageCode(village_code(v));
        c.setKind(s::CommunicationKind::MEETING);
        c.setTitle("Phòng ngừa lao động trẻ em tại thôn");
        for (const auto& id : village_children[v])
          if (r.Chance(0.3)) who.emplace_back(id, s::AudienceGroup::CHILDREN);
        for (const auto& id : village_carers[v])
          if (r.Chance(0.5)) who.emplace_back(id, s::AudienceGroup::PARENTS_AND_CARERS);
      } else {
        c.setKind(s::CommunicationKind::SCHOOL);
        c.setTitle("Sinh hoạt ngoại khóa: quyền trẻ em");
        for (auto& vc : village_children)
          for (const auto& id : vc)
            if (r.Chance(0.1)) who.emplace_back(id, s::AudienceGroup::CHILDREN);
        for (const auto& id : staff_ids)
          if (r.Chance(0.5)) who.emplace_back(id, s::AudienceGroup::EDUCATION_STAFF);
      }
      auto parts = c.initParticipants(static_cast<unsigned>(who.size()));
      for (unsigned i = 0; i < who.size(); ++i) {
        SetId(parts[i].initPersonId(), who[i].first);
        parts[i].setGroup(who[i].second);
      }
      st.participants += who.size();
      auto hc = c.initHeadCounts(1)[0];
      hc.setGroup(s::AudienceGroup::COMMUNITY);
      hc.setCount(10 + r.Below(60));
      funding(
          c.initFunding(1), 500000 + 100000 * r.Below(20),
          r.Chance(0.7) ? s::FundingSource::STATE_BUDGET : s::FundingSource::INTERNATIONAL_DONOR);
      c.setOrganiser("UBND xã");
      ++st.communications;
    }
    // One training of commune officials and employers.
    {
      auto t = trainings[next_train++];
      SetId(t.initId(), RandomId(r));
      rules::ToSchemaDate(DayOfYear(year, r.Below(360)), t.initDate());
      t.setUnitCode(cm.code);
      t.setOrganiserLevel(s::AdminLevel::COMMUNE);
      t.setTopic(s::TrainingTopic::CHILD_LABOUR_LAW);
      t.setTitle("Tập huấn pháp luật về lao động trẻ em");
      std::vector<core::Uuid> who;
      for (const auto& id : official_ids)
        if (r.Chance(0.75)) who.push_back(id);
      auto parts = t.initParticipants(static_cast<unsigned>(who.size()));
      for (unsigned i = 0; i < who.size(); ++i) {
        SetId(parts[i].initPersonId(), who[i]);
        parts[i].setGroup(s::AudienceGroup::COMMUNE_OFFICIALS);
      }
      st.participants += who.size();
      std::vector<core::Uuid> orgs;
      for (const auto& id : est_ids)
        if (r.Chance(0.5)) orgs.push_back(id);
      auto ol = t.initOrganisationIds(static_cast<unsigned>(orgs.size()));
      for (unsigned i = 0; i < orgs.size(); ++i) SetId(ol[i], orgs[i]);
      t.setHours(8);
      funding(t.initFunding(1), 3000000, s::FundingSource::STATE_BUDGET);
      ++st.trainings;
    }
    // Inspections of establishments.
    for (uint32_t k = 0; k < cp.inspections; ++k) {
      auto in = inspections[next_insp++];
      SetId(in.initId(), RandomId(r));
      SetId(in.initEstablishmentId(), est_ids[r.Below(static_cast<uint32_t>(est_ids.size()))]);
      rules::ToSchemaDate(DayOfYear(year, r.Below(365)), in.initDate());
      in.setUnitCode(cm.code);
      in.setAgency("Đoàn kiểm tra liên ngành xã");
      if (r.Chance(0.3)) {
        auto f = in.initFindings(1)[0];
        f.setCode("EXCESS_HOURS_U15");
        f.setChildrenAffected(1 + r.Below(3));
        auto sa = in.initSanction();
        sa.setStatus(r.Chance(0.5) ? s::SanctionStatus::DECIDED : s::SanctionStatus::PAID);
        sa.initFineImposed().setVnd(5000000 + 1000000 * r.Below(20));
      } else {
        in.initSanction().setStatus(s::SanctionStatus::NONE);
      }
      funding(in.initFunding(1), 1000000, s::FundingSource::STATE_BUDGET);
      ++st.inspections;
    }
  }
  // Provincial officials and their trainings.
  for (size_t pi = 0; pi < provinces.size(); ++pi) {
    Rng r(Mix(o.seed, 0x300000000ULL + pi));
    std::vector<core::Uuid> who;
    for (uint32_t k = 0; k < kProvincialOfficials; ++k) {
      auto [pid, p] = new_person(r, 0.6);
      SetDate(p.initBirthDate().initDate(), year - 28 - static_cast<int>(r.Below(30)), 6, 15);
      p.setEthnicity(s::Ethnicity::KINH);
      p.setCommuneCode(provinces[pi]);
      p.initRoles(1).set(0, s::PersonRole::PROVINCIAL_OFFICIAL);
      if (r.Chance(0.9)) who.push_back(pid);
      ++st.staff;
    }
    auto t = trainings[next_train++];
    SetId(t.initId(), RandomId(r));
    rules::ToSchemaDate(core::Date(year, 3, 10), t.initDate());
    rules::ToSchemaDate(core::Date(year, 3, 12), t.initEndDate());
    t.setUnitCode(provinces[pi]);
    t.setOrganiserLevel(s::AdminLevel::PROVINCE);
    t.setTopic(s::TrainingTopic::CASE_MANAGEMENT);
    t.setTitle("Tập huấn quản lý trường hợp");
    auto parts = t.initParticipants(static_cast<unsigned>(who.size()));
    for (unsigned i = 0; i < who.size(); ++i) {
      SetId(parts[i].initPersonId(), who[i]);
      parts[i].setGroup(s::AudienceGroup::PROVINCIAL_OFFICIALS);
    }
    st.participants += who.size();
    ++st.trainings;
  }
  st.households = total_households;
  st.persons = next_person;

  // ---- work activities ----
  {
    auto list = out.initWorkActivities(static_cast<unsigned>(activities.size()));
    Rng r(Mix(o.seed, 0x400000000ULL));
    for (unsigned i = 0; i < activities.size(); ++i) {
      const ActivitySpec& a = activities[i];
      auto w = list[i];
      SetId(w.initId(), a.id);
      SetId(w.initChildId(), a.child);
      if (a.employer.hi != 0 || a.employer.lo != 0) SetId(w.initEstablishmentId(), a.employer);
      rules::ToSchemaDate(a.on, w.initObservedOn());
      w.setJobCode(a.job->code);
      w.setWorkplaceCode(a.job->workplace);
      w.setHoursPerDay(static_cast<double>(static_cast<int>(a.hours_day * 2)) / 2);
      w.setHoursPerWeek(static_cast<double>(static_cast<int>(a.hours_week)));
      w.setNightWork(a.night);
      w.setPayment(a.employer.hi != 0 ? s::PaymentKind::PAID : s::PaymentKind::UNPAID_FAMILY);
      w.setChoreHoursPerWeek(static_cast<double>(r.Below(20)));
      if (a.employer.hi != 0) {
        auto cf = w.initCompliance();
        cf.setParentConsent(r.Chance(0.5));
        cf.setWrittenContract(r.Chance(0.2));
      }
      if (r.Chance(0.02)) w.setHazardousConditions(true);
    }
    st.activities = activities.size();
  }

  // ---- risk screens (scored by the RD-9 screen) ----
  {
    const rules::RiskScreen* screen = Screen();
    auto list = out.initRiskAssessments(static_cast<unsigned>(screens.size()));
    Rng r(Mix(o.seed, 0x500000000ULL));
    std::vector<std::pair<std::string, rules::RiskAnswer>> answers;
    for (unsigned i = 0; i < screens.size(); ++i) {
      const ScreenSpec& sp = screens[i];
      auto k = list[i];
      SetId(k.initId(), RandomId(r));
      SetId(k.initChildId(), sp.child);
      rules::ToSchemaDate(sp.on, k.initDate());
      auto as = k.initAssessor();
      as.setUserId("worker");
      as.setRole(s::Role::COMMUNE_WORKER);
      answers.clear();
      auto yn = [](bool b) { return b ? rules::RiskAnswer::kYes : rules::RiskAnswer::kNo; };
      answers.emplace_back("school.dropped_out", yn(sp.facts & 1));
      answers.emplace_back("school.irregular", yn(sp.facts & 2));
      answers.emplace_back("household.poor", yn(sp.facts & 4));
      answers.emplace_back("household.near_poor", yn(sp.facts & 8));
      answers.emplace_back("child.ethnic_minority", yn(sp.facts & 16));
      answers.emplace_back("child.male", yn(sp.facts & 32));
      answers.emplace_back("child.age_12_17", yn(sp.facts & 64));
      answers.emplace_back("activity.near_threshold", yn((sp.facts & 128) && r.Chance(0.5)));
      answers.emplace_back("family.without_parents", yn(r.Chance(0.08)));
      answers.emplace_back("mobility.left_behind", yn(r.Chance(0.12)));
      auto req = k.initRequest();
      req.setScreenId("RISK-RD9");
      auto al = req.initAnswers(static_cast<unsigned>(answers.size()));
      for (unsigned j = 0; j < answers.size(); ++j) {
        al[j].setFactor(answers[j].first);
        al[j].setAnswer(static_cast<s::RiskAnswerValue>(answers[j].second));
      }
      if (screen != nullptr) {
        auto res = screen->Screen(answers, false);
        if (res.ok()) {
          auto rr = k.initResult();
          rr.setScreenId(screen->id());
          rr.setVersion(screen->version());
          rr.setScore(res->score);
          rr.setMaxScore(res->max_score);
          rr.setLevel(static_cast<s::RiskLevel>(res->level));
          rr.setProtectionLevel(static_cast<s::ProtectionLevel>(res->protection));
          rr.setUnanswered(res->unanswered);
          rr.setMediumThreshold(screen->medium_threshold());
          rr.setHighThreshold(screen->high_threshold());
        }
      }
    }
    st.risk_screens = screens.size();
  }

  // ---- cases with deadlines, follow-ups; referrals ----
  {
    Rng r(Mix(o.seed, 0x600000000ULL));
    auto list = out.initCases(static_cast<unsigned>(cases.size()));
    struct RefSpec {
      core::Uuid id, case_id;
      int64_t at;
      s::ServiceType service;
      int progress;  // 0 requested .. 3 completed, 4 declined
    };
    std::vector<RefSpec> refs;
    const int64_t year_start = cases::StartOfLocalDay(core::Date(year, 1, 1));
    const int64_t now = Micros(core::Date(year + 1, 1, 15));
    for (unsigned i = 0; i < cases.size(); ++i) {
      const CaseSpec& cs = cases[i];
      auto c = list[i];
      SetId(c.initId(), cs.id);
      SetId(c.initChildId(), cs.child);
      c.setUnitCode(cs.unit);
      c.setKind(cs.kind);
      // 10% were received the year before.
      const int64_t received = year_start - (r.Chance(0.1) ? 365 * kDay : 0) +
                               static_cast<int64_t>(r.Below(360)) * kDay +
                               static_cast<int64_t>(r.Below(86400)) * 1000000;
      auto n = c.initNotification();
      n.setSource(r.Chance(0.4)   ? s::NotificationSource::VILLAGE
                  : r.Chance(0.5) ? s::NotificationSource::SCREENING
                                  : s::NotificationSource::HOTLINE111);
      n.initReceivedAt().setMicros(received);
      c.setLevel(s::ProtectionLevel::SUPPORT);
      // Progress: 0 reported, 1 assessed, 2 in progress, 3 closed.
      const uint32_t pr = r.Below(100);
      int progress = pr < 8 ? 0 : pr < 25 ? 1 : pr < 70 ? 2 : 3;
      const int64_t assessed = received + (2 + r.Below(60)) * kHour;
      const int64_t in_progress = assessed + (3 + r.Below(20)) * kDay;
      int64_t closed = in_progress + (30 + r.Below(200)) * kDay;
      if (closed > now) progress = std::min(progress, 2);
      if (in_progress > now) progress = std::min(progress, 1);
      if (assessed > now) progress = 0;
      std::vector<std::pair<s::CaseState, int64_t>> hist = {{s::CaseState::REPORTED, received}};
      if (progress >= 1) hist.emplace_back(s::CaseState::INITIAL_ASSESSED, assessed);
      if (progress >= 2) hist.emplace_back(s::CaseState::IN_PROGRESS, in_progress);
      if (progress >= 3) hist.emplace_back(s::CaseState::CLOSED, closed);
      c.setState(hist.back().first);
      auto hl = c.initHistory(static_cast<unsigned>(hist.size()));
      for (unsigned j = 0; j < hist.size(); ++j) {
        hl[j].setFrom(j == 0 ? hist[0].first : hist[j - 1].first);
        hl[j].setTo(hist[j].first);
        hl[j].initAt().setMicros(hist[j].second);
        auto a = hl[j].initActor();
        a.setUserId("worker");
        a.setRole(s::Role::COMMUNE_WORKER);
      }
      // Deadlines: emergency decision (12 h) for a tenth, plan draft (5 working days ~ 7 days).
      bool in_time = true;
      std::vector<std::tuple<s::DeadlineKind, int64_t, int64_t, s::DeadlineStatus, int64_t, bool>>
          dls;
      if (r.Chance(0.1)) {
        const bool late = r.Chance(0.1);
        dls.emplace_back(s::DeadlineKind::EMERGENCY_DECISION, received, received + 12 * kHour,
                         late ? s::DeadlineStatus::MET_LATE : s::DeadlineStatus::MET,
                         received + (late ? 14 : 6) * kHour, true);
        in_time &= !late;
      }
      if (progress >= 1) {
        const int64_t due = assessed + 7 * kDay;
        if (progress >= 2) {
          const bool late = r.Chance(0.08);
          const int64_t met = late ? due + 2 * kDay : assessed + 4 * kDay;
          dls.emplace_back(s::DeadlineKind::PLAN_DRAFT, assessed, due,
                           late ? s::DeadlineStatus::MET_LATE : s::DeadlineStatus::MET, met, true);
          in_time &= !late;
          if (progress == 2) {
            dls.emplace_back(s::DeadlineKind::REVIEW, in_progress, in_progress + 90 * kDay,
                             s::DeadlineStatus::OPEN, 0, false);
          }
        } else {
          dls.emplace_back(s::DeadlineKind::PLAN_DRAFT, assessed, due, s::DeadlineStatus::OPEN, 0,
                           true);
        }
      }
      auto dl = c.initDeadlines(static_cast<unsigned>(dls.size()));
      for (unsigned j = 0; j < dls.size(); ++j) {
        const auto& [kind, started, due, status, closed_at, legal] = dls[j];
        dl[j].setKind(kind);
        dl[j].initStartedAt().setMicros(started);
        dl[j].initDueAt().setMicros(due);
        dl[j].setStatus(status);
        dl[j].initClosedAt().setMicros(closed_at);
        dl[j].setLegal(legal);
        dl[j].setCitation("Decree 56/2017/ND-CP");
      }
      st.deadlines += dls.size();
      c.setInTime(in_time);
      if (progress >= 1) {
        c.setHasInitialAssessment(true);
        auto ia = c.initInitialAssessment();
        ia.initAssessedAt().setMicros(assessed);
        ia.setLevel(s::ProtectionLevel::SUPPORT);
      }
      if (progress >= 2) {
        const unsigned nf = 1 + r.Below(3);
        auto fl = c.initFollowUps(nf);
        for (unsigned j = 0; j < nf; ++j)
          fl[j].initVisitedAt().setMicros(in_progress + (20 + 30 * j) * kDay);
      }
      if (progress == 3) {
        auto cl = c.initClosure();
        cl.initClosedAt().setMicros(closed);
        cl.setReason(s::ClosureReason::RESOLVED);
      }
      if (progress >= 1 && r.Chance(0.7)) {
        const int nr = r.Chance(0.3) ? 2 : 1;
        for (int j = 0; j < nr; ++j) {
          const uint32_t sv = r.Below(100);
          const s::ServiceType service = sv < 30   ? s::ServiceType::RE_ENROLMENT
                                         : sv < 45 ? s::ServiceType::GENERAL_EDUCATION
                                         : sv < 55 ? s::ServiceType::VOCATIONAL_TRAINING
                                         : sv < 75 ? s::ServiceType::CASH_ASSISTANCE
                                         : sv < 90 ? s::ServiceType::PSYCHOLOGICAL
                                                   : s::ServiceType::MEDICAL;
          refs.push_back({RandomId(r), cs.id, assessed + (1 + r.Below(10)) * kDay, service,
                          static_cast<int>(r.Below(5))});
        }
      }
    }
    st.cases = cases.size();
    auto rl = out.initReferrals(static_cast<unsigned>(refs.size()));
    for (unsigned i = 0; i < refs.size(); ++i) {
      const RefSpec& rs = refs[i];
      auto rf = rl[i];
      SetId(rf.initId(), rs.id);
      SetId(rf.initCaseId(), rs.case_id);
      rf.setService(rs.service);
      rf.initRequestedAt().setMicros(rs.at);
      rules::ToSchemaDate(
          core::FromDayNumber(static_cast<core::DayNumber>((rs.at + 30 * kDay) / kDay)),
          rf.initDueBy());
      auto cons = rf.initConsent();
      cons.setGiven(true);
      cons.setGivenBy("mother");
      std::vector<std::pair<s::ReferralStatus, int64_t>> hist = {
          {s::ReferralStatus::REQUESTED, rs.at}};
      if (rs.progress == 4) {
        hist.emplace_back(s::ReferralStatus::DECLINED, rs.at + 3 * kDay);
      } else {
        if (rs.progress >= 1) hist.emplace_back(s::ReferralStatus::ACCEPTED, rs.at + 2 * kDay);
        if (rs.progress >= 2) hist.emplace_back(s::ReferralStatus::IN_PROGRESS, rs.at + 5 * kDay);
        if (rs.progress >= 3) hist.emplace_back(s::ReferralStatus::COMPLETED, rs.at + 40 * kDay);
      }
      rf.setStatus(hist.back().first);
      auto hl = rf.initHistory(static_cast<unsigned>(hist.size()));
      for (unsigned j = 0; j < hist.size(); ++j) {
        hl[j].setStatus(hist[j].first);
        hl[j].initAt().setMicros(hist[j].second);
      }
    }
    st.referrals = refs.size();
  }

  // ---- commitments of a third of the establishments ----
  {
    Rng r(Mix(o.seed, 0x700000000ULL));
    std::vector<unsigned> which;
    for (unsigned e = 0; e < establishments.size(); ++e)
      if (r.Chance(0.35)) which.push_back(e);
    auto ml = out.initCommitments(static_cast<unsigned>(which.size()));
    for (unsigned i = 0; i < which.size(); ++i) {
      auto m = ml[i];
      SetId(m.initId(), RandomId(r));
      auto est = establishments[which[i]].getId();
      SetId(m.initEstablishmentId(), core::Uuid{est.getHi(), est.getLo()});
      const core::Date signed_on = DayOfYear(year - 1, r.Below(365));
      rules::ToSchemaDate(signed_on, m.initSignedOn());
      const bool breached = r.Chance(0.05);
      m.setStatus(breached ? s::CommitmentStatus::BREACHED : s::CommitmentStatus::ACTIVE);
      auto hl = m.initHistory(breached ? 2 : 1);
      hl[0].setStatus(s::CommitmentStatus::ACTIVE);
      rules::ToSchemaDate(signed_on, hl[0].initOn());
      if (breached) {
        hl[1].setStatus(s::CommitmentStatus::BREACHED);
        rules::ToSchemaDate(DayOfYear(year, r.Below(365)), hl[1].initOn());
      }
    }
    st.commitments = which.size();
  }
  return st;
}

SurveyCsv GenerateSurveyCsv(uint64_t seed, uint64_t children, std::string_view commune_code) {
  static const char* const kEthnic[] = {"Kinh", "Kinh", "Kinh", "Kinh",  "Kinh",
                                        "Kinh", "Tày",  "Thái", "Mường", "H'Mông"};
  SurveyCsv f;
  f.households =
      "\xEF\xBB\xBF"
      "household_key,commune_code,village,poverty_status,poverty_year,residence,"
      "craft_village\r\n";
  f.children =
      "\xEF\xBB\xBF"
      "child_key,household_key,full_name,sex,birth_date,ethnicity,national_id,"
      "school_status,grade,dropped_out_on,disability,special_groups,relationship\r\n";
  f.households.reserve(children * 25);
  f.children.reserve(children * 110);
  Rng r(Mix(seed, 0x800000000ULL));
  Rng hr(Mix(seed, 0x900000000ULL));
  uint64_t c = 0;
  for (uint64_t hh = 0; c < children; ++hh) {
    const uint32_t u = r.Below(1000);
    const char* poverty = u < 40 ? "nghèo" : u < 90 ? "cận nghèo" : "none";
    const char* craft = r.Chance(0.03) ? "x" : "";
    f.households +=
        absl::StrCat("H", hh, ",", std::string(commune_code), ",Thôn ", 1 + r.Below(12), ",");
    f.households += absl::StrCat(poverty, ",2024,rural,", craft, "\r\n");
    ++f.household_rows;
    const uint32_t kids = HouseholdChildren(hr);
    for (uint32_t k = 0; k < kids && c < children; ++k, ++c) {
      const bool male = r.Chance(0.515);
      const int age = 5 + static_cast<int>(r.Below(13));
      const core::Date birth = DayOfYear(2024 - age, r.Below(365));
      std::string name = Name(r, male);
      if (r.Chance(0.05)) name = absl::StrCat("\"", name, ", con\"");
      const uint32_t sv = r.Below(100);
      const bool dropped = age >= 11 && sv < (age >= 15 ? 12 : 2);
      const char* school = dropped ? "bỏ học" : sv > 97 ? "irregular" : "enrolled";
      const std::string nid = r.Chance(0.6) ? absl::StrCat("0", 38200000000ULL + c) : "";
      const char* sex = male ? "nam" : "nữ";
      const char* special = r.Chance(0.05) ? "k.1" : "";
      f.children += absl::StrCat("C", c, ",H", hh, ",", name, ",", sex, ",");
      f.children += absl::StrCat(core::FormatDate(birth), ",", kEthnic[r.Below(10)], ",", nid, ",",
                                 school, ",");
      f.children += absl::StrCat(std::clamp(age - 5, 0, 12), ",", dropped ? "2024-09-05" : "",
                                 ",không,", special, ",con\r\n");
      ++f.child_rows;
    }
  }
  return f;
}

}  // namespace treem::synth
