// C API behaviour through the published header only.
#include <cstring>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

TEST(CapiVersion, MacrosMatchRunTime) {
  EXPECT_EQ(treem_version_number(), static_cast<uint32_t>(TREEM_VERSION_NUMBER));
  std::string expected = std::to_string(TREEM_VERSION_MAJOR) + "." +
                         std::to_string(TREEM_VERSION_MINOR) + "." +
                         std::to_string(TREEM_VERSION_PATCH);
  EXPECT_EQ(std::string(treem_version_string()), expected);
  EXPECT_TRUE(TREEM_VERSION_CHECK(0, 1, 0));
  EXPECT_FALSE(TREEM_VERSION_CHECK(99, 0, 0));
}

TEST(CapiStatus, NamesAreStableAndUnknownIsSafe) {
  EXPECT_STREQ(treem_status_name(TREEM_OK), "OK");
  EXPECT_STREQ(treem_status_name(TREEM_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_STREQ(treem_status_name(TREEM_DATA_LOSS), "DATA_LOSS");
  EXPECT_STREQ(treem_status_name(TREEM_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL");
  EXPECT_STREQ(treem_status_name(12345), "UNKNOWN_STATUS");
}

TEST(CapiBuf, DisposeIsNullSafeAndIdempotent) {
  treem_buf_dispose(nullptr);
  treem_buf b = TREEM_BUF_INIT;
  treem_buf_dispose(&b);
  treem_buf_dispose(&b);
  EXPECT_EQ(b.data, nullptr);
  EXPECT_EQ(b.size, 0u);
}

TEST(CapiError, LastErrorIsNeverNull) {
  const treem_error* e = treem_error_last();
  ASSERT_NE(e, nullptr);
  ASSERT_NE(e->message, nullptr);
}

TEST(CapiUnits, NullArgumentsAreMisuseNotCrashes) {
  treem_units* u = nullptr;
  EXPECT_EQ(treem_units_open_dir(nullptr, "/nonexistent"), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_units_open_dir(&u, nullptr), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(u, nullptr);
  uint32_t n = 0;
  EXPECT_EQ(treem_units_count(&n, nullptr, TREEM_UNIT_COMMUNE, "2025-07-01"),
            TREEM_INVALID_ARGUMENT);
  treem_units_free(nullptr);
}

TEST(CapiUnits, MissingFolderIsNotFoundWithPath) {
  treem_units* u = nullptr;
  treem_status st = treem_units_open_dir(&u, "/nonexistent-treem-dir");
  EXPECT_EQ(st, TREEM_NOT_FOUND);
  EXPECT_NE(std::strstr(treem_error_last()->message, "nonexistent-treem-dir"), nullptr)
      << treem_error_last()->message;
  EXPECT_EQ(u, nullptr);
}

TEST(CapiError, ErrorsAreThreadLocal) {
  treem_units* u = nullptr;
  ASSERT_EQ(treem_units_open_dir(&u, nullptr), TREEM_INVALID_ARGUMENT);
  std::string here = treem_error_last()->message;
  std::thread t([] {
    treem_units* v = nullptr;
    EXPECT_EQ(treem_units_open_dir(&v, "/nonexistent-other"), TREEM_NOT_FOUND);
  });
  t.join();
  EXPECT_EQ(std::string(treem_error_last()->message), here);
  EXPECT_EQ(treem_error_last()->code, TREEM_INVALID_ARGUMENT);
}

}  // namespace
