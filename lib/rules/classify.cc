#include "rules/classify.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "internal/status_macros.h"

namespace treem::rules {

using internal::Sv;

namespace {

bool IsZero(schema::Date::Reader d) {
  return d.getYear() == 0 && d.getMonth() == 0 && d.getDay() == 0;
}

absl::StatusOr<uint16_t> HoursToMinutes(double h, double max, std::string_view field) {
  if (std::isnan(h)) return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": not a number"));
  if (h < 0) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": ", h, " is negative"));
  }
  if (h > max) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": ", h, " exceeds ", max));
  }
  return static_cast<uint16_t>(std::lround(h * 60));
}

absl::StatusOr<uint16_t> ClockMinutes(schema::TimeOfDay::Reader t, std::string_view field) {
  if (t.getHour() > 23) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ".hour: ", t.getHour(), " is not in 0..23"));
  }
  if (t.getMinute() > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ".minute: ", t.getMinute(), " is not in 0..59"));
  }
  return static_cast<uint16_t>(t.getHour() * 60 + t.getMinute());
}

std::string FormatHours(uint16_t minutes) {
  if (minutes % 60 == 0) return absl::StrCat(minutes / 60);
  double h = minutes / 60.0;
  std::string s = absl::StrFormat("%.2f", h);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

std::string CodeText(const RuleRegistry& reg, const PreparedActivity& p, uint16_t idx,
                     const char* field) {
  if (idx != 0) return reg.codes().entry(idx).code;
  for (const UnknownCodeRef& u : p.unknown_codes) {
    if (std::string_view(u.field) == field) return u.code.empty() ? "(none)" : u.code;
  }
  return "(none)";
}

schema::ClassificationOutcome ToSchema(Outcome o) {
  return static_cast<schema::ClassificationOutcome>(static_cast<uint16_t>(o));
}
schema::SdgStatus ToSchema(SdgStatus s) {
  return static_cast<schema::SdgStatus>(static_cast<uint16_t>(s));
}

void FillRuleSetRef(const RuleSet& rs, schema::RuleSetRef::Builder out) {
  const RuleSetInfo& i = rs.info();
  out.setId(i.id);
  out.setVersion(i.version);
  out.setKind(static_cast<schema::RuleSetKind>(static_cast<uint16_t>(i.kind)));
  ToSchemaDate(i.effective_from, out.initEffectiveFrom());
  if (!i.effective_to.is_special()) ToSchemaDate(i.effective_to, out.initEffectiveTo());
  out.setName(i.name);
  auto c = out.initCitation();
  c.setInstrument(i.instrument);
  c.setArticle(i.article);
  c.setConfidence(static_cast<schema::Confidence>(static_cast<uint16_t>(i.confidence)));
  c.setNote(i.note);
}

void FillViolations(const RuleRegistry& reg, const PreparedActivity& p, const RuleSet& rs,
                    uint32_t fired, uint32_t undetermined, uint8_t age,
                    capnp::List<schema::Violation>::Builder list) {
  const std::string job = CodeText(reg, p, p.compact.job, "jobCode");
  const std::string wp = CodeText(reg, p, p.compact.workplace, "workplaceCode");
  unsigned k = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const uint32_t mask = pass == 0 ? fired : undetermined;
    for (size_t i = 0; i < rs.rows().size(); ++i) {
      if (!(mask & (uint32_t{1} << i))) continue;
      const RuleRow& row = rs.rows()[i];
      auto v = list[k++];
      v.setCode(row.code);
      v.setRow(row.row);
      v.setStatus(pass == 0 ? schema::RuleStatus::FIRED : schema::RuleStatus::UNDETERMINED);
      v.setSeverity(ToSchema(row.severity));
      auto c = v.initCitation();
      c.setInstrument(row.instrument);
      c.setArticle(row.article);
      c.setConfidence(static_cast<schema::Confidence>(static_cast<uint16_t>(row.confidence)));
      if (row.fine_known) {
        v.setFineKnown(true);
        auto f = v.initFine();
        f.initMin().setVnd(row.fine_min_vnd);
        f.initMax().setVnd(row.fine_max_vnd);
      }
      std::string text = absl::StrReplaceAll(
          row.explanation, {{"{age}", absl::StrCat(age)},
                            {"{job}", job},
                            {"{workplace}", wp},
                            {"{hours_day}", FormatHours(p.compact.minutes_day)},
                            {"{hours_week}", FormatHours(p.compact.minutes_week)},
                            {"{chore_week}", FormatHours(p.compact.chore_minutes_week)}});
      if (pass == 1) {
        text = absl::StrCat(
            "UNKNOWN_CODE: this rule depends on a code the loaded lists do not "
            "contain, so it was not applied. ",
            text);
      }
      v.setExplanation(text);
    }
  }
}

