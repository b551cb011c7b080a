#include "indicators/dataset.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cases/deadline_rules.h"
#include "internal/status_macros.h"
#include "rules/classify.h"
#include "rules/engine.h"

namespace treem::indicators {
namespace {

using internal::Sv;
namespace s = schema;

constexpr size_t kMaxNotes = 50;

core::Uuid Id(s::Uuid::Reader u) { return core::Uuid{u.getHi(), u.getLo()}; }

// PackYmd of a plausible schema date, 0 when unset or implausible (month length is checked by
// the rules module for activities; a person's impossible day only shifts age by a day).
uint32_t Ymd(s::Date::Reader d) {
  const int y = d.getYear(), m = d.getMonth(), day = d.getDay();
  if (y < 1400 || y > 9999 || m < 1 || m > 12 || day < 1 || day > 31) return 0;
  return rules::PackYmd(y, m, day);
}

// A view of a Text field (valid while the snapshot is).
std::string_view View(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }

class Builder {
 public:
  Builder(Dataset& d) : d_(d) {}

  uint32_t Key(std::string_view code, std::string_view village) {
    // One reused buffer: no allocation per record once the key is known.
    key_buf_.assign(code.data(), code.size());
    key_buf_ += '|';
    key_buf_.append(village.data(), village.size());
    auto it = keys_.find(key_buf_);
    if (it != keys_.end()) return it->second;
    const uint32_t k = static_cast<uint32_t>(d_.key_code.size());
    keys_.emplace(key_buf_, k);
    d_.key_code.emplace_back(code);
    d_.key_village.emplace_back(village);
    return k;
  }

  void Note(std::string text) {
    if (d_.stats.notes.size() < kMaxNotes) d_.stats.notes.push_back(std::move(text));
  }

  absl::Status Build(s::Snapshot::Reader snap, const rules::RuleRegistry& reg);

