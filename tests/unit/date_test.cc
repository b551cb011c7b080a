#include "core/date.h"

#include "gtest/gtest.h"

namespace treem::core {
namespace {

Date D(int y, int m, int d) { return Date(y, m, d); }

TEST(AgeTest, BirthdayCountsAsReached) {
  EXPECT_EQ(AgeInCompletedYears(D(2010, 5, 17), D(2023, 5, 16)), 12);
  EXPECT_EQ(AgeInCompletedYears(D(2010, 5, 17), D(2023, 5, 17)), 13);
  EXPECT_EQ(AgeInCompletedYears(D(2010, 5, 17), D(2010, 5, 17)), 0);
}

TEST(AgeTest, LeapDayBirthReachesAgeOnFeb28InCommonYear) {
  EXPECT_EQ(AgeInCompletedYears(D(2008, 2, 29), D(2021, 2, 27)), 12);
  EXPECT_EQ(AgeInCompletedYears(D(2008, 2, 29), D(2021, 2, 28)), 13);
  EXPECT_EQ(AgeInCompletedYears(D(2008, 2, 29), D(2024, 2, 28)), 15);
  EXPECT_EQ(AgeInCompletedYears(D(2008, 2, 29), D(2024, 2, 29)), 16);
}

TEST(AgeTest, Bands) {
  EXPECT_EQ(LegalBandFor(12), LegalBand::kUnder13);
  EXPECT_EQ(LegalBandFor(13), LegalBand::k13To14);
  EXPECT_EQ(LegalBandFor(14), LegalBand::k13To14);
  EXPECT_EQ(LegalBandFor(15), LegalBand::k15To17);
  EXPECT_EQ(LegalBandFor(17), LegalBand::k15To17);
  EXPECT_EQ(LegalBandFor(18), LegalBand::kAdult);
  EXPECT_EQ(StatBandFor(4), StatBand::kUnder5);
  EXPECT_EQ(StatBandFor(5), StatBand::k5To11);
  EXPECT_EQ(StatBandFor(11), StatBand::k5To11);
  EXPECT_EQ(StatBandFor(12), StatBand::k12To14);
  EXPECT_EQ(StatBandFor(15), StatBand::k15To17);
  EXPECT_EQ(StatBandFor(18), StatBand::kAdult);
}

TEST(AgeTest, EstimatedBirthStraddlingBandIsUncertain) {
  // Recorded 2010-07-01 (estimated): true birth anywhere in 2010. On 2023-03-01 the child is
  // 12 (born late 2010) or 13 (born early 2010).
  auto r = AgeOn({D(2010, 7, 1), true}, D(2023, 3, 1), "observedOn");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->age, 12);
  EXPECT_EQ(r->min_age, 12);
  EXPECT_EQ(r->max_age, 13);
  EXPECT_TRUE(r->legal_band_uncertain);
  EXPECT_FALSE(r->stat_band_uncertain);  // 12 and 13 are both in S12_14
  auto exact = AgeOn({D(2010, 7, 1), false}, D(2023, 3, 1), "observedOn");
  ASSERT_TRUE(exact.ok());
  EXPECT_FALSE(exact->legal_band_uncertain);
}

TEST(AgeTest, DateBeforeBirthIsRefused) {
  auto r = AgeOn({D(2010, 7, 1), false}, D(2010, 6, 30), "observedOn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("observedOn"), std::string::npos);
}

TEST(DateTest, ParseRefusesImpossibleDates) {
  EXPECT_TRUE(ParseDate("2024-02-29", "d").ok());
  auto bad = ParseDate("2023-02-29", "birthDate");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("birthDate"), std::string::npos);
  EXPECT_FALSE(ParseDate("2023-13-01", "d").ok());
  EXPECT_FALSE(ParseDate("2023-1-01", "d").ok());
  EXPECT_FALSE(ParseDate("abcd-ef-gh", "d").ok());
}

TEST(DateTest, DayNumberRoundTrip) {
  EXPECT_EQ(ToDayNumber(D(1970, 1, 1)), 0);
  EXPECT_EQ(ToDayNumber(D(1969, 12, 31)), -1);
  for (int n : {-20000, -1, 0, 1, 19000, 40000}) EXPECT_EQ(ToDayNumber(FromDayNumber(n)), n);
  EXPECT_EQ(FormatDate(D(2025, 7, 1)), "2025-07-01");
}

}  // namespace
}  // namespace treem::core
