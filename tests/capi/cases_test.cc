// Case management through the C API (<treem.h> only), commands written in JSON. Expected
// deadlines follow from docs/cases.md (Decree 56/2017 Arts 25-32) and the 2025 calendar
// (no public holiday in March 2025), not from the engine.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
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

 private:
  treem_buf b_ = TREEM_BUF_INIT;
};

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }
std::string LastMessage() { return treem_error_last()->message; }

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr int64_t kHour = int64_t{3600} * 1000000;
constexpr int64_t kEndOfDay = 24 * kHour - 1;  // 23:59:59.999999 after local midnight

// Microseconds since the epoch of a Vietnam local time (UTC+7).
int64_t Local(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  return DaysFromCivil(y, m, d) * 24 * kHour + (h - 7) * kHour + min * kHour / 60;
}

std::string Micros(int64_t t) { return R"({"micros":")" + std::to_string(t) + R"("})"; }

const char kCase[] = "5d2c6a3e-0b1f-4c7e-9a24-6f1d2e3c4b5a";
const char kChild[] = "0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0";
const char kProvider[] = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const char kReferral[] = "9c8b7a6f-5e4d-4c3b-a291-807f6e5d4c3b";
const char kUnit[] = "15865";

std::string Command(const std::string& case_id, const std::string& body) {
  return R"({"caseId":")" + case_id + R"(","reason":"test step","body":{)" + body + "}}";
}

std::string OpenBody(const std::string& case_id, int64_t received) {
  return R"("openCase":{"caseId":")" + case_id + R"(","childId":")" + kChild + R"(","unitCode":")" +
         kUnit + R"(","kind":"childLabour","level":"support",)" +
         R"("notification":{"source":"hotline111","receivedAt":)" + Micros(received) + "}}";
}

