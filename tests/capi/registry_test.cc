// The registry through the published C API only (<treem.h>): open/create, apply in JSON,
// idempotency, refusals with their codes, access scopes, history, export and reopen.
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "treem.h"

namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/treem-capireg-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

constexpr char kChild[] = "11111111-2222-4333-8444-555555555555";

std::string PersonCommand(const char* id, const char* commune, const char* command_id = nullptr) {
  std::string cmd = R"({"actor":{"userId":"worker-1","role":"communeWorker","unitCode":"15865"},)"
                    R"("source":"api",)";
  if (command_id != nullptr) cmd += std::string(R"("commandId":")") + command_id + R"(",)";
  cmd += std::string(R"("payload":{"upsertPerson":{"id":")") + id +
         R"(","fullName":"Lê Văn C","sex":"male","birthDate":{"date":"2012-05-01"},)"
         R"("communeCode":")" +
         commune + R"("}}})";
  return cmd;
}

treem_status Apply(treem_registry* reg, const std::string& json, uint64_t* seq) {
  return treem_registry_apply(seq, reg, reinterpret_cast<const uint8_t*>(json.data()), json.size(),
                              TREEM_FORMAT_JSON);
}

treem_registry* Create(const std::string& dir) {
  treem_registry_options* opts = nullptr;
  EXPECT_EQ(treem_registry_options_new(&opts), TREEM_OK);
  EXPECT_EQ(treem_registry_options_set_create(opts, 1), TREEM_OK);
  EXPECT_EQ(treem_registry_options_set_sync(opts, TREEM_SYNC_OFF), TREEM_OK);
  EXPECT_EQ(treem_registry_options_add_scope(opts, "15865"), TREEM_OK);
  treem_registry* reg = nullptr;
  EXPECT_EQ(treem_registry_open(&reg, dir.c_str(), opts), TREEM_OK) << treem_error_last()->message;
  treem_registry_options_free(opts);
  return reg;
}

std::string Text(const treem_buf& b) {
  return std::string(reinterpret_cast<const char*>(b.data), b.size);
}