 private:
  Dataset& d_;
  absl::flat_hash_map<std::string, uint32_t> keys_;
  std::string key_buf_;
  absl::flat_hash_map<core::Uuid, uint32_t> persons_, cases_, establishments_;
};

// How many records ahead the joins prefetch their hash-table probes.
constexpr unsigned kAhead = 8;

absl::Status Builder::Build(s::Snapshot::Reader snap, const rules::RuleRegistry& reg) {
  // ---- households: place, poverty (latest review), residence, carers ----
  struct HouseholdInfo {
    std::string_view commune, village;  // views into the snapshot
    uint8_t poverty = 0, residence = 0;
  };
  absl::flat_hash_map<core::Uuid, HouseholdInfo> households;
  absl::flat_hash_set<core::Uuid> carers;
  households.reserve(snap.getHouseholds().size());
  auto hh_list = snap.getHouseholds();
  for (unsigned i = 0; i < hh_list.size(); ++i) {
    if (i + kAhead < hh_list.size()) households.prefetch(Id(hh_list[i + kAhead].getId()));
    auto h = hh_list[i];
    HouseholdInfo info{View(h.getCommuneCode()), View(h.getVillageCode()), 0,
                       static_cast<uint8_t>(h.getResidence())};
    int best_year = -1;
    for (auto p : h.getPoverty()) {
      if (static_cast<int>(p.getYear()) >= best_year) {
        best_year = p.getYear();
        info.poverty = static_cast<uint8_t>(p.getStatus());
        if (info.residence == 0) info.residence = static_cast<uint8_t>(p.getResidence());
      }
    }
    for (auto m : h.getMembers()) {
      const bool ended = m.hasLinkedTo() && m.getLinkedTo().getYear() != 0;
      if (m.getIsCarer() && !ended) carers.insert(Id(m.getPersonId()));
    }
    households.emplace(Id(h.getId()), info);
  }

  // ---- persons ----
  auto persons = snap.getPersons();
  const size_t np = persons.size();
  d_.p_id.reserve(np);
  d_.p_key.reserve(np);
  d_.p_birth.reserve(np);
  d_.p_death.reserve(np);
  d_.p_sex.reserve(np);
  d_.p_ethnicity.reserve(np);
  d_.p_poverty.reserve(np);
  d_.p_residence.reserve(np);
  d_.p_roles.reserve(np);
  d_.p_school.reserve(np);
  persons_.reserve(np);
  for (unsigned i = 0; i < np; ++i) {
    if (i + kAhead < np) {
      // The joins probe hash tables at random ids: start the loads a few persons ahead so
      // their cache misses overlap (at national scale the tables are GiBs).
      auto q = persons[i + kAhead];
      const core::Uuid qid = Id(q.getId());
      persons_.prefetch(qid);
      carers.prefetch(qid);
      households.prefetch(Id(q.getHouseholdId()));
    }
    auto p = persons[i];
    const core::Uuid id = Id(p.getId());
    if (!persons_.emplace(id, static_cast<uint32_t>(i)).second) {
      return absl::InvalidArgumentError(absl::StrCat("persons[", i, "].id: duplicate"));
    }
    std::string_view commune = View(p.getCommuneCode()), village = View(p.getVillageCode());
    uint8_t poverty = 0, residence = 0;
    auto hh = households.find(Id(p.getHouseholdId()));
    if (p.hasHouseholdId() && hh != households.end()) {
      if (commune.empty()) {
        commune = hh->second.commune;
        village = hh->second.village;
      }
      poverty = hh->second.poverty;
      residence = hh->second.residence;
    }
    uint8_t roles = 0;
    for (auto r : p.getRoles()) {
      switch (r) {
        case s::PersonRole::EDUCATION_STAFF:
          roles |= kRoleEducationStaff;
          break;
        case s::PersonRole::PARENT_OR_CARER:
          roles |= kRoleParentCarer;
          break;
        case s::PersonRole::COMMUNE_OFFICIAL:
          roles |= kRoleCommuneOfficial;
          break;
        case s::PersonRole::DISTRICT_OFFICIAL:
          roles |= kRoleDistrictOfficial;
          break;
        case s::PersonRole::PROVINCIAL_OFFICIAL:
          roles |= kRoleProvincialOfficial;
          break;
        default:
          break;
      }
    }
    if (carers.contains(id)) roles |= kRoleParentCarer;
    d_.p_id.push_back(id);
    d_.p_key.push_back(Key(commune, village));
    d_.p_birth.push_back(p.hasBirthDate() ? Ymd(p.getBirthDate().getDate()) : 0);
    d_.p_death.push_back(p.hasDeceasedOn() ? Ymd(p.getDeceasedOn()) : 0);
    d_.p_sex.push_back(static_cast<uint8_t>(p.getSex()));
    d_.p_ethnicity.push_back(static_cast<uint8_t>(p.getEthnicity()));
    d_.p_poverty.push_back(poverty);
    d_.p_residence.push_back(residence);
    d_.p_roles.push_back(roles);
    d_.p_school.push_back(p.hasSchool() ? static_cast<uint8_t>(p.getSchool().getAttendance()) : 0);
  }
  d_.stats.persons = np;

  // ---- work activities: classified once ----
  absl::flat_hash_set<std::string> rule_sets;
  auto acts = snap.getWorkActivities();
  for (unsigned i = 0; i < acts.size(); ++i) {
    if (i + kAhead < acts.size()) persons_.prefetch(Id(acts[i + kAhead].getChildId()));
    auto a = acts[i];
    const std::string field = absl::StrCat("workActivities[", i, "]");
    auto pi = persons_.find(Id(a.getChildId()));
    if (pi == persons_.end()) {
      ++d_.stats.activities_skipped;
      Note(absl::StrCat(field, ": skipped: childId: not a registered person"));
      continue;
    }
    auto person = persons[pi->second];
    if (!person.hasBirthDate() || d_.p_birth[pi->second] == 0) {
      ++d_.stats.activities_skipped;
      Note(absl::StrCat(field, ": skipped: the child's birth date is not recorded"));
      continue;
    }
    auto bd = rules::FromSchemaDate(person.getBirthDate().getDate(), "birthDate");
    if (!bd.ok()) {
      ++d_.stats.activities_skipped;
      Note(absl::StrCat(field, ": skipped: the child's birth date is invalid"));
      continue;
    }
    core::BirthDate birth{*bd, person.getBirthDate().getEstimated()};
    auto prepared = internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&] {
      return rules::PrepareActivity(reg, birth, a, "", "", field);
    });
    if (!prepared.ok()) {
      if (absl::StrContains(prepared.status().message(), "18 or over")) {
        ++d_.stats.activities_adult;
      } else {
        ++d_.stats.activities_skipped;
        Note(absl::StrCat("skipped: ", prepared.status().message()));
      }
      continue;
    }
    const rules::CompactResult r =
        rules::ClassifyCompact(*prepared->legal, prepared->stat, prepared->compact);
    uint8_t cls = static_cast<uint8_t>(r.determined);
    if (r.economic == rules::SdgStatus::kYes) cls |= kActSdgEconomic;
    if (r.outcome == rules::Outcome::kUnknownCode) cls |= kActUndetermined;
    d_.a_id.push_back(Id(a.getId()));
    d_.a_person.push_back(pi->second);
    d_.a_day.push_back(prepared->compact.date_ymd);
    d_.a_cls.push_back(cls);
    rule_sets.insert(
        absl::StrCat(prepared->legal->info().id, "@", prepared->legal->info().version));
    if (prepared->stat != nullptr) {
      rule_sets.insert(
          absl::StrCat(prepared->stat->info().id, "@", prepared->stat->info().version));
    }
  }
  d_.stats.activities = d_.a_id.size();
  d_.rule_sets.assign(rule_sets.begin(), rule_sets.end());
  std::sort(d_.rule_sets.begin(), d_.rule_sets.end());

