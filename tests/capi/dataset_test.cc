// Indicator datasets (treem_dataset_*) through the published C API only: built once from a
// snapshot, written as a column file, reopened, and reported on with the same bytes as
// treem_report_compute; missing, damaged and foreign files, misuse and bad formats.
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

std::string SharedUnits() { return std::string(TREEM_SHARED_DIR) + "/data/admin-units"; }

constexpr char kActor[] = R"({"userId":"cb-ldtbxh-01","role":"communeWorker","unitCode":"15928"})";
constexpr char kGirl[] = "0b7d6a52-9c1e-4f5e-8a0d-3a4c2b1e0a01";  // 12 on 2024-12-31
constexpr char kBoy[] = "0b7d6a52-9c1e-4f5e-8a0d-3a4c2b1e0a02";   // 16
constexpr char kBaby[] = "0b7d6a52-9c1e-4f5e-8a0d-3a4c2b1e0a03";  // 3
constexpr int64_t kGeneratedAt = int64_t{1735689600} * 1000000;   // 2025-01-01T00:00:00Z

std::string Person(const char* id, const char* name, const char* sex, const char* birth) {
  return std::string(R"({"actor":)") + kActor + R"(,"source":"api","payload":{"upsertPerson":{)" +
         R"("id":")" + id + R"(","fullName":")" + name + R"(","sex":")" + sex +
         R"(","birthDate":{"date":")" + birth + R"("},"communeCode":"15928"}}})";
}

std::string Text(const treem_buf& b) {
  return b.data == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(b.data), b.size);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

uint32_t GetU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}
uint64_t GetU64(const std::string& s, size_t at) {
  return GetU32(s, at) | (uint64_t{GetU32(s, at + 4)} << 32);
}
void PutU32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t Crc32c(const std::string& s) {  // Castagnoli, reflected (as the column files use)
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : s) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// The offset of a named column in a column file (layout: docs/indicators.md "Column files").
uint64_t ColumnOffset(const std::string& file, const std::string& name, uint64_t* bytes) {
  const uint32_t count = GetU32(file, 24);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t e = 64 + size_t{i} * 48;
    if (std::string(file.c_str() + e, strnlen(file.c_str() + e, 24)) == name) {
      *bytes = GetU64(file, e + 32);
      return GetU64(file, e + 24);
    }
  }
  *bytes = 0;
  return 0;
}

class CapiDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SharedUnits() + "/units-before-2025-07-01.csv")) {
      GTEST_SKIP() << "shared/ data absent: " << SharedUnits();
    }
    std::string tmpl = "/tmp/treem-capids-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(treem_units_open_dir(&units_, SharedUnits().c_str()), TREEM_OK)
        << treem_error_last()->message;

    // The small register of the report tests: three children in commune 15928, the girl of
    // 12 working 15 hours a week (child labour).
    treem_registry_options* opts = nullptr;
    ASSERT_EQ(treem_registry_options_new(&opts), TREEM_OK);
    ASSERT_EQ(treem_registry_options_set_create(opts, 1), TREEM_OK);
    ASSERT_EQ(treem_registry_options_set_sync(opts, TREEM_SYNC_OFF), TREEM_OK);
    ASSERT_EQ(treem_registry_options_add_scope(opts, "15928"), TREEM_OK);
    treem_registry* reg = nullptr;
    ASSERT_EQ(treem_registry_open(&reg, (dir_ + "/reg").c_str(), opts), TREEM_OK)
        << treem_error_last()->message;
    treem_registry_options_free(opts);
    const std::string commands[] = {
        Person(kGirl, "Lê Thị Hoa", "female", "2012-03-01"),
        Person(kBoy, "Lê Văn Nam", "male", "2008-09-15"),
        Person(kBaby, "Lê Văn Út", "male", "2021-01-01"),
        std::string(R"({"actor":)") + kActor +
            R"(,"source":"api","payload":{"recordWorkActivity":{)"
            R"("id":"0b7d6a52-9c1e-4f5e-8a0d-3a4c2b1e0f01","childId":")" +
            kGirl +
            R"(","observedOn":"2024-05-01","jobCode":"OTHER","hoursPerDay":3,)"
            R"("hoursPerWeek":15}}})",
    };
    for (const std::string& c : commands) {
      uint64_t seq = 0;
      ASSERT_EQ(treem_registry_apply(&seq, reg, reinterpret_cast<const uint8_t*>(c.data()),
                                     c.size(), TREEM_FORMAT_JSON),
                TREEM_OK)
          << treem_error_last()->message;
    }
    treem_buf buf = TREEM_BUF_INIT;
    ASSERT_EQ(treem_registry_export(&buf, reg, "cb-ldtbxh-01", TREEM_ROLE_COMMUNE_WORKER, "15928",
                                    TREEM_FORMAT_CAPNP),
              TREEM_OK)
        << treem_error_last()->message;
    snapshot_ = Text(buf);
    treem_buf_dispose(&buf);
    treem_registry_free(reg);

    ASSERT_EQ(treem_report_request_new(&req_), TREEM_OK);
    ASSERT_EQ(treem_report_request_set_year(req_, 2024), TREEM_OK);
    ASSERT_EQ(treem_report_request_set_unit(req_, "15928"), TREEM_OK);
    ASSERT_EQ(treem_report_request_set_plan_builtin(req_, "hoang-duc-2023"), TREEM_OK);
    ASSERT_EQ(treem_report_request_add_dimension(req_, 1), TREEM_OK);  // sex
    ASSERT_EQ(treem_report_request_set_generated_at(req_, kGeneratedAt), TREEM_OK);
  }
  void TearDown() override {
    treem_report_request_free(req_);
    treem_units_free(units_);
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  const uint8_t* Snap() const { return reinterpret_cast<const uint8_t*>(snapshot_.data()); }

  // treem_report_compute's bytes: the reference every dataset report must equal.
  std::string Reference(treem_format fmt, const treem_report_request* req) {
    treem_buf out = TREEM_BUF_INIT;
    EXPECT_EQ(
        treem_report_compute(&out, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_, req, fmt),
        TREEM_OK)
        << treem_error_last()->message;
    std::string bytes = Text(out);
    treem_buf_dispose(&out);
    return bytes;
  }
  std::string Report(const treem_dataset* ds, treem_format fmt, const treem_report_request* req) {
    treem_buf out = TREEM_BUF_INIT;
    EXPECT_EQ(treem_dataset_report(&out, ds, req, fmt), TREEM_OK) << treem_error_last()->message;
    std::string bytes = Text(out);
    treem_buf_dispose(&out);
    return bytes;
  }
  // A column file of the snapshot at dir_/name.
  std::string WriteColumns(const std::string& name) {
    treem_dataset* ds = nullptr;
    EXPECT_EQ(
        treem_dataset_from_snapshot(&ds, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_),
        TREEM_OK)
        << treem_error_last()->message;
    const std::string path = dir_ + "/" + name;
    EXPECT_EQ(treem_dataset_write_columns(ds, path.c_str()), TREEM_OK)
        << treem_error_last()->message;
    treem_dataset_free(ds);
    return path;
  }
  void ExpectNoPersonalData(const char* message) {
    for (const char* name : {"Hoa", "Nam", "Út", kGirl}) {
      EXPECT_EQ(std::strstr(message, name), nullptr) << message;
    }
  }

  std::string dir_, snapshot_;
  treem_units* units_ = nullptr;
  treem_report_request* req_ = nullptr;
};

