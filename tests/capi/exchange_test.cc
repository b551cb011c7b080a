// Exchange through the published C API only.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

const char kHouseholds[] =
    "household_key,commune_code,village,poverty_status,poverty_standard,poverty_year,residence,"
    "craft_village\nH1,15928,T01,poor,decree07of2021,2024,rural,true\n";
const char kChildren[] =
    "child_key,household_key,full_name,sex,birth_date,birth_date_estimated,ethnicity,"
    "school_status\nC1,H1,Lê Thị Hoa,female,2011-02-28,false,Kinh,enrolled\n";
const char kBadChildren[] =
    "child_key,household_key,full_name,sex,birth_date,birth_date_estimated,ethnicity,"
    "school_status\nC1,H1,Lê Thị Hoa,female,2011-02-28,false,Kinh,enrolled\n"
    "C2,H1,Lê Văn An,male,2012-13-01,false,Kinh,enrolled\n";

const uint8_t* U(const char* s) { return reinterpret_cast<const uint8_t*>(s); }

class CapiExchange : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("treem-capi-exchange-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    treem_registry_options* opts = nullptr;
    ASSERT_EQ(treem_registry_options_new(&opts), TREEM_OK);
    ASSERT_EQ(treem_registry_options_set_create(opts, 1), TREEM_OK);
    ASSERT_EQ(treem_registry_options_add_scope(opts, "15928"), TREEM_OK);
    ASSERT_EQ(treem_registry_open(&reg_, dir_.c_str(), opts), TREEM_OK)
        << treem_error_last()->message;
    treem_registry_options_free(opts);
  }
  void TearDown() override {
    treem_registry_free(reg_);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  treem_registry* reg_ = nullptr;
};

TEST_F(CapiExchange, FailingFileCommitsNothingAndNamesLineAndColumn) {
  uint64_t before = 0, seq = 7;
  ASSERT_EQ(treem_registry_last_seq(&before, reg_), TREEM_OK);
  treem_buf report = TREEM_BUF_INIT;
  EXPECT_EQ(
      treem_registry_import_csv(&seq, &report, reg_, U(kHouseholds), strlen(kHouseholds),
                                U(kBadChildren), strlen(kBadChildren), "15928", "cb-ldtbxh-01",
                                TREEM_ROLE_COMMUNE_WORKER, "15928", 0, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  std::string msg = treem_error_last()->message;
  EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("birth_date"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("2012-13-01"), std::string::npos) << msg;  // no personal value
  EXPECT_EQ(msg.find("Lê Văn An"), std::string::npos) << msg;
  EXPECT_EQ(seq, 0u);
  ASSERT_NE(report.data, nullptr);
  EXPECT_NE(std::string(reinterpret_cast<char*>(report.data)).find("\"issues\""),
            std::string::npos);
  treem_buf_dispose(&report);
  uint64_t after = 0;
  ASSERT_EQ(treem_registry_last_seq(&after, reg_), TREEM_OK);
  EXPECT_EQ(after, before);

  ASSERT_EQ(treem_registry_import_csv(&seq, nullptr, reg_, U(kHouseholds), strlen(kHouseholds),
                                      U(kBadChildren), strlen(kBadChildren), "15928",
                                      "cb-ldtbxh-01", TREEM_ROLE_COMMUNE_WORKER, "15928",
                                      TREEM_CSV_SKIP_BAD_ROWS, TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;
  EXPECT_GT(seq, before);
}

TEST_F(CapiExchange, DeidentifiedExportDropsNamesAndExactBirthDates) {
  uint64_t seq = 0;
  ASSERT_EQ(treem_registry_import_csv(&seq, nullptr, reg_, U(kHouseholds), strlen(kHouseholds),
                                      U(kChildren), strlen(kChildren), "15928", "cb-ldtbxh-01",
                                      TREEM_ROLE_COMMUNE_WORKER, "15928", 0, TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;
  treem_buf full = TREEM_BUF_INIT, clean = TREEM_BUF_INIT;
  ASSERT_EQ(treem_registry_export(&full, reg_, "cb-ldtbxh-01", TREEM_ROLE_COMMUNE_WORKER, "15928",
                                  TREEM_FORMAT_CAPNP),
            TREEM_OK)
      << treem_error_last()->message;
  ASSERT_EQ(treem_deidentify(&clean, full.data, full.size, TREEM_FORMAT_CAPNP, nullptr, 0, 0,
                             TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;
  std::string text(reinterpret_cast<char*>(clean.data), clean.size);
  EXPECT_EQ(text.find("Hoa"), std::string::npos);
  EXPECT_EQ(text.find("2011-02-28"), std::string::npos);
  EXPECT_NE(text.find("2011-02-01"), std::string::npos);  // month kept
  treem_buf_dispose(&full);
  treem_buf_dispose(&clean);
}

TEST(CapiExchangeMisuse, NullsAndBadFlags) {
  treem_buf out = TREEM_BUF_INIT;
  EXPECT_EQ(treem_csv_import(nullptr, nullptr, 0, nullptr, 0, "15928", "u",
                             TREEM_ROLE_COMMUNE_WORKER, "15928", 0, 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_csv_import(&out, nullptr, 5, nullptr, 0, "15928", "u", TREEM_ROLE_COMMUNE_WORKER,
                             "15928", 0, 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_csv_import(&out, U(kHouseholds), strlen(kHouseholds), nullptr, 0, "15928", "u",
                             TREEM_ROLE_COMMUNE_WORKER, "15928", 0, 0x80, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_deidentify(&out, U("\x01\x02"), 2, TREEM_FORMAT_CAPNP, nullptr, 0, 0,
                             TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  uint64_t seq = 0;
  EXPECT_EQ(treem_registry_import_csv(&seq, nullptr, nullptr, nullptr, 0, nullptr, 0, "15928", "u",
                                      TREEM_ROLE_COMMUNE_WORKER, "15928", 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  treem_buf_dispose(&out);
}

}  // namespace