TEST(CapiRegistry, MisuseIsReportedNotCrashed) {
  treem_registry* reg = nullptr;
  EXPECT_EQ(treem_registry_open(nullptr, "/x", nullptr), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_registry_open(&reg, nullptr, nullptr), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(reg, nullptr);
  uint64_t seq = 0;
  EXPECT_EQ(treem_registry_apply(&seq, nullptr, nullptr, 0, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_registry_options_set_sync(nullptr, TREEM_SYNC_FULL), TREEM_INVALID_ARGUMENT);
  treem_registry_options* opts = nullptr;
  ASSERT_EQ(treem_registry_options_new(&opts), TREEM_OK);
  EXPECT_EQ(treem_registry_options_set_sync(opts, 42), TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  treem_registry_options_free(opts);
  treem_registry_options_free(nullptr);
  treem_registry_free(nullptr);
  // Opening a folder without a registry (and without create) fails cleanly.
  TempDir tmp;
  EXPECT_NE(treem_registry_open(&reg, tmp.Sub("none").c_str(), nullptr), TREEM_OK);
  EXPECT_EQ(reg, nullptr);
}

TEST(CapiRegistry, MergeMisuseAndBadInputAreReported) {
  treem_buf buf = TREEM_BUF_INIT;
  uint64_t seq = 0;
  EXPECT_EQ(
      treem_registry_merge(&buf, nullptr, "p", TREEM_ROLE_PROVINCE_OFFICER, "38",
                           TREEM_MERGE_SNAPSHOT, nullptr, 0, TREEM_FORMAT_CAPNP, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_error_last()->detail, TREEM_DETAIL_MISUSE);
  EXPECT_EQ(treem_registry_conflicts(nullptr, nullptr, "p", TREEM_ROLE_PROVINCE_OFFICER, "38", 1,
                                     TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_registry_export_journal(nullptr, nullptr, "p", TREEM_ROLE_PROVINCE_OFFICER, "38",
                                          1, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  TempDir tmp;
  treem_registry* reg = Create(tmp.Sub("reg"));
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(treem_registry_merge(&buf, reg, "p", TREEM_ROLE_PROVINCE_OFFICER, "38", 9, nullptr, 0,
                                 TREEM_FORMAT_CAPNP, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "source"), nullptr);
  // Bytes that are no snapshot: a clear decode error, nothing changes.
  uint64_t before = 0, after = 0;
  ASSERT_EQ(treem_registry_last_seq(&before, reg), TREEM_OK);
  const uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_NE(treem_registry_merge(&buf, reg, "sys", TREEM_ROLE_SYSTEM, "", TREEM_MERGE_SNAPSHOT,
                                 junk, sizeof junk, TREEM_FORMAT_CAPNP, TREEM_FORMAT_JSON),
            TREEM_OK);
  EXPECT_NE(std::strstr(treem_error_last()->message, "snapshot"), nullptr);
  ASSERT_EQ(treem_registry_last_seq(&after, reg), TREEM_OK);
  EXPECT_EQ(before, after);
  // A conflict id that is no uuid, and one that names no conflict.
  EXPECT_EQ(treem_registry_resolve_conflict(&seq, reg, "sys", TREEM_ROLE_SYSTEM, "", "not-a-uuid",
                                            TREEM_CONFLICT_KEEP_CURRENT, "x"),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "conflict_uuid"), nullptr);
  EXPECT_EQ(treem_registry_resolve_conflict(&seq, reg, "sys", TREEM_ROLE_SYSTEM, "", kChild,
                                            TREEM_CONFLICT_KEEP_CURRENT, "x"),
            TREEM_NOT_FOUND);
  treem_buf_dispose(&buf);
  treem_registry_free(reg);
}

TEST(CapiRegistry, ApplyGetHistoryAndReopen) {
  TempDir tmp;
  const std::string dir = tmp.Sub("reg");
  treem_registry* reg = Create(dir);
  ASSERT_NE(reg, nullptr);
  uint64_t seq = 0, again = 0;
  ASSERT_EQ(
      Apply(reg, PersonCommand(kChild, "15865", "aaaaaaaa-2222-4333-8444-555555555555"), &seq),
      TREEM_OK)
      << treem_error_last()->message;
  EXPECT_GT(seq, 0u);
  ASSERT_EQ(
      Apply(reg, PersonCommand(kChild, "15865", "aaaaaaaa-2222-4333-8444-555555555555"), &again),
      TREEM_OK);
  EXPECT_EQ(again, seq) << "a retried commandId is acknowledged, not applied again";
  uint64_t last = 0;
  ASSERT_EQ(treem_registry_last_seq(&last, reg), TREEM_OK);
  EXPECT_EQ(last, seq);

  // Out of scope: refused with the field named, nothing stored.
  EXPECT_EQ(Apply(reg, PersonCommand("22222222-2222-4333-8444-555555555555", "15928"), &seq),
            TREEM_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(treem_error_last()->message, "upsertPerson.communeCode"), nullptr);
  EXPECT_EQ(std::strstr(treem_error_last()->message, "Lê Văn C"), nullptr);

  treem_buf buf = TREEM_BUF_INIT;
  ASSERT_EQ(treem_registry_get(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865", "person",
                               kChild, TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;
  EXPECT_NE(Text(buf).find("Lê Văn C"), std::string::npos);
  EXPECT_EQ(treem_registry_get(&buf, reg, "analyst-1", TREEM_ROLE_ANALYST, "38", "person", kChild,
                               TREEM_FORMAT_JSON),
            TREEM_PERMISSION_DENIED);
  EXPECT_NE(std::strstr(treem_error_last()->message, "role analyst may not read personal records"),
            nullptr);
  EXPECT_EQ(
      treem_registry_get(&buf, reg, "worker-1", 99, "15865", "person", kChild, TREEM_FORMAT_JSON),
      TREEM_INVALID_ARGUMENT);
  EXPECT_EQ(treem_registry_get(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                               "nonsense", kChild, TREEM_FORMAT_JSON),
            TREEM_INVALID_ARGUMENT);

  ASSERT_EQ(treem_registry_history(&buf, reg, "aud-1", TREEM_ROLE_AUDITOR, "15865", "person",
                                   kChild, TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;
  const std::string history = Text(buf);
  EXPECT_NE(history.find("\"change\":\"upsertPerson\""), std::string::npos);
  EXPECT_NE(history.find("\"refused\":true"), std::string::npos) << "the analyst's refusal";

  ASSERT_EQ(treem_registry_list(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865", "person",
                                TREEM_FORMAT_CAPNP),
            TREEM_OK);
  EXPECT_GT(buf.size, 0u);
  ASSERT_EQ(treem_registry_due(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                               int64_t{1718000000} * 1000000, 48, TREEM_FORMAT_JSON),
            TREEM_OK)
      << treem_error_last()->message;

  uint64_t covered = 0;
  ASSERT_EQ(treem_registry_checkpoint(&covered, reg), TREEM_OK) << treem_error_last()->message;
  ASSERT_EQ(treem_registry_export(&buf, reg, "chair-1", TREEM_ROLE_COMMUNE_CHAIR, "15865",
                                  TREEM_FORMAT_CAPNP),
            TREEM_OK);
  EXPECT_GT(buf.size, 0u);
  treem_registry_free(reg);

  reg = nullptr;
  ASSERT_EQ(treem_registry_open(&reg, dir.c_str(), nullptr), TREEM_OK)
      << treem_error_last()->message;
  ASSERT_EQ(treem_registry_get(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865", "person",
                               kChild, TREEM_FORMAT_JSON),
            TREEM_OK);
  EXPECT_NE(Text(buf).find("Lê Văn C"), std::string::npos);
  treem_buf_dispose(&buf);
  treem_registry_free(reg);
}

}  // namespace