TEST_F(CapiDataset, ReopenedColumnsReportTheSameBytesAsCompute) {
  treem_dataset* built = nullptr;
  ASSERT_EQ(
      treem_dataset_from_snapshot(&built, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_),
      TREEM_OK)
      << treem_error_last()->message;
  uint64_t persons = 0;
  ASSERT_EQ(treem_dataset_persons(&persons, built), TREEM_OK);
  EXPECT_EQ(persons, 3u);

  const std::string path = dir_ + "/ds.tcol";
  ASSERT_EQ(treem_dataset_write_columns(built, path.c_str()), TREEM_OK)
      << treem_error_last()->message;
  EXPECT_GT(std::filesystem::file_size(path), 64u);

  // The units handle may go once the dataset holds its own reference.
  treem_units* units = nullptr;
  ASSERT_EQ(treem_units_open_dir(&units, SharedUnits().c_str()), TREEM_OK);
  treem_dataset* reopened = nullptr;
  ASSERT_EQ(treem_dataset_open_columns(&reopened, path.c_str(), units), TREEM_OK)
      << treem_error_last()->message;
  treem_units_free(units);
  ASSERT_NE(reopened, nullptr);
  persons = 0;
  ASSERT_EQ(treem_dataset_persons(&persons, reopened), TREEM_OK);
  EXPECT_EQ(persons, 3u);

  for (treem_format fmt : {TREEM_FORMAT_CAPNP, TREEM_FORMAT_CAPNP_PACKED, TREEM_FORMAT_JSON}) {
    const std::string reference = Reference(fmt, req_);
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(Report(reopened, fmt, req_), reference) << "format " << fmt;
    EXPECT_EQ(Report(built, fmt, req_), reference) << "format " << fmt;
  }
  // The figures themselves: children 5-17 are the girl (12) and the boy (16); the girl works.
  const std::string json = Report(reopened, TREEM_FORMAT_JSON, req_);
  EXPECT_NE(json.find("\"indicatorId\":\"P1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"generatedAt\":{\"micros\":\"1735689600000000\"}"), std::string::npos);

  // Provenance reads the record-id columns (verified on first use): the same bytes too.
  treem_report_request* prov = nullptr;
  ASSERT_EQ(treem_report_request_new(&prov), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_year(prov, 2024), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_unit(prov, "15928"), TREEM_OK);
  ASSERT_EQ(treem_report_request_add_indicator(prov, "P1"), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_provenance(prov, 1), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_generated_at(prov, kGeneratedAt), TREEM_OK);
  const std::string with_ids = Report(reopened, TREEM_FORMAT_JSON, prov);
  EXPECT_EQ(with_ids, Reference(TREEM_FORMAT_JSON, prov));
  EXPECT_NE(with_ids.find(kGirl), std::string::npos) << with_ids;
  treem_report_request_free(prov);

  // Several threads report on one dataset at once (documented as safe).
  const std::string reference = Reference(TREEM_FORMAT_CAPNP, req_);
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        treem_buf out = TREEM_BUF_INIT;
        if (treem_dataset_report(&out, reopened, req_, TREEM_FORMAT_CAPNP) != TREEM_OK) break;
        results[t] = Text(out);
        treem_buf_dispose(&out);
        if (results[t] != reference) break;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const std::string& r : results) EXPECT_EQ(r, reference);

  // A dataset opened from a file writes an identical file.
  const std::string again = dir_ + "/again.tcol";
  ASSERT_EQ(treem_dataset_write_columns(reopened, again.c_str()), TREEM_OK)
      << treem_error_last()->message;
  EXPECT_EQ(ReadFile(again), ReadFile(path));

  treem_dataset_free(reopened);
  treem_dataset_free(built);
  treem_dataset_free(nullptr);
}