  // ---- risk screens ----
  auto screens = snap.getRiskAssessments();
  for (unsigned i = 0; i < screens.size(); ++i) {
    if (i + kAhead < screens.size()) persons_.prefetch(Id(screens[i + kAhead].getChildId()));
    auto k = screens[i];
    auto pi = persons_.find(Id(k.getChildId()));
    if (pi == persons_.end() || !k.hasResult()) continue;
    const uint32_t day = Ymd(k.getDate());
    if (day == 0) continue;
    d_.k_person.push_back(pi->second);
    d_.k_day.push_back(day);
    d_.k_level.push_back(static_cast<uint8_t>(k.getResult().getLevel()));
  }
  {
    // Sorted by person, then day (stable): a report finds each person's latest screen in one
    // linear pass instead of a hash map (Compute checks the order and falls back otherwise).
    const size_t nk = d_.k_person.size();
    std::vector<uint64_t> order(nk);
    for (size_t k = 0; k < nk; ++k) order[k] = (uint64_t{d_.k_person[k]} << 32) | d_.k_day[k];
    std::vector<uint32_t> perm(nk);
    for (size_t k = 0; k < nk; ++k) perm[k] = static_cast<uint32_t>(k);
    std::stable_sort(perm.begin(), perm.end(),
                     [&](uint32_t a, uint32_t b) { return order[a] < order[b]; });
    Column<uint32_t> person, day;
    Column<uint8_t> level;
    person.reserve(nk);
    day.reserve(nk);
    level.reserve(nk);
    for (uint32_t k : perm) {
      person.push_back(d_.k_person[k]);
      day.push_back(d_.k_day[k]);
      level.push_back(d_.k_level[k]);
    }
    d_.k_person = std::move(person);
    d_.k_day = std::move(day);
    d_.k_level = std::move(level);
  }

