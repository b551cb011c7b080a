// Classification, child verdict, risk screen and code lists through the C API (<treem.h>
// only). Requests are written in JSON; expectations follow from docs/rules.md (RD-2, RD-3,
// RD-9), not from the engine.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

class Buf {
 public:
  Buf() = default;
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  ~Buf() { treem_buf_dispose(&b_); }
  treem_buf* get() { return &b_; }
  std::string str() const {
    return b_.data ? std::string(reinterpret_cast<const char*>(b_.data), b_.size) : "";
  }
  size_t size() const { return b_.size; }

 private:
  treem_buf b_ = TREEM_BUF_INIT;
};

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }
std::string LastMessage() { return treem_error_last()->message; }

// A ClassifyRequest in JSON: birth date, observation date and the activity's members.
std::string Request(const std::string& birth, const std::string& date,
                    const std::string& activity_members) {
  return R"({"birthDate":{"date":")" + birth + R"("},"activity":{"observedOn":")" + date + "\"" +
         (activity_members.empty() ? "" : "," + activity_members) + "}}";
}

class CapiRules : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(treem_rules_new(&rules_), TREEM_OK) << LastMessage();
    ASSERT_NE(rules_, nullptr);
  }
  void TearDown() override { treem_rules_free(rules_); }

  treem_status Classify(Buf& out, const std::string& json) {
    return treem_classify(out.get(), rules_, Bytes(json), json.size(), TREEM_FORMAT_JSON,
                          TREEM_FORMAT_JSON);
  }

  treem_rules* rules_ = nullptr;
};

TEST_F(CapiRules, ProhibitedJobAt16IsHazardous) {
  Buf out;
  ASSERT_EQ(Classify(out, Request("2008-01-01", "2024-03-10",
                                  R"("jobCode":"ART147-1-e","hoursPerDay":4,"hoursPerWeek":20)")),
            TREEM_OK)
      << LastMessage();
  const std::string json = out.str();
  EXPECT_NE(json.find(R"("outcome":"hazardousChildLabour")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("code":"PROHIBITED_JOB")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("age":16)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("legalBand":"age15to17")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("id":"ILO-SDG871")"), std::string::npos) << json;
}