TEST_F(CapiDataset, MissingDamagedAndForeignFilesAreRefusedClearly) {
  treem_dataset* ds = reinterpret_cast<treem_dataset*>(&ds);  // must be reset to NULL
  const std::string missing = dir_ + "/no-such.tcol";
  EXPECT_EQ(treem_dataset_open_columns(&ds, missing.c_str(), units_), TREEM_NOT_FOUND);
  EXPECT_EQ(ds, nullptr);
  EXPECT_EQ(treem_error_last()->code, TREEM_NOT_FOUND);
  EXPECT_NE(std::strstr(treem_error_last()->message, "no-such.tcol"), nullptr)
      << treem_error_last()->message;

  const std::string good = ReadFile(WriteColumns("good.tcol"));
  ASSERT_GT(good.size(), 64u);

  // A flipped byte in a column verified at open: data loss naming the column.
  uint64_t bytes = 0;
  const uint64_t birth = ColumnOffset(good, "p_birth", &bytes);
  ASSERT_GT(birth, 0u);
  ASSERT_GT(bytes, 0u);
  std::string damaged = good;
  damaged[birth] = static_cast<char>(damaged[birth] ^ 0x40);
  WriteFile(dir_ + "/damaged.tcol", damaged);
  EXPECT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/damaged.tcol").c_str(), units_),
            TREEM_DATA_LOSS);
  EXPECT_EQ(ds, nullptr);
  EXPECT_NE(std::strstr(treem_error_last()->message, "p_birth"), nullptr)
      << treem_error_last()->message;
  ExpectNoPersonalData(treem_error_last()->message);

  // A flipped byte in the record ids (verified on first use): totals still computable,
  // provenance and rewriting refused naming the column.
  const uint64_t ids = ColumnOffset(good, "p_id", &bytes);
  ASSERT_GT(ids, 0u);
  ASSERT_GT(bytes, 0u);
  damaged = good;
  damaged[ids + 3] = static_cast<char>(damaged[ids + 3] ^ 0x01);
  WriteFile(dir_ + "/ids.tcol", damaged);
  ASSERT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/ids.tcol").c_str(), units_), TREEM_OK)
      << treem_error_last()->message;
  EXPECT_EQ(Report(ds, TREEM_FORMAT_CAPNP, req_), Reference(TREEM_FORMAT_CAPNP, req_));
  treem_report_request* prov = nullptr;
  ASSERT_EQ(treem_report_request_new(&prov), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_year(prov, 2024), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_provenance(prov, 1), TREEM_OK);
  treem_buf out = TREEM_BUF_INIT;
  EXPECT_EQ(treem_dataset_report(&out, ds, prov, TREEM_FORMAT_JSON), TREEM_DATA_LOSS);
  EXPECT_NE(std::strstr(treem_error_last()->message, "p_id"), nullptr)
      << treem_error_last()->message;
  ExpectNoPersonalData(treem_error_last()->message);
  EXPECT_EQ(out.data, nullptr);
  EXPECT_EQ(treem_dataset_write_columns(ds, (dir_ + "/copy.tcol").c_str()), TREEM_DATA_LOSS);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/copy.tcol"));
  treem_report_request_free(prov);
  treem_dataset_free(ds);
  ds = nullptr;

  // Another version (a consistent header): failed precondition, rebuild from the snapshot.
  std::string foreign = good.substr(0, 64);
  PutU32(foreign, 8, 2);
  PutU32(foreign, 12, 0);
  PutU32(foreign, 12, Crc32c(foreign));
  foreign += good.substr(64);
  WriteFile(dir_ + "/v2.tcol", foreign);
  EXPECT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/v2.tcol").c_str(), units_),
            TREEM_FAILED_PRECONDITION);
  EXPECT_NE(std::strstr(treem_error_last()->message, "version 2"), nullptr)
      << treem_error_last()->message;
  EXPECT_EQ(ds, nullptr);

  // Not a column file at all, an empty file, a truncated one.
  WriteFile(dir_ + "/text.tcol", std::string(100, 'x'));
  EXPECT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/text.tcol").c_str(), units_),
            TREEM_DATA_LOSS);
  WriteFile(dir_ + "/empty.tcol", "");
  EXPECT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/empty.tcol").c_str(), units_),
            TREEM_DATA_LOSS);
  WriteFile(dir_ + "/short.tcol", good.substr(0, good.size() - 8));
  EXPECT_EQ(treem_dataset_open_columns(&ds, (dir_ + "/short.tcol").c_str(), units_),
            TREEM_DATA_LOSS);
  EXPECT_EQ(ds, nullptr);

  // A folder that does not exist: the write fails, naming the path.
  treem_dataset* built = nullptr;
  ASSERT_EQ(
      treem_dataset_from_snapshot(&built, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_),
      TREEM_OK);
  EXPECT_EQ(treem_dataset_write_columns(built, (dir_ + "/no/such/dir/x.tcol").c_str()),
            TREEM_UNAVAILABLE);
  EXPECT_NE(std::strstr(treem_error_last()->message, "no/such/dir"), nullptr)
      << treem_error_last()->message;
  treem_dataset_free(built);
}