  // ---- cases, deadlines, follow-ups, case-plan costs ----
  auto cases = snap.getCases();
  for (unsigned i = 0; i < cases.size(); ++i) {
    auto c = cases[i];
    const uint32_t ci = static_cast<uint32_t>(d_.c_id.size());
    cases_.emplace(Id(c.getId()), ci);
    auto pi = persons_.find(Id(c.getChildId()));
    const uint32_t key = Key(View(c.getUnitCode()), "");
    d_.c_id.push_back(Id(c.getId()));
    d_.c_person.push_back(pi == persons_.end() ? kNone : pi->second);
    d_.c_key.push_back(key);
    d_.c_kind.push_back(static_cast<uint8_t>(c.getKind()));
    d_.c_received.push_back(c.getNotification().getReceivedAt().getMicros());
    d_.c_closed.push_back(
        c.getState() == s::CaseState::CLOSED ? c.getClosure().getClosedAt().getMicros() : 0);
    d_.c_assessed.push_back(
        c.getHasInitialAssessment() ? c.getInitialAssessment().getAssessedAt().getMicros() : 0);
    int64_t in_progress = 0;
    for (auto h : c.getHistory()) {
      if (h.getTo() == s::CaseState::IN_PROGRESS) {
        in_progress = h.getAt().getMicros();
        break;
      }
    }
    d_.c_in_progress.push_back(in_progress);
    // Mirrors cases::SupportedInTime: late once a legal deadline is met late or missed, or at
    // the due instant of an open one.
    int64_t until = std::numeric_limits<int64_t>::max();
    bool any_legal = false;
    for (auto dl : c.getDeadlines()) {
      if (!dl.getLegal()) continue;
      any_legal = true;
      const auto st = dl.getStatus();
      if (st == s::DeadlineStatus::MET_LATE || st == s::DeadlineStatus::MISSED) {
        until = std::numeric_limits<int64_t>::min();
      } else if (st == s::DeadlineStatus::OPEN) {
        until = std::min(until, dl.getDueAt().getMicros());
      }
      d_.d_case.push_back(ci);
      d_.d_kind.push_back(static_cast<uint8_t>(dl.getKind()));
      d_.d_cancelled.push_back(st == s::DeadlineStatus::CANCELLED ? 1 : 0);
      d_.d_started.push_back(dl.getStartedAt().getMicros());
      d_.d_due.push_back(dl.getDueAt().getMicros());
      d_.d_closed.push_back(st == s::DeadlineStatus::OPEN ? 0 : dl.getClosedAt().getMicros());
    }
    if (!any_legal && !c.getInTime()) until = std::numeric_limits<int64_t>::min();
    d_.c_in_time_until.push_back(until);
    for (auto f : c.getFollowUps()) {
      d_.f_case.push_back(ci);
      d_.f_at.push_back(f.getVisitedAt().getMicros());
    }
    auto plans = c.getPlans();
    if (plans.size() > 0) {
      auto plan = plans[plans.size() - 1];
      for (auto sv : plan.getServices()) {
        const int64_t cost = sv.getCost().getVnd();
        if (cost == 0) continue;
        uint32_t day = sv.hasStart() ? Ymd(sv.getStart()) : 0;
        if (day == 0) day = rules::PackYmd(cases::LocalDate(plan.getDraftedAt().getMicros()));
        d_.g_key.push_back(key);
        d_.g_day.push_back(day);
        d_.g_kind.push_back(static_cast<uint8_t>(SpendKind::kCaseServices));
        d_.g_source.push_back(static_cast<uint8_t>(s::FundingSource::UNKNOWN));
        d_.g_amount.push_back(cost);
      }
    }
  }
  d_.stats.cases = d_.c_id.size();

  // ---- referrals ----
  for (auto r : snap.getReferrals()) {
    auto ci = cases_.find(Id(r.getCaseId()));
    if (ci == cases_.end()) {
      Note("referral skipped: caseId: not a case of the snapshot");
      continue;
    }
    d_.r_id.push_back(Id(r.getId()));
    d_.r_case.push_back(ci->second);
    d_.r_service.push_back(static_cast<uint8_t>(r.getService()));
    d_.r_status.push_back(static_cast<uint8_t>(r.getStatus()));
    d_.r_requested.push_back(r.getRequestedAt().getMicros());
    d_.r_due.push_back(r.hasDueBy() ? Ymd(r.getDueBy()) : 0);
    d_.r_hbegin.push_back(static_cast<uint32_t>(d_.h_at.size()));
    for (auto h : r.getHistory()) {
      d_.h_at.push_back(h.getAt().getMicros());
      d_.h_status.push_back(static_cast<uint8_t>(h.getStatus()));
    }
    d_.r_hend.push_back(static_cast<uint32_t>(d_.h_at.size()));
  }
  d_.stats.referrals = d_.r_id.size();

  // ---- establishments ----
  for (auto e : snap.getEstablishments()) {
    const core::Uuid id = Id(e.getId());
    if (!establishments_.emplace(id, static_cast<uint32_t>(d_.e_id.size())).second) continue;
    d_.e_id.push_back(id);
    d_.e_key.push_back(Key(View(e.getCommuneCode()), ""));
    d_.e_kind.push_back(static_cast<uint8_t>(e.getKind()));
  }