schema::LegalAgeBand ToSchemaLegal(core::LegalBand b) {
  return static_cast<schema::LegalAgeBand>(static_cast<uint16_t>(b));
}
schema::StatAgeBand ToSchemaStat(core::StatBand b) {
  return static_cast<schema::StatAgeBand>(static_cast<uint16_t>(b));
}

}  // namespace

absl::StatusOr<core::Date> FromSchemaDate(schema::Date::Reader d, std::string_view field) {
  if (IsZero(d)) return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": not set"));
  return core::MakeDate(d.getYear(), d.getMonth(), d.getDay(), field);
}

void ToSchemaDate(core::Date d, schema::Date::Builder out) {
  auto ymd = d.year_month_day();
  out.setYear(static_cast<int16_t>(ymd.year));
  out.setMonth(static_cast<uint8_t>(ymd.month));
  out.setDay(static_cast<uint8_t>(ymd.day));
}

absl::StatusOr<core::Date> ActivityDate(schema::WorkActivity::Reader a, std::string_view field) {
  if (a.hasObservedOn() && !IsZero(a.getObservedOn())) {
    return FromSchemaDate(a.getObservedOn(), absl::StrCat(Sv(field), ".observedOn"));
  }
  if (a.hasReferenceWeekStart() && !IsZero(a.getReferenceWeekStart())) {
    TREEM_ASSIGN_OR_RETURN(
        core::Date start,
        FromSchemaDate(a.getReferenceWeekStart(), absl::StrCat(Sv(field), ".referenceWeekStart")));
    return start + boost::gregorian::days(6);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Sv(field), ": observedOn or referenceWeekStart is required"));
}

absl::StatusOr<PreparedActivity> PrepareActivity(const RuleRegistry& reg,
                                                 const core::BirthDate& birth,
                                                 schema::WorkActivity::Reader a,
                                                 std::string_view legal_id,
                                                 std::string_view stat_id, std::string_view field) {
  PreparedActivity p;
  TREEM_ASSIGN_OR_RETURN(p.date, ActivityDate(a, field));
  const std::string date_field = absl::StrCat(Sv(field), " date");
  TREEM_ASSIGN_OR_RETURN(p.age, core::AgeOn(birth, p.date, date_field));
  if (p.age.age >= 18) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(date_field),
                     ": the person is 18 or over on this date; only children under 18 are in "
                     "scope of child-labour classification"));
  }
  p.estimated = birth.estimated;
  TREEM_ASSIGN_OR_RETURN(p.legal, reg.Select(RuleSetKind::kLegal, legal_id, p.date));
  TREEM_ASSIGN_OR_RETURN(p.stat, reg.Select(RuleSetKind::kStatistical, stat_id, p.date));

  CompactActivity& c = p.compact;
  c.birth_ymd = PackYmd(birth.date);
  c.date_ymd = PackYmd(p.date);
  TREEM_ASSIGN_OR_RETURN(c.minutes_day, HoursToMinutes(a.getHoursPerDay(), 24,
                                                       absl::StrCat(Sv(field), ".hoursPerDay")));
  TREEM_ASSIGN_OR_RETURN(c.minutes_week, HoursToMinutes(a.getHoursPerWeek(), 168,
                                                        absl::StrCat(Sv(field), ".hoursPerWeek")));
  TREEM_ASSIGN_OR_RETURN(
      c.chore_minutes_week,
      HoursToMinutes(a.getChoreHoursPerWeek(), 168, absl::StrCat(Sv(field), ".choreHoursPerWeek")));
  if (a.hasWorkStart() != a.hasWorkEnd()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": workStart and workEnd must be given together"));
  }
  if (a.hasWorkStart()) {
    TREEM_ASSIGN_OR_RETURN(c.work_start,
                           ClockMinutes(a.getWorkStart(), absl::StrCat(Sv(field), ".workStart")));
    TREEM_ASSIGN_OR_RETURN(c.work_end,
                           ClockMinutes(a.getWorkEnd(), absl::StrCat(Sv(field), ".workEnd")));
  }
  const std::string_view job(a.getJobCode().cStr(), a.getJobCode().size());
  std::string_view workplace(a.getWorkplaceCode().cStr(), a.getWorkplaceCode().size());
  if (workplace.empty()) workplace = "NONE";
  const bool work = c.minutes_day > 0 || c.minutes_week > 0 || !job.empty();
  c.job = reg.codes().Find(job);
  c.workplace = reg.codes().Find(workplace);
  if (work && c.job == 0) p.unknown_codes.push_back({"jobCode", std::string(job)});
  if (work && c.workplace == 0)
    p.unknown_codes.push_back({"workplaceCode", std::string(workplace)});

  uint16_t f = 0;
  auto set = [&f](int bit, bool v) {
    if (v) f = static_cast<uint16_t>(f | (1u << bit));
  };
  const auto est = a.getEstablishmentId();
  set(kFactWork, work);
  set(kFactEmployer, a.hasEstablishmentId() && (est.getHi() != 0 || est.getLo() != 0));
  if (a.hasWorstForms()) {
    auto w = a.getWorstForms();
    set(kFactWorstForm, w.getTrafficking() || w.getForcedLabour() ||
                            w.getCommercialSexualExploitation() || w.getIllicitActivities());
  }
  set(kFactOvertime, a.getOvertime());
  set(kFactNight, a.getNightWork());
  set(kFactSchool, a.getDuringSchoolHours());
  if (a.hasCompliance()) {
    auto k = a.getCompliance();
    set(kFactConsent, k.getParentConsent());
    set(kFactContract, k.getWrittenContract());
    set(kFactRepCosigned, k.getRepresentativeCoSigned());
    set(kFactHealthCert, k.getHealthCertificate());
    set(kFactHealthCheck, k.getHealthCheck6Monthly());
    set(kFactRegister, k.getRegisterKept());
    set(kFactApproval, k.getProvincialApprovalUnder13());
  }
  set(kFactHazardousConditions, a.getHazardousConditions());
  set(kFactHazardousChores, a.getHazardousChores());
  c.flags = f;
  return p;
}

