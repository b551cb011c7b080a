// Indicator reports through the published C API only.
#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

std::string SharedUnits() { return std::string(TREEM_SHARED_DIR) + "/data/admin-units"; }

TEST(CapiReports, RequestSettersRefuseBadInput) {
  treem_report_request* req = nullptr;
  ASSERT_EQ(treem_report_request_new(&req), TREEM_OK);
  EXPECT_EQ(treem_report_request_set_period(req, "2024-01-01", "2024-02-30"),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "last_day"), nullptr)
      << treem_error_last()->message;
  EXPECT_EQ(treem_report_request_set_quarter(req, 2024, 5), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_report_request_add_dimension(req, 99), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_report_request_set_plan_builtin(req, "no-such-plan"), TREEM_NOT_FOUND);
  EXPECT_EQ(treem_report_request_set_plan_builtin(req, "qd-782-2021"), TREEM_OK)
      << treem_error_last()->message;
  const char over[] =
      "{\"id\":\"6f1e2d3c-0000-4000-8000-000000000001\",\"targets\":[{\"indicatorId\":\"P3\","
      "\"value\":110,\"byYear\":2025}]}";
  EXPECT_EQ(treem_report_request_set_plan(req, reinterpret_cast<const uint8_t*>(over),
                                          std::strlen(over), TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_report_request_set_year(nullptr, 2024), TREEM_INVALID_ARGUMENT);
  treem_report_request_free(req);
  treem_report_request_free(nullptr);
}

TEST(CapiReports, ComputeAndRenderAnEmptyRegister) {
  if (!std::filesystem::exists(SharedUnits() + "/units-before-2025-07-01.csv")) {
    GTEST_SKIP() << "shared/ data absent: " << SharedUnits();
  }
  treem_units* units = nullptr;
  ASSERT_EQ(treem_units_open_dir(&units, SharedUnits().c_str()), TREEM_OK);
  treem_report_request* req = nullptr;
  ASSERT_EQ(treem_report_request_new(&req), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_year(req, 2024), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_unit(req, "15928"), TREEM_OK);
  const char empty[] = "{}";
  treem_buf report = TREEM_BUF_INIT, html = TREEM_BUF_INIT;
  ASSERT_EQ(treem_report_compute(&report, reinterpret_cast<const uint8_t*>(empty), 2,
                                 TREEM_FORMAT_JSON, units, req, TREEM_FORMAT_CAPNP),
            TREEM_OK)
      << treem_error_last()->message;
  EXPECT_EQ(report.size % 8, 0u);
  ASSERT_EQ(
      treem_report_render(&html, report.data, report.size, TREEM_FORMAT_CAPNP, TREEM_RENDER_HTML),
      TREEM_OK);
  EXPECT_NE(std::string(reinterpret_cast<char*>(html.data)).find("<svg"), std::string::npos);
  EXPECT_EQ(treem_report_render(&html, report.data, report.size, TREEM_FORMAT_CAPNP, 7),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(html.data, nullptr);  // disposed on failure
  EXPECT_EQ(treem_report_compute(&report, reinterpret_cast<const uint8_t*>("xx"), 2,
                                 TREEM_FORMAT_CAPNP, units, req, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(
      treem_report_compute(&report, nullptr, 0, TREEM_FORMAT_JSON, nullptr, req, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  treem_buf_dispose(&report);
  treem_buf_dispose(&html);
  treem_report_request_free(req);
  treem_units_free(units);
}

}  // namespace