class CapiCases : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(treem_casebook_new(&book_), TREEM_OK) << LastMessage();
    ASSERT_NE(book_, nullptr);
  }
  void TearDown() override { treem_casebook_free(book_); }

  treem_status Apply(const std::string& body, int64_t at, int32_t role = TREEM_ROLE_COMMUNE_WORKER,
                     const char* id = kCase) {
    const std::string cmd = Command(id, body);
    return treem_casebook_apply(book_, Bytes(cmd), cmd.size(), TREEM_FORMAT_JSON, at, "worker-7",
                                role, kUnit);
  }

  std::string Case(int64_t at, const char* id = kCase) {
    Buf out;
    EXPECT_EQ(treem_casebook_get_case(out.get(), book_, id, at, TREEM_FORMAT_JSON), TREEM_OK)
        << LastMessage();
    return out.str();
  }

  std::string Due(int64_t at, uint32_t within_hours, bool later = false) {
    const std::string q = R"({"at":)" + Micros(at) + R"(,"dueSoonWithinHours":)" +
                          std::to_string(within_hours) +
                          R"(,"includeOverdue":true,"includeDueSoon":true,"includeLater":)" +
                          (later ? "true" : "false") + "}";
    Buf out;
    EXPECT_EQ(treem_casebook_due(out.get(), book_, Bytes(q), q.size(), TREEM_FORMAT_JSON,
                                 TREEM_FORMAT_JSON),
              TREEM_OK)
        << LastMessage();
    return out.str();
  }

  int InTime(int64_t at) {
    int v = -1;
    EXPECT_EQ(treem_casebook_supported_in_time(&v, book_, kCase, at), TREEM_OK) << LastMessage();
    return v;
  }

  treem_casebook* book_ = nullptr;
};

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST_F(CapiCases, WholeLifeFromReportToClosure) {
  const int64_t t0 = Local(2025, 3, 3, 9);  // Monday 09:00
  ASSERT_EQ(Apply(OpenBody(kCase, t0), t0), TREEM_OK) << LastMessage();
  EXPECT_TRUE(Has(Case(t0), R"("state":"reported")")) << Case(t0);
  // The 12-hour emergency clock is due at 21:00 the same day.
  EXPECT_TRUE(Has(Due(Local(2025, 3, 3, 20), 2), R"("kind":"emergencyDecision")"));
  EXPECT_TRUE(Has(Due(Local(2025, 3, 3, 20), 2),
                  R"("dueAt":)" + Micros(Local(2025, 3, 3, 21)) + R"(,"status":"dueSoon")"))
      << Due(Local(2025, 3, 3, 20), 2);

  ASSERT_EQ(Apply(R"("initialAssessment":{"assessment":{"emergencyNeeded":false,)"
                  R"("level":"intervention"}})",
                  Local(2025, 3, 3, 15)),
            TREEM_OK)
      << LastMessage();
  ASSERT_EQ(Apply(R"("needsAssessment":{"assessment":{"family":{"concern":"high"}}})",
                  Local(2025, 3, 4, 9)),
            TREEM_OK)
      << LastMessage();
  ASSERT_EQ(Apply(R"("conference":{"conference":{"agreedMeasures":"return to school"}})",
                  Local(2025, 3, 6, 10)),
            TREEM_OK)
      << LastMessage();

  // Plan due 5 working days after Thursday 6 March: Thursday 13 March, end of day.
  const std::string plan_due = Micros(Local(2025, 3, 13) + kEndOfDay);
  std::string due = Due(Local(2025, 3, 10, 9), 96);
  EXPECT_TRUE(Has(due, R"("kind":"planDraft","dueAt":)" + plan_due + R"(,"status":"dueSoon")"))
      << due;
  EXPECT_TRUE(Has(due, R"("dueSoonCount":1)")) << due;
  due = Due(Local(2025, 3, 10, 9), 48, /*later=*/true);
  EXPECT_TRUE(Has(due, R"("status":"later")")) << due;
  EXPECT_TRUE(Has(due, R"("dueSoonCount":0,"laterCount":1)")) << due;
  due = Due(Local(2025, 3, 14, 9), 48);
  EXPECT_TRUE(Has(due, R"("status":"overdue")")) << due;
  EXPECT_TRUE(Has(due, R"("overdueCount":1)")) << due;
  EXPECT_EQ(InTime(Local(2025, 3, 14, 9)), 0);  // if nothing were drafted by then
  EXPECT_EQ(InTime(Local(2025, 3, 12, 9)), 1);

  ASSERT_EQ(Apply(R"("draftPlan":{"plan":{"goals":"back to school","services":[)"
                  R"({"service":"reEnrolment","start":"2025-03-17","end":"2025-06-30",)"
                  R"("responsible":"commune child-protection worker"}]}})",
                  Local(2025, 3, 12, 9)),
            TREEM_OK)
      << LastMessage();

  // Illegal transition: starting a plan that is not approved.
  ASSERT_EQ(Apply(R"("startPlan":{"note":"too early"})", Local(2025, 3, 12, 10)),
            TREEM_FAILED_PRECONDITION);
  EXPECT_TRUE(Has(LastMessage(), "startPlan")) << LastMessage();
  EXPECT_TRUE(Has(LastMessage(), "from state 'planDrafted'")) << LastMessage();
  EXPECT_TRUE(Has(LastMessage(), "allowed from here: 'planApproved'")) << LastMessage();
  // Approval needs the commune PC Chair.
  ASSERT_EQ(Apply(R"("approvePlan":{"decisionRef":"05/QD-UBND"})", Local(2025, 3, 13, 9)),
            TREEM_PERMISSION_DENIED);
  EXPECT_TRUE(Has(LastMessage(), "communeChair")) << LastMessage();

  ASSERT_EQ(Apply(R"("approvePlan":{"decisionRef":"05/QD-UBND"})", Local(2025, 3, 13, 9),
                  TREEM_ROLE_COMMUNE_CHAIR),
            TREEM_OK)
      << LastMessage();
  ASSERT_EQ(Apply(R"("startPlan":{"note":"sent to the school"})", Local(2025, 3, 14, 9)), TREEM_OK);
  ASSERT_EQ(Apply(R"("review":{"review":{"riskRemains":false,"childStable":true}})",
                  Local(2025, 6, 30, 9)),
            TREEM_OK)
      << LastMessage();

  // Closure as resolved needs two clean follow-ups for a child-labour case.
  ASSERT_EQ(
      Apply(R"("close":{"reason":"resolved"})", Local(2025, 7, 1, 9), TREEM_ROLE_COMMUNE_CHAIR),
      TREEM_FAILED_PRECONDITION);
  ASSERT_EQ(Apply(R"("followUp":{"followUp":{"outOfChildLabour":true,"inSchool":true}})",
                  Local(2025, 7, 15, 9)),
            TREEM_OK);
  ASSERT_EQ(Apply(R"("followUp":{"followUp":{"outOfChildLabour":true,"inSchool":true}})",
                  Local(2025, 8, 15, 9)),
            TREEM_OK);
  ASSERT_EQ(
      Apply(R"("close":{"reason":"resolved"})", Local(2025, 8, 20, 9), TREEM_ROLE_COMMUNE_CHAIR),
      TREEM_OK)
      << LastMessage();

  const std::string closed = Case(Local(2025, 9, 1));
  EXPECT_TRUE(Has(closed, R"("state":"closed")")) << closed;
  EXPECT_TRUE(Has(closed, R"("inTime":true)")) << closed;
  EXPECT_TRUE(Has(closed, R"("cleanFollowUps":2)")) << closed;
  EXPECT_TRUE(Has(closed, R"("userId":"worker-7","role":"communeChair")")) << closed;
  EXPECT_EQ(InTime(Local(2025, 9, 1)), 1);
  EXPECT_TRUE(Has(Due(Local(2025, 9, 1), 48, true), R"("overdueCount":0,"dueSoonCount":0,)"
                                                    R"("laterCount":0)"));
  // A closed case refuses further commands.
  EXPECT_EQ(Apply(R"("followUp":{"followUp":{"outOfChildLabour":true}})", Local(2025, 9, 2)),
            TREEM_FAILED_PRECONDITION);
}

