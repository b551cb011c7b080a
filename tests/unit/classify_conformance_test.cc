// Table-driven conformance suite: tests/conformance/classification_cases.csv. Every row names
// the rule it checks and states the expected outcome, the exact set of violation codes that
// fire (and that are undetermined), the SDG series and the age facts, worked out by hand from
// LEGAL-RULES.md (RD-1 to RD-3), not from the engine.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/api.h"
#include "rules/csv.h"
#include "rules/engine.h"
#include "treem/schema/rules.capnp.h"

namespace treem::rules {
namespace {

struct Case {
  std::vector<std::string> f;
  const std::vector<std::string>* cols;
  std::string Get(const std::string& name) const {
    for (size_t i = 0; i < cols->size(); ++i) {
      if ((*cols)[i] == name) return i < f.size() ? f[i] : "";
    }
    ADD_FAILURE() << "no column " << name;
    return "";
  }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void SetDate(const std::string& iso, schema::Date::Builder d) {
  std::vector<std::string> p = absl::StrSplit(iso, '-');
  ASSERT_EQ(p.size(), 3u) << iso;
  d.setYear(static_cast<int16_t>(std::stoi(p[0])));
  d.setMonth(static_cast<uint8_t>(std::stoi(p[1])));
  d.setDay(static_cast<uint8_t>(std::stoi(p[2])));
}

void SetTime(const std::string& hhmm, schema::TimeOfDay::Builder t) {
  t.setHour(static_cast<uint8_t>(std::stoi(hhmm.substr(0, 2))));
  t.setMinute(static_cast<uint8_t>(std::stoi(hhmm.substr(3, 2))));
}

std::set<std::string> Codes(const std::string& s) {
  std::set<std::string> out;
  if (s.empty()) return out;
  for (absl::string_view p : absl::StrSplit(s, '|')) out.insert(std::string(p));
  return out;
}

const char* BandName(schema::LegalAgeBand b) {
  switch (b) {
    case schema::LegalAgeBand::UNDER13:
      return "LT13";
    case schema::LegalAgeBand::AGE13TO14:
      return "A13_14";
    case schema::LegalAgeBand::AGE15TO17:
      return "A15_17";
    case schema::LegalAgeBand::ADULT:
      return "ADULT";
  }
  return "?";
}

void BuildRequest(const Case& c, schema::ClassifyRequest::Builder req) {
  SetDate(c.Get("birth"), req.initBirthDate().initDate());
  req.getBirthDate().setEstimated(c.Get("estimated") == "1");
  auto a = req.initActivity();
  if (!c.Get("date").empty()) SetDate(c.Get("date"), a.initObservedOn());
  if (!c.Get("week_start").empty()) SetDate(c.Get("week_start"), a.initReferenceWeekStart());
  req.setRuleSetId(c.Get("rule_set"));
  a.setJobCode(c.Get("job"));
  a.setWorkplaceCode(c.Get("workplace"));
  auto num = [&](const char* col) { return c.Get(col).empty() ? 0.0 : std::stod(c.Get(col)); };
  a.setHoursPerDay(num("h_day"));
  a.setHoursPerWeek(num("h_week"));
  a.setChoreHoursPerWeek(num("chores"));
  a.setNightWork(c.Get("night") == "1");
  if (!c.Get("start").empty()) {
    SetTime(c.Get("start"), a.initWorkStart());
    SetTime(c.Get("end"), a.initWorkEnd());
  }
  a.setOvertime(c.Get("overtime") == "1");
  a.setDuringSchoolHours(c.Get("school") == "1");
  if (c.Get("employer") == "1") {
    a.initEstablishmentId().setLo(42);
  }
  std::set<std::string> comp = Codes(c.Get("compliance"));
  if (comp.count("ALL")) {
    comp = {"consent",      "contract", "rep_cosigned", "health_cert",
            "health_check", "register", "approval"};
  }
  if (!c.Get("compliance").empty()) {
    auto k = a.initCompliance();
    k.setParentConsent(comp.count("consent") > 0);
    k.setWrittenContract(comp.count("contract") > 0);
    k.setRepresentativeCoSigned(comp.count("rep_cosigned") > 0);
    k.setHealthCertificate(comp.count("health_cert") > 0);
    k.setHealthCheck6Monthly(comp.count("health_check") > 0);
    k.setRegisterKept(comp.count("register") > 0);
    k.setProvincialApprovalUnder13(comp.count("approval") > 0);
  }
  const std::string worst = c.Get("worst");
  if (!worst.empty()) {
    auto w = a.initWorstForms();
    w.setTrafficking(worst == "trafficking");
    w.setForcedLabour(worst == "forced");
    w.setCommercialSexualExploitation(worst == "csec");
    w.setIllicitActivities(worst == "illicit");
  }
  a.setHazardousConditions(c.Get("haz_cond") == "1");
  a.setHazardousChores(c.Get("haz_chores") == "1");
}

class ClassifyConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text =
        ReadFile(std::string(TREEM_SOURCE_DIR) + "/tests/conformance/classification_cases.csv");
    ASSERT_FALSE(text.empty()) << "classification_cases.csv not found";
    auto rows = ParseCsv(text, "classification_cases.csv");
    ASSERT_TRUE(rows.ok()) << rows.status();
    cols_ = (*rows)[0].fields;
    for (size_t i = 1; i < rows->size(); ++i) cases_.push_back(Case{(*rows)[i].fields, &cols_});
    auto reg = NewRuleRegistry();
    ASSERT_TRUE(reg.ok()) << reg.status();
    reg_ = std::move(*reg);
  }
  std::vector<std::string> cols_;
  std::vector<Case> cases_;
  std::unique_ptr<RuleRegistry> reg_;
};

TEST_F(ClassifyConformanceTest, EveryCaseMatches) {
  ASSERT_GE(cases_.size(), 150u);
  for (const Case& c : cases_) {
    SCOPED_TRACE(c.Get("id") + " [" + c.Get("rule") + "] " + c.Get("note"));
    capnp::MallocMessageBuilder in, out;
    BuildRequest(c, in.initRoot<schema::ClassifyRequest>());
    auto result = out.initRoot<schema::ClassificationResult>();
    absl::Status s = Classify(*reg_, in.getRoot<schema::ClassifyRequest>().asReader(), result);
    const std::string err = c.Get("expect_error");
    if (!err.empty()) {
      ASSERT_FALSE(s.ok());
      EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(err));
      EXPECT_THAT(std::string(s.message()), ::testing::Not(::testing::HasSubstr(c.Get("birth"))))
          << "errors must not contain birth dates";
      continue;
    }
    ASSERT_TRUE(s.ok()) << s;
    auto r = result.asReader();
    auto outcome = static_cast<Outcome>(static_cast<uint16_t>(r.getLegal().getOutcome()));
    EXPECT_EQ(OutcomeName(outcome), c.Get("expect_outcome"));
    if (!c.Get("expect_determined").empty()) {
      auto det = static_cast<Outcome>(static_cast<uint16_t>(r.getLegal().getDeterminedOutcome()));
      EXPECT_EQ(OutcomeName(det), c.Get("expect_determined"));
    }
    std::set<std::string> fired, undetermined;
    for (auto v : r.getLegal().getViolations()) {
      (v.getStatus() == schema::RuleStatus::FIRED ? fired : undetermined)
          .insert(std::string(v.getCode().cStr()));
      EXPECT_GT(v.getCitation().getArticle().size(), 0u);
      EXPECT_GT(v.getExplanation().size(), 0u);
    }
    EXPECT_EQ(fired, Codes(c.Get("expect_fired")));
    EXPECT_EQ(undetermined, Codes(c.Get("expect_undetermined")));
    if (outcome == Outcome::kUnknownCode) {
      EXPECT_GT(r.getUnknownCodes().size(), 0u);
    }
    auto sdg = [&](schema::SdgStatus st) {
      return std::string(SdgStatusName(static_cast<SdgStatus>(static_cast<uint16_t>(st))));
    };
    if (!c.Get("expect_econ").empty()) {
      EXPECT_EQ(sdg(r.getStatistical().getEconomic()), c.Get("expect_econ"));
    }
    if (!c.Get("expect_chores").empty()) {
      EXPECT_EQ(sdg(r.getStatistical().getWithChores()), c.Get("expect_chores"));
    }
    if (!c.Get("expect_haz").empty()) {
      EXPECT_EQ(sdg(r.getStatistical().getHazardous()), c.Get("expect_haz"));
    }
    if (!c.Get("expect_age").empty()) {
      EXPECT_EQ(r.getAge().getAge(), std::stoi(c.Get("expect_age")));
    }
    if (!c.Get("expect_band").empty()) {
      EXPECT_STREQ(BandName(r.getAge().getLegalBand()), c.Get("expect_band").c_str());
    }
    if (!c.Get("expect_band_uncertain").empty()) {
      EXPECT_EQ(r.getAge().getLegalBandUncertain(), c.Get("expect_band_uncertain") == "1");
    }
  }
}