TEST_F(CapiDataset, MisuseAndBadFormatsAreReportedNotCrashed) {
  treem_dataset* ds = nullptr;
  auto expect_misuse = [](treem_status s, const char* what) {
    EXPECT_EQ(s, TREEM_INVALID_ARGUMENT) << what;
    EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE) << what;
  };
  expect_misuse(
      treem_dataset_from_snapshot(nullptr, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_),
      "from_snapshot out");
  expect_misuse(
      treem_dataset_from_snapshot(&ds, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, nullptr),
      "from_snapshot units");
  EXPECT_EQ(ds, nullptr);
  expect_misuse(treem_dataset_from_snapshot(&ds, nullptr, 5, TREEM_FORMAT_CAPNP, units_),
                "from_snapshot data");
  expect_misuse(treem_dataset_from_snapshot(&ds, Snap(), snapshot_.size(), 9, units_),
                "from_snapshot format");
  EXPECT_NE(std::strstr(treem_error_last()->message, "unknown format 9"), nullptr)
      << treem_error_last()->message;
  expect_misuse(treem_dataset_open_columns(nullptr, "x.tcol", units_), "open out");
  expect_misuse(treem_dataset_open_columns(&ds, nullptr, units_), "open path");
  expect_misuse(treem_dataset_open_columns(&ds, "x.tcol", nullptr), "open units");
  EXPECT_EQ(ds, nullptr);

  // Bytes in the wrong format: invalid argument naming the snapshot, nothing created.
  EXPECT_EQ(treem_dataset_from_snapshot(&ds, Snap(), snapshot_.size(), TREEM_FORMAT_JSON, units_),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "snapshot"), nullptr)
      << treem_error_last()->message;
  EXPECT_EQ(treem_dataset_from_snapshot(&ds, reinterpret_cast<const uint8_t*>("xx"), 2,
                                        TREEM_FORMAT_CAPNP, units_),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(ds, nullptr);

  ASSERT_EQ(treem_dataset_from_snapshot(&ds, Snap(), snapshot_.size(), TREEM_FORMAT_CAPNP, units_),
            TREEM_OK);
  treem_buf out = TREEM_BUF_INIT;
  expect_misuse(treem_dataset_report(nullptr, ds, req_, TREEM_FORMAT_JSON), "report out");
  expect_misuse(treem_dataset_report(&out, nullptr, req_, TREEM_FORMAT_JSON), "report ds");
  expect_misuse(treem_dataset_report(&out, ds, nullptr, TREEM_FORMAT_JSON), "report req");
  ASSERT_EQ(treem_dataset_report(&out, ds, req_, TREEM_FORMAT_JSON), TREEM_OK);
  expect_misuse(treem_dataset_report(&out, ds, req_, 0), "report format");
  EXPECT_EQ(out.data, nullptr) << "disposed on failure";
  expect_misuse(treem_dataset_write_columns(nullptr, "x.tcol"), "write ds");
  expect_misuse(treem_dataset_write_columns(ds, nullptr), "write path");
  uint64_t persons = 0;
  expect_misuse(treem_dataset_persons(nullptr, ds), "persons out");
  expect_misuse(treem_dataset_persons(&persons, nullptr), "persons ds");
  EXPECT_EQ(treem_report_request_set_generated_at(req_, -1), TREEM_INVALID_ARGUMENT);
  expect_misuse(treem_report_request_set_generated_at(nullptr, 0), "generated_at req");

  // A request the dataset cannot satisfy: a unit not on the map.
  treem_report_request* bad = nullptr;
  ASSERT_EQ(treem_report_request_new(&bad), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_year(bad, 2024), TREEM_OK);
  ASSERT_EQ(treem_report_request_set_unit(bad, "99999"), TREEM_OK);
  EXPECT_EQ(treem_dataset_report(&out, ds, bad, TREEM_FORMAT_JSON), TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "99999"), nullptr)
      << treem_error_last()->message;
  treem_report_request_free(bad);
  treem_buf_dispose(&out);
  treem_dataset_free(ds);
}

}  // namespace