TEST_F(CapiCases, LateInitialAssessmentIsNotSupportedInTime) {
  const int64_t t0 = Local(2025, 3, 3, 8);
  ASSERT_EQ(Apply(OpenBody(kCase, t0), t0), TREEM_OK);
  ASSERT_EQ(
      Apply(R"("initialAssessment":{"assessment":{"emergencyNeeded":false}})", t0 + 13 * kHour),
      TREEM_OK);
  EXPECT_EQ(InTime(t0 + 14 * kHour), 0);
  EXPECT_TRUE(Has(Case(t0 + 14 * kHour), R"("status":"metLate")"));
}

TEST_F(CapiCases, IllegalTransitionNamesCurrentAndAllowedStates) {
  const int64_t t0 = Local(2025, 3, 3, 8);
  ASSERT_EQ(Apply(OpenBody(kCase, t0), t0), TREEM_OK);
  ASSERT_EQ(Apply(R"("approvePlan":{"decisionRef":"05"})", t0 + kHour, TREEM_ROLE_COMMUNE_CHAIR),
            TREEM_FAILED_PRECONDITION);
  EXPECT_EQ(LastMessage(),
            "approvePlan: cannot move the case to 'planApproved' from state 'reported'; allowed "
            "from here: 'forwarded', 'initialAssessed', 'courtReferral'");
  // Refused: nothing changed.
  EXPECT_TRUE(Has(Case(t0 + kHour), R"("state":"reported")"));
}