  // ---- communication and training reach, head counts, funding ----
  auto funding = [&](auto lines, uint32_t key, uint32_t day, SpendKind kind) {
    for (auto f : lines) {
      d_.g_key.push_back(key);
      d_.g_day.push_back(day);
      d_.g_kind.push_back(static_cast<uint8_t>(kind));
      d_.g_source.push_back(static_cast<uint8_t>(f.getSource()));
      d_.g_amount.push_back(f.getAmount().getVnd());
    }
  };
  auto reach = [&](auto rec, uint8_t kind, uint32_t key, SpendKind spend) {
    const uint32_t from = Ymd(rec.getDate());
    if (from == 0) {
      Note("activity skipped: date: not set");
      return;
    }
    uint32_t to = rec.hasEndDate() ? Ymd(rec.getEndDate()) : 0;
    if (to < from) to = from;
    auto participants = rec.getParticipants();
    for (unsigned j = 0; j < participants.size(); ++j) {
      if (j + kAhead < participants.size())
        persons_.prefetch(Id(participants[j + kAhead].getPersonId()));
      auto pi = persons_.find(Id(participants[j].getPersonId()));
      if (pi == persons_.end()) {
        ++d_.stats.reach_unknown_person;
        continue;
      }
      d_.re_person.push_back(pi->second);
      d_.re_from.push_back(from);
      d_.re_to.push_back(to);
      d_.re_kind.push_back(kind);
    }
    for (auto o : rec.getOrganisationIds()) {
      auto ei = establishments_.find(Id(o));
      if (ei == establishments_.end()) {
        ++d_.stats.reach_unknown_org;
        continue;
      }
      d_.ro_est.push_back(ei->second);
      d_.ro_from.push_back(from);
      d_.ro_to.push_back(to);
      d_.ro_kind.push_back(kind);
    }
    for (auto h : rec.getHeadCounts()) {
      d_.hc_key.push_back(key);
      d_.hc_day.push_back(from);
      d_.hc_count.push_back(h.getCount());
    }
    funding(rec.getFunding(), key, from, spend);
  };
  for (auto c : snap.getCommunications()) {
    reach(c, 0, Key(View(c.getUnitCode()), View(c.getVillageCode())), SpendKind::kCommunication);
  }
  for (auto t : snap.getTrainings()) {
    reach(t, 1, Key(View(t.getUnitCode()), ""), SpendKind::kTraining);
  }

  // ---- inspections ----
  for (auto in : snap.getInspections()) {
    const uint32_t day = Ymd(in.getDate());
    if (day == 0) {
      Note("inspection skipped: date: not set");
      continue;
    }
    uint32_t key;
    auto ei = establishments_.find(Id(in.getEstablishmentId()));
    if (in.getUnitCode().size() > 0 || ei == establishments_.end()) {
      key = Key(View(in.getUnitCode()), "");
    } else {
      key = d_.e_key[ei->second];
    }
    d_.i_id.push_back(Id(in.getId()));
    d_.i_key.push_back(key);
    d_.i_day.push_back(day);
    d_.i_findings.push_back(in.getFindings().size());
    auto sanction = in.getSanction();
    d_.i_sanction.push_back(static_cast<uint8_t>(sanction.getStatus()));
    d_.i_fine.push_back(sanction.getFineImposed().getVnd());
    d_.i_criminal.push_back(sanction.getCriminalReferral() ? 1 : 0);
    d_.i_parent.push_back(in.getSubject() == s::InspectionSubject::PARENT_OR_CARER ? 1 : 0);
    funding(in.getFunding(), key, day, SpendKind::kInspection);
  }

  // ---- commitments ----
  for (auto m : snap.getCommitments()) {
    const uint32_t signed_on = Ymd(m.getSignedOn());
    if (signed_on == 0) {
      Note("commitment skipped: signedOn: not set");
      continue;
    }
    uint32_t key;
    auto ei = establishments_.find(Id(m.getEstablishmentId()));
    if (m.getUnitCode().size() > 0 || ei == establishments_.end()) {
      key = Key(View(m.getUnitCode()), "");
    } else {
      key = d_.e_key[ei->second];
    }
    d_.m_id.push_back(Id(m.getId()));
    d_.m_key.push_back(key);
    d_.m_signed.push_back(signed_on);
    d_.m_valid_to.push_back(m.hasValidTo() ? Ymd(m.getValidTo()) : 0);
    d_.m_status.push_back(static_cast<uint8_t>(m.getStatus()));
    d_.m_hbegin.push_back(static_cast<uint32_t>(d_.mh_day.size()));
    for (auto h : m.getHistory()) {
      d_.mh_day.push_back(Ymd(h.getOn()));
      d_.mh_status.push_back(static_cast<uint8_t>(h.getStatus()));
    }
    d_.m_hend.push_back(static_cast<uint32_t>(d_.mh_day.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Dataset> BuildDataset(s::Snapshot::Reader snapshot, const core::AdminUnits& units,
                                     const DatasetOptions& options) {
  const rules::RuleRegistry* reg = options.registry;
  if (reg == nullptr) {
    TREEM_ASSIGN_OR_RETURN(reg, rules::RuleRegistry::Default());
  }
  Dataset d;
  d.units = units;
  d.resolved = NewKeyResolutionCache();
  Builder b(d);
  TREEM_RETURN_IF_ERROR(internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                                [&] { return b.Build(snapshot, *reg); }));
  return d;
}

}  // namespace treem::indicators