void BuildResult(const RuleRegistry& reg, const PreparedActivity& p, const CompactResult& r,
                 schema::ClassificationResult::Builder out) {
  ToSchemaDate(p.date, out.initActivityDate());
  auto age = out.initAge();
  age.setAge(static_cast<uint8_t>(p.age.age));
  age.setMinAge(static_cast<uint8_t>(p.age.min_age));
  age.setMaxAge(static_cast<uint8_t>(p.age.max_age));
  age.setLegalBand(ToSchemaLegal(p.age.legal_band));
  age.setStatBand(ToSchemaStat(p.age.stat_band));
  age.setLegalBandUncertain(p.age.legal_band_uncertain);
  age.setStatBandUncertain(p.age.stat_band_uncertain);
  age.setEstimated(p.estimated);

  auto legal = out.initLegal();
  FillRuleSetRef(*p.legal, legal.initRuleSet());
  legal.setOutcome(ToSchema(r.outcome));
  legal.setDeterminedOutcome(ToSchema(r.determined));
  FillViolations(reg, p, *p.legal, r.fired, r.undetermined, r.age,
                 legal.initViolations(static_cast<unsigned>(__builtin_popcount(r.fired) +
                                                            __builtin_popcount(r.undetermined))));
  Outcome youngest = r.outcome, oldest = r.outcome;
  if (p.age.min_age != p.age.age) {
    youngest = ClassifyAtAge(*p.legal, nullptr, p.compact, p.age.min_age).outcome;
  }
  if (p.age.max_age != p.age.age) {
    CompactResult o = ClassifyAtAge(*p.legal, nullptr, p.compact, p.age.max_age);
    oldest = o.error == CompactError::kAdult ? Outcome::kNotChildLabour : o.outcome;
  }
  legal.setOutcomeIfYoungest(ToSchema(youngest));
  legal.setOutcomeIfOldest(ToSchema(oldest));

  if (p.stat != nullptr) {
    auto st = out.initStatistical();
    FillRuleSetRef(*p.stat, st.initRuleSet());
    st.setEconomic(ToSchema(r.economic));
    st.setWithChores(ToSchema(r.with_chores));
    st.setHazardous(ToSchema(r.hazardous));
    FillViolations(reg, p, *p.stat, r.stat_fired, r.stat_undetermined, r.age,
                   st.initCriteria(static_cast<unsigned>(__builtin_popcount(r.stat_fired) +
                                                         __builtin_popcount(r.stat_undetermined))));
  }
  auto unk = out.initUnknownCodes(static_cast<unsigned>(p.unknown_codes.size()));
  for (size_t i = 0; i < p.unknown_codes.size(); ++i) {
    unk[static_cast<unsigned>(i)].setField(p.unknown_codes[i].field);
    unk[static_cast<unsigned>(i)].setCode(p.unknown_codes[i].code);
  }
  std::vector<uint16_t> used;
  if (p.compact.job != 0) used.push_back(p.compact.job);
  if (p.compact.workplace != 0 && p.compact.workplace != p.compact.job) {
    used.push_back(p.compact.workplace);
  }
  auto codes = out.initCodes(static_cast<unsigned>(used.size()));
  for (size_t i = 0; i < used.size(); ++i) {
    const CodeEntry& e = reg.codes().entry(used[i]);
    auto b = codes[static_cast<unsigned>(i)];
    b.setCode(e.code);
    b.setFamily(e.family);
    b.setNameVi(e.name_vi);
    b.setNameEn(e.name_en);
    b.setSource(e.source);
    b.setConfidence(static_cast<schema::Confidence>(static_cast<uint16_t>(e.confidence)));
  }
}