TEST_F(CapiCases, ReferralToADirectoryProvider) {
  const int64_t t0 = Local(2025, 3, 3, 8);
  ASSERT_EQ(Apply(OpenBody(kCase, t0), t0), TREEM_OK);
  const std::string provider = R"({"id":")" + std::string(kProvider) +
                               R"(","name":"Trường THCS Hoằng Hóa","kind":"school",)"
                               R"("unitCode":"15865","services":["reEnrolment"]})";
  ASSERT_EQ(treem_casebook_put_provider(book_, Bytes(provider), provider.size(), TREEM_FORMAT_JSON),
            TREEM_OK)
      << LastMessage();
  const std::string no_services = R"({"id":")" + std::string(kProvider) + R"(","name":"x"})";
  EXPECT_EQ(
      treem_casebook_put_provider(book_, Bytes(no_services), no_services.size(), TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  EXPECT_TRUE(Has(LastMessage(), "services")) << LastMessage();

  const std::string request = R"("requestReferral":{"referralId":")" + std::string(kReferral) +
                              R"(","service":"reEnrolment","providerId":")" + kProvider +
                              R"(","dueBy":"2025-03-31",)"
                              R"("consent":{"given":true,"givenBy":"mother"}})";
  ASSERT_EQ(Apply(request, t0 + kHour), TREEM_OK) << LastMessage();
  Buf out;
  ASSERT_EQ(treem_casebook_get_referral(out.get(), book_, kReferral, TREEM_FORMAT_JSON), TREEM_OK)
      << LastMessage();
  EXPECT_TRUE(Has(out.str(), R"("status":"requested")")) << out.str();
  EXPECT_TRUE(Has(out.str(), R"("dueBy":"2025-03-31")")) << out.str();
  // The referral is listed as due at the end of 31 March.
  const std::string due = Due(Local(2025, 3, 30, 9), 48);
  EXPECT_TRUE(Has(due, R"("referralId":")" + std::string(kReferral) +
                           R"(","kind":"referralDue","dueAt":)" +
                           Micros(Local(2025, 3, 31) + kEndOfDay)))
      << due;
  EXPECT_EQ(treem_casebook_get_referral(out.get(), book_, kCase, TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
  EXPECT_EQ(out.get()->data, nullptr);  // the earlier referral was disposed
}

TEST_F(CapiCases, OpeningFromClassificationFollowsThePolicy) {
  const int64_t at = Local(2025, 3, 3, 8);
  auto trigger = [&](const char* outcome, const char* risk) {
    return R"({"childId":")" + std::string(kChild) + R"(","outcome":")" + outcome +
           R"(","risk":")" + risk + R"(","at":)" + Micros(at) + R"(,"unitCode":"15865"})";
  };
  auto open = [&](const std::string& t, const char* id, int confirm, treem_opening_mode* mode,
                  int* opened) {
    return treem_casebook_open_from_trigger(mode, opened, book_, Bytes(t), t.size(),
                                            TREEM_FORMAT_JSON, id, confirm, at + kHour, "system",
                                            TREEM_ROLE_SYSTEM, kUnit);
  };
  treem_opening_mode mode = -1;
  int opened = -1;
  ASSERT_EQ(open(trigger("hazardousChildLabour", "none"), kCase, 0, &mode, &opened), TREEM_OK)
      << LastMessage();
  EXPECT_EQ(mode, TREEM_OPENING_AUTOMATIC);
  EXPECT_EQ(opened, 1);
  const std::string c = Case(at + kHour);
  EXPECT_TRUE(Has(c, R"("source":"screening")")) << c;
  EXPECT_TRUE(Has(c, R"("level":"intervention")")) << c;
  EXPECT_TRUE(Has(c, R"("kind":"childLabour")")) << c;
  EXPECT_TRUE(Has(c, R"("outcome":"hazardousChildLabour")")) << c;
  // The 12-hour clock starts at the result's instant, not at the command's.
  EXPECT_TRUE(Has(Due(at, 48), R"("dueAt":)" + Micros(at + 12 * kHour))) << Due(at, 48);

  // Child labour is only suggested: not opened unless confirmed.
  const char kOther[] = "11111111-2222-4333-8444-555555555555";
  ASSERT_EQ(open(trigger("childLabour", "none"), kOther, 0, &mode, &opened), TREEM_OK);
  EXPECT_EQ(mode, TREEM_OPENING_SUGGESTED);
  EXPECT_EQ(opened, 0);
  Buf out;
  EXPECT_EQ(treem_casebook_get_case(out.get(), book_, kOther, at, TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
  ASSERT_EQ(open(trigger("childLabour", "none"), kOther, 1, &mode, &opened), TREEM_OK);
  EXPECT_EQ(opened, 1);

  // No child labour and low risk: no case.
  const char kThird[] = "22222222-3333-4444-8555-666666666666";
  ASSERT_EQ(open(trigger("notChildLabour", "low"), kThird, 1, &mode, &opened), TREEM_OK);
  EXPECT_EQ(mode, TREEM_OPENING_NONE);
  EXPECT_EQ(opened, 0);
  // High risk alone: suggested at support level.
  ASSERT_EQ(open(trigger("notChildLabour", "high"), kThird, 1, &mode, &opened), TREEM_OK);
  EXPECT_EQ(mode, TREEM_OPENING_SUGGESTED);
  EXPECT_TRUE(Has(Case(at, kThird), R"("level":"support")"));

  // Opening the same case id twice is refused.
  EXPECT_NE(open(trigger("worstForm", "none"), kCase, 0, &mode, &opened), TREEM_OK);
  EXPECT_EQ(open(trigger("worstForm", "none"), nullptr, 0, &mode, &opened), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
}

TEST_F(CapiCases, MisuseIsReportedNotCrashed) {
  const int64_t t0 = Local(2025, 3, 3, 8);
  const std::string cmd = Command(kCase, OpenBody(kCase, t0));
  EXPECT_EQ(treem_casebook_new(nullptr), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_apply(nullptr, Bytes(cmd), cmd.size(), TREEM_FORMAT_JSON, t0, "u",
                                 TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_casebook_apply(book_, Bytes(cmd), cmd.size(), TREEM_FORMAT_JSON, t0, nullptr,
                                 TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(
      treem_casebook_apply(book_, Bytes(cmd), cmd.size(), TREEM_FORMAT_JSON, t0, "u", 99, kUnit),
      TREEM_INVALID_ARGUMENT);
  EXPECT_TRUE(Has(LastMessage(), "actor_role")) << LastMessage();
  EXPECT_EQ(treem_casebook_apply(book_, Bytes(cmd), cmd.size(), 9, t0, "u",
                                 TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_casebook_apply(book_, nullptr, 4, TREEM_FORMAT_JSON, t0, "u",
                                 TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  // Nothing was opened by the refused calls.
  Buf out;
  EXPECT_EQ(treem_casebook_get_case(out.get(), book_, kCase, t0, TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
  EXPECT_TRUE(Has(LastMessage(), "no such case")) << LastMessage();

  int v = 0;
  EXPECT_EQ(treem_casebook_supported_in_time(nullptr, book_, kCase, t0), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_supported_in_time(&v, nullptr, kCase, t0), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_supported_in_time(&v, book_, nullptr, t0), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_casebook_supported_in_time(&v, book_, kCase, t0), TREEM_NOT_FOUND);
  // A malformed id is bad input naming the argument, not misuse.
  EXPECT_EQ(treem_casebook_get_case(out.get(), book_, "not-a-uuid", t0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_NONE);
  EXPECT_TRUE(Has(LastMessage(), "case_id")) << LastMessage();
  EXPECT_EQ(treem_casebook_get_case(out.get(), book_, kCase, t0, 0), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_get_case(nullptr, book_, kCase, t0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_get_referral(out.get(), nullptr, kReferral, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(
      treem_casebook_due(out.get(), nullptr, nullptr, 0, TREEM_FORMAT_JSON, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_due(out.get(), book_, nullptr, 0, TREEM_FORMAT_JSON, 5),
            TREEM_INVALID_ARGUMENT);
  EXPECT_TRUE(Has(LastMessage(), "out_fmt")) << LastMessage();
  EXPECT_EQ(treem_casebook_put_provider(nullptr, nullptr, 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  treem_opening_mode mode = 0;
  int opened = 0;
  EXPECT_EQ(treem_casebook_open_from_trigger(&mode, nullptr, book_, nullptr, 0, TREEM_FORMAT_JSON,
                                             kCase, 0, t0, "u", TREEM_ROLE_SYSTEM, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_casebook_open_from_trigger(&mode, &opened, book_, nullptr, 0, TREEM_FORMAT_JSON,
                                             kCase, 0, t0, "u", TREEM_ROLE_SYSTEM, nullptr),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  treem_casebook_free(nullptr);
}

TEST_F(CapiCases, MalformedCommandsChangeNothing) {
  std::mt19937 rng(111);
  std::vector<uint8_t> noise(320);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  for (treem_format f : {TREEM_FORMAT_CAPNP, TREEM_FORMAT_CAPNP_PACKED, TREEM_FORMAT_JSON}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(treem_casebook_apply(book_, noise.data(), noise.size(), f, 0, "u",
                                   TREEM_ROLE_COMMUNE_WORKER, kUnit),
              TREEM_INVALID_ARGUMENT);
    EXPECT_TRUE(Has(LastMessage(), "command")) << LastMessage();
    Buf out;
    EXPECT_EQ(
        treem_casebook_due(out.get(), book_, noise.data(), noise.size(), f, TREEM_FORMAT_JSON),
        TREEM_INVALID_ARGUMENT);
    EXPECT_EQ(out.get()->data, nullptr);
  }
  const int64_t t0 = Local(2025, 3, 3, 8);
  std::string truncated = Command(kCase, OpenBody(kCase, t0));
  truncated.resize(truncated.size() / 2);
  EXPECT_EQ(treem_casebook_apply(book_, Bytes(truncated), truncated.size(), TREEM_FORMAT_JSON, t0,
                                 "u", TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  const std::string bad_uuid = R"({"caseId":"5d2c6a3e","body":{"openCase":{}}})";
  EXPECT_EQ(treem_casebook_apply(book_, Bytes(bad_uuid), bad_uuid.size(), TREEM_FORMAT_JSON, t0,
                                 "u", TREEM_ROLE_COMMUNE_WORKER, kUnit),
            TREEM_INVALID_ARGUMENT);
  EXPECT_TRUE(Has(LastMessage(), "json input")) << LastMessage();
  EXPECT_EQ(Has(LastMessage(), "5d2c6a3e"), false) << LastMessage();
  // A command for an unknown case.
  EXPECT_EQ(Apply(R"("startPlan":{})", t0), TREEM_NOT_FOUND);
  Buf out;
  EXPECT_EQ(treem_casebook_get_case(out.get(), book_, kCase, t0, TREEM_FORMAT_JSON),
            TREEM_NOT_FOUND);
}

}  // namespace