TEST_F(CapiRules, LightWorkWithinLimitsIsNotChildLabour) {
  Buf out;
  ASSERT_EQ(Classify(out, Request("2010-01-01", "2024-03-10",
                                  R"("jobCode":"TT09-A2-06","hoursPerDay":2,"hoursPerWeek":10)")),
            TREEM_OK)
      << LastMessage();
  EXPECT_NE(out.str().find(R"("outcome":"notChildLabour")"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find(R"("status":"fired")"), std::string::npos) << out.str();
}

TEST_F(CapiRules, BinaryOutputFormatsAreFramed) {
  const std::string req = Request("2010-01-01", "2024-03-10", R"("jobCode":"OTHER")");
  Buf capnp, packed;
  ASSERT_EQ(treem_classify(capnp.get(), rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                           TREEM_FORMAT_CAPNP),
            TREEM_OK)
      << LastMessage();
  EXPECT_GT(capnp.size(), 8u);
  EXPECT_EQ(capnp.size() % 8, 0u);
  ASSERT_EQ(treem_classify(packed.get(), rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                           TREEM_FORMAT_CAPNP_PACKED),
            TREEM_OK);
  EXPECT_GT(packed.size(), 0u);
  EXPECT_LT(packed.size(), capnp.size());
}

TEST_F(CapiRules, UnknownCodeIsReportedNotGuessed) {
  Buf out;
  ASSERT_EQ(Classify(out, Request("2010-01-01", "2024-03-10",
                                  R"("jobCode":"TT09-A2-07","workplaceCode":"TT09-A4-03",)"
                                  R"("hoursPerDay":2,"hoursPerWeek":8)")),
            TREEM_OK);
  const std::string json = out.str();
  EXPECT_NE(json.find(R"("outcome":"unknownCode")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("determinedOutcome":"notChildLabour")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("unknownCodes":[{"field":"workplaceCode","code":"TT09-A4-03"}])"),
            std::string::npos)
      << json;
}

TEST_F(CapiRules, MisuseIsReportedNotCrashed) {
  const std::string req = Request("2010-01-01", "2024-03-10", "");
  Buf out;
  EXPECT_EQ(treem_rules_new(nullptr), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(
      treem_classify(nullptr, rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_classify(out.get(), nullptr, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                           TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_classify(out.get(), rules_, nullptr, 5, TREEM_FORMAT_JSON, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_classify(out.get(), rules_, Bytes(req), req.size(), 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_NE(LastMessage().find("in_fmt"), std::string::npos) << LastMessage();
  EXPECT_EQ(treem_classify(out.get(), rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON, 7),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("out_fmt"), std::string::npos) << LastMessage();
  EXPECT_EQ(out.get()->data, nullptr);
  EXPECT_EQ(treem_judge_child(out.get(), nullptr, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_screen_risk(nullptr, rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_describe_code(out.get(), rules_, nullptr, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_describe_code(out.get(), rules_, "OTHER", -1), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_rules_load_codes(nullptr, Bytes(req), req.size(), "x"), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_rules_load_codes(rules_, nullptr, 3, "x"), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  treem_rules_free(nullptr);
}

TEST_F(CapiRules, MalformedBytesAreInvalidArgument) {
  std::mt19937 rng(20240310);
  std::vector<uint8_t> noise(256);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  Buf out;
  for (treem_format f : {TREEM_FORMAT_CAPNP, TREEM_FORMAT_CAPNP_PACKED, TREEM_FORMAT_JSON}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(treem_classify(out.get(), rules_, noise.data(), noise.size(), f, TREEM_FORMAT_JSON),
              TREEM_INVALID_ARGUMENT);
    EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_NONE);
    EXPECT_NE(LastMessage().find("request"), std::string::npos) << LastMessage();
    EXPECT_EQ(out.get()->data, nullptr);
  }
  // Odd-sized binary input, truncated JSON, a JSON value of the wrong type.
  EXPECT_EQ(
      treem_classify(out.get(), rules_, noise.data(), 13, TREEM_FORMAT_CAPNP, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  const std::string truncated = R"({"birthDate":{"date":"2010-01-01"},"activity":{)";
  EXPECT_EQ(Classify(out, truncated), TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("json input"), std::string::npos) << LastMessage();
  EXPECT_EQ(Classify(out, R"({"birthDate":{"date":"2010-02-30"},"activity":{}})"),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("date"), std::string::npos) << LastMessage();
  // An empty request decodes to the empty message: refused by the engine, naming a field.
  EXPECT_EQ(treem_classify(out.get(), rules_, nullptr, 0, TREEM_FORMAT_JSON, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
}

TEST_F(CapiRules, BadInputNamesTheFieldWithoutPersonalData) {
  Buf out;
  // A buffer still holding an earlier result is emptied by a failing call.
  ASSERT_EQ(Classify(out, Request("2010-01-01", "2024-03-10", R"("jobCode":"OTHER")")), TREEM_OK);
  ASSERT_NE(out.get()->data, nullptr);
  ASSERT_EQ(Classify(out, Request("2024-05-01", "2024-03-10", R"("jobCode":"OTHER")")),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("before the birth date"), std::string::npos) << LastMessage();
  EXPECT_EQ(LastMessage().find("2024-05-01"), std::string::npos) << LastMessage();

  // The 18th birthday on the activity date: no longer a child.
  ASSERT_EQ(Classify(out, Request("2006-03-10", "2024-03-10", R"("jobCode":"OTHER")")),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("18 or over"), std::string::npos) << LastMessage();
  EXPECT_EQ(LastMessage().find("2006-03-10"), std::string::npos) << LastMessage();

  ASSERT_EQ(
      Classify(out, Request("2010-01-01", "2024-03-10", R"("jobCode":"OTHER","hoursPerWeek":-3)")),
      TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("hoursPerWeek: -3 is negative"), std::string::npos) << LastMessage();

  const std::string wrong_set = R"({"birthDate":{"date":"2010-01-01"},"ruleSetId":"ILO-SDG871",)"
                                R"("activity":{"observedOn":"2024-03-10","jobCode":"OTHER"}})";
  ASSERT_EQ(Classify(out, wrong_set), TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("is a statistical rule set"), std::string::npos) << LastMessage();
  EXPECT_EQ(out.get()->data, nullptr);
}

TEST_F(CapiRules, JudgeChildTakesTheWorstActivityOfThePeriod) {
  const std::string req =
      R"({"birthDate":{"date":"2010-01-01"},"periodStart":"2024-03-01","periodEnd":"2024-03-31",)"
      R"("activities":[)"
      R"({"observedOn":"2024-03-04","jobCode":"TT09-A2-06","hoursPerDay":2,"hoursPerWeek":8},)"
      R"({"observedOn":"2024-03-12","jobCode":"ART147-1-e","hoursPerDay":2,"hoursPerWeek":8},)"
      R"({"observedOn":"2024-05-02","jobCode":"OTHER","nightWork":true}]})";
  Buf out;
  ASSERT_EQ(treem_judge_child(out.get(), rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_OK)
      << LastMessage();
  const std::string json = out.str();
  EXPECT_EQ(json.rfind(R"({"outcome":"hazardousChildLabour")", 0), 0u) << json;
  EXPECT_NE(json.find(R"("activitiesConsidered":2)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("activitiesSkipped":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("worstActivity":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("violationCodes":["NOT_LIGHT_WORK","PROHIBITED_JOB"])"), std::string::npos)
      << json;
}

TEST_F(CapiRules, ScreenScoresAnswersAndLevels) {
  const std::string medium =
      R"({"answers":[{"factor":"school.dropped_out","answer":"yes"},)"
      R"({"factor":"household.poor","answer":"yes"},{"factor":"child.male","answer":"no"}]})";
  Buf out;
  ASSERT_EQ(treem_screen_risk(out.get(), rules_, Bytes(medium), medium.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_OK)
      << LastMessage();
  std::string json = out.str();
  EXPECT_NE(json.find(R"("screenId":"RISK-RD9")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("score":5)"), std::string::npos) << json;  // 3 + 2
  EXPECT_NE(json.find(R"("level":"medium")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("protectionLevel":"support")"), std::string::npos) << json;

  // Child labour already found: intervention whatever the score.
  const std::string found = R"({"answers":[],"classificationOutcome":"childLabour"})";
  ASSERT_EQ(treem_screen_risk(out.get(), rules_, Bytes(found), found.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_OK);
  json = out.str();
  EXPECT_NE(json.find(R"("score":0)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("protectionLevel":"intervention")"), std::string::npos) << json;

  const std::string unknown = R"({"answers":[{"factor":"school.dropped","answer":"yes"}]})";
  ASSERT_EQ(treem_screen_risk(out.get(), rules_, Bytes(unknown), unknown.size(), TREEM_FORMAT_JSON,
                              TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("answers[0].factor"), std::string::npos) << LastMessage();
}

TEST_F(CapiRules, DescribeCodeFindsShippedItems) {
  Buf out;
  ASSERT_EQ(treem_describe_code(out.get(), rules_, "ART147-1-e", TREEM_FORMAT_JSON), TREEM_OK)
      << LastMessage();
  EXPECT_NE(out.str().find(R"("family":"ART147-1")"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(R"("confidence":"confirmed")"), std::string::npos) << out.str();
  EXPECT_EQ(treem_describe_code(out.get(), rules_, "TT09-A3-12", TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
  EXPECT_NE(LastMessage().find("not in the loaded lists"), std::string::npos) << LastMessage();
}

TEST_F(CapiRules, LoadedCodeListDecidesUnknownCodesAndIsAllOrNothing) {
  const std::string req = Request("2008-01-01", "2024-03-10",
                                  R"("jobCode":"TT09-A3-12","hoursPerDay":4,"hoursPerWeek":20)");
  Buf out;
  ASSERT_EQ(Classify(out, req), TREEM_OK);
  EXPECT_NE(out.str().find(R"("outcome":"unknownCode")"), std::string::npos) << out.str();

  // One good line and one with a misspelt family: refused, nothing loaded.
  const std::string bad =
      "code,name_vi,name_en,source\n"
      "TT09-A3-12,Hàn điện,Electric welding,Circular 09 Annex III\n"
      "TT09-A03-13,Hàn hơi,Gas welding,Circular 09 Annex III\n";
  ASSERT_EQ(treem_rules_load_codes(rules_, Bytes(bad), bad.size(), "annex3.csv"),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(LastMessage().find("annex3.csv: line 3"), std::string::npos) << LastMessage();
  EXPECT_EQ(treem_describe_code(out.get(), rules_, "TT09-A3-12", TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);

  const std::string good =
      "code,name_vi,name_en,source,confidence\n"
      "TT09-A3-12,Hàn điện,Electric welding,Circular 09 Annex III,C\n";
  ASSERT_EQ(treem_rules_load_codes(rules_, Bytes(good), good.size(), nullptr), TREEM_OK)
      << LastMessage();
  ASSERT_EQ(Classify(out, req), TREEM_OK);
  EXPECT_NE(out.str().find(R"("outcome":"hazardousChildLabour")"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(R"("code":"PROHIBITED_JOB")"), std::string::npos) << out.str();
  ASSERT_EQ(treem_describe_code(out.get(), rules_, "TT09-A3-12", TREEM_FORMAT_JSON), TREEM_OK);
  EXPECT_NE(out.str().find(R"("nameEn":"Electric welding")"), std::string::npos) << out.str();

  // Another registry is not affected.
  treem_rules* other = nullptr;
  ASSERT_EQ(treem_rules_new(&other), TREEM_OK);
  EXPECT_EQ(treem_describe_code(out.get(), other, "TT09-A3-12", TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
  treem_rules_free(other);
}

TEST_F(CapiRules, ConstHandleIsSharedAcrossThreads) {
  const std::string cl = Request("2010-01-01", "2024-03-10",
                                 R"("jobCode":"TT09-A2-06","hoursPerDay":4,"hoursPerWeek":20.5)");
  const std::string ok = Request("2010-01-01", "2024-03-10",
                                 R"("jobCode":"TT09-A2-06","hoursPerDay":2,"hoursPerWeek":8)");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string& req = (i + t) % 2 ? cl : ok;
        const char* want =
            (i + t) % 2 ? R"("outcome":"childLabour")" : R"("outcome":"notChildLabour")";
        Buf out;
        if (treem_classify(out.get(), rules_, Bytes(req), req.size(), TREEM_FORMAT_JSON,
                           TREEM_FORMAT_JSON) != TREEM_OK ||
            out.str().find(want) == std::string::npos) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