namespace {

absl::StatusOr<core::BirthDate> ReadBirth(schema::BirthDate::Reader b) {
  if (!b.hasDate()) return absl::InvalidArgumentError("birthDate.date: not set");
  core::BirthDate birth;
  TREEM_ASSIGN_OR_RETURN(birth.date, FromSchemaDate(b.getDate(), "birthDate.date"));
  birth.estimated = b.getEstimated();
  return birth;
}

std::string_view Text(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }

int Severity(Outcome o) { return o == Outcome::kUnknownCode ? -1 : static_cast<int>(o); }

SdgStatus Combine(SdgStatus a, SdgStatus b) {
  auto rank = [](SdgStatus s) {
    switch (s) {
      case SdgStatus::kYes:
        return 3;
      case SdgStatus::kUnknown:
        return 2;
      case SdgStatus::kNo:
        return 1;
      case SdgStatus::kOutOfScope:
        return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

absl::Status ClassifyRequestInto(const RuleRegistry& reg, schema::ClassifyRequest::Reader req,
                                 schema::ClassificationResult::Builder out) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    TREEM_ASSIGN_OR_RETURN(core::BirthDate birth, ReadBirth(req.getBirthDate()));
    TREEM_ASSIGN_OR_RETURN(PreparedActivity p,
                           PrepareActivity(reg, birth, req.getActivity(), Text(req.getRuleSetId()),
                                           Text(req.getStatisticalRuleSetId()), "activity"));
    CompactResult r = ClassifyCompact(*p.legal, p.stat, p.compact);
    BuildResult(reg, p, r, out);
    return absl::OkStatus();
  });
}

absl::Status ChildVerdictInto(const RuleRegistry& reg, schema::ChildVerdictRequest::Reader req,
                              schema::ChildVerdict::Builder out) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    TREEM_ASSIGN_OR_RETURN(core::BirthDate birth, ReadBirth(req.getBirthDate()));
    TREEM_ASSIGN_OR_RETURN(core::Date start, FromSchemaDate(req.getPeriodStart(), "periodStart"));
    TREEM_ASSIGN_OR_RETURN(core::Date end, FromSchemaDate(req.getPeriodEnd(), "periodEnd"));
    if (end < start) return absl::InvalidArgumentError("periodEnd: before periodStart");
    std::vector<PreparedActivity> prepared;
    std::vector<CompactResult> results;
    uint32_t skipped = 0;
    auto acts = req.getActivities();
    for (unsigned i = 0; i < acts.size(); ++i) {
      const std::string field = absl::StrCat("activities[", i, "]");
      TREEM_ASSIGN_OR_RETURN(core::Date d, ActivityDate(acts[i], field));
      if (d < start || d > end) {
        ++skipped;
        continue;
      }
      TREEM_ASSIGN_OR_RETURN(PreparedActivity p,
                             PrepareActivity(reg, birth, acts[i], Text(req.getRuleSetId()),
                                             Text(req.getStatisticalRuleSetId()), field));
      results.push_back(ClassifyCompact(*p.legal, p.stat, p.compact));
      prepared.push_back(std::move(p));
    }
    Outcome determined = Outcome::kNotChildLabour, potential = Outcome::kNotChildLabour;
    SdgStatus econ = SdgStatus::kOutOfScope, chores = SdgStatus::kOutOfScope,
              haz = SdgStatus::kOutOfScope;
    int worst = -1;
    std::vector<std::string> codes;
    for (size_t i = 0; i < results.size(); ++i) {
      const CompactResult& r = results[i];
      if (worst < 0 ||
          Severity(r.determined) > Severity(results[static_cast<size_t>(worst)].determined)) {
        worst = static_cast<int>(i);
      }
      determined = std::max(determined, r.determined);
      potential = std::max(potential, r.potential);
      econ = Combine(econ, r.economic);
      chores = Combine(chores, r.with_chores);
      haz = Combine(haz, r.hazardous);
      for (size_t k = 0; k < prepared[i].legal->rows().size(); ++k) {
        if (!(r.fired & (uint32_t{1} << k))) continue;
        const std::string& c = prepared[i].legal->rows()[k].code;
        if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
      }
    }
    // Weekly totals for the SDG series: economic hours add up over activities of the same
    // Monday-Sunday week; chores take the largest report (they describe the same household).
    std::map<long, std::vector<size_t>> weeks;
    for (size_t i = 0; i < prepared.size(); ++i) {
      const core::Date& d = prepared[i].date;
      long monday = (d - core::Date(1970, 1, 5)).days();
      monday -= ((monday % 7) + 7) % 7;
      weeks[monday].push_back(i);
    }
    for (const auto& [week, idx] : weeks) {
      if (idx.size() < 2) continue;
      size_t last = idx[0];
      CompactActivity sum = prepared[idx[0]].compact;
      sum.minutes_week = 0;
      sum.chore_minutes_week = 0;
      sum.work_start = sum.work_end = kNoTime;
      bool haz_known = false, haz_unknown = false;
      uint32_t total = 0;
      for (size_t i : idx) {
        const CompactActivity& a = prepared[i].compact;
        total += a.minutes_week;
        sum.chore_minutes_week = std::max(sum.chore_minutes_week, a.chore_minutes_week);
        sum.flags = static_cast<uint16_t>(sum.flags | a.flags);
        if (prepared[i].legal->IsNight(a.work_start, a.work_end)) {
          sum.flags = static_cast<uint16_t>(sum.flags | (1u << kFactNight));
        }
        haz_known = haz_known || (results[i].fired & prepared[i].legal->hazardous_rows()) != 0;
        haz_unknown =
            haz_unknown || (results[i].undetermined & prepared[i].legal->hazardous_rows()) != 0;
        if (prepared[i].date > prepared[last].date) last = i;
      }
      sum.minutes_week = static_cast<uint16_t>(std::min<uint32_t>(total, 168 * 60));
      if (prepared[last].stat == nullptr) continue;
      CompactResult w;
      ClassifyStatistical(*prepared[last].stat, sum, prepared[last].age.age, haz_known, haz_unknown,
                          &w);
      econ = Combine(econ, w.economic);
      chores = Combine(chores, w.with_chores);
      haz = Combine(haz, w.hazardous);
    }
    out.setOutcome(ToSchema(potential > determined ? Outcome::kUnknownCode : determined));
    out.setDeterminedOutcome(ToSchema(determined));
    if (results.empty()) econ = chores = haz = SdgStatus::kNo;
    out.setEconomic(ToSchema(econ));
    out.setWithChores(ToSchema(chores));
    out.setHazardous(ToSchema(haz));
    out.setActivitiesConsidered(static_cast<uint32_t>(results.size()));
    out.setActivitiesSkipped(skipped);
    auto list = out.initResults(static_cast<unsigned>(results.size()));
    for (size_t i = 0; i < results.size(); ++i) {
      BuildResult(reg, prepared[i], results[i], list[static_cast<unsigned>(i)]);
    }
    out.setWorstActivity(worst);
    auto vc = out.initViolationCodes(static_cast<unsigned>(codes.size()));
    for (size_t i = 0; i < codes.size(); ++i) vc.set(static_cast<unsigned>(i), codes[i]);
    return absl::OkStatus();
  });
}

}  // namespace treem::rules