// Every RD-2 row (0-16) of VN-LC2019 and every RD-3 criterion fires in at least one case, and
// every RD-3 threshold has a case at the threshold and one just under it.
TEST_F(ClassifyConformanceTest, CoversEveryRuleRow) {
  std::set<std::string> fired_codes;
  std::set<std::string> rules;
  for (const Case& c : cases_) {
    for (const std::string& code : Codes(c.Get("expect_fired"))) fired_codes.insert(code);
    rules.insert(c.Get("rule"));
  }
  const RuleSet* lc2019 = reg_->Find("VN-LC2019");
  ASSERT_NE(lc2019, nullptr);
  ASSERT_EQ(lc2019->rows().size(), 17u);
  for (const RuleRow& row : lc2019->rows()) {
    EXPECT_TRUE(fired_codes.count(row.code))
        << "no case fires RD-2 row " << row.row << " " << row.code;
  }
  const RuleSet* sdg = reg_->Find("ILO-SDG871");
  ASSERT_NE(sdg, nullptr);
  for (const RuleRow& row : sdg->rows()) {
    bool named = false;
    for (const std::string& r : rules) named = named || r.find(row.code) != std::string::npos;
    EXPECT_TRUE(named) << "no case names RD-3 criterion " << row.code;
  }
}

}  // namespace
}  // namespace treem::rules
