#include "core/ids.h"

#include <array>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "boost/uuid/entropy_error.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace treem::core {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 4122 Appendix C: the DNS namespace.
constexpr Uuid kDnsNamespace = {0x6ba7b8109dad11d1ULL, 0x80b400c04fd430c8ULL};

TEST(UuidTest, BytesAreBigEndianHalves) {
  const Uuid id = {0x0011223344556677ULL, 0x8899aabbccddeeffULL};
  const std::array<uint8_t, 16> b = ToBytes(id);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(b[i], i * 0x11) << i;
  EXPECT_EQ(FromBytes(b), id);
  EXPECT_EQ(ToString(id), "00112233-4455-6677-8899-aabbccddeeff");
}

TEST(UuidTest, RandomIsVersion4Rfc4122) {
  for (int i = 0; i < 100; ++i) {
    const Uuid id = NewRandomUuid();
    EXPECT_EQ(id.version(), 4);
    EXPECT_TRUE(id.is_rfc4122());
    EXPECT_EQ(ToString(id)[14], '4');
    EXPECT_THAT(std::string("89ab"), HasSubstr(std::string(1, ToString(id)[19])));
  }
  absl::StatusOr<Uuid> tried = TryNewRandomUuid();
  ASSERT_TRUE(tried.ok()) << tried.status();
  EXPECT_EQ(tried->version(), 4);
}

TEST(UuidTest, RandomIdsAreUnique) {
  constexpr int kCount = 100000;
  absl::flat_hash_set<Uuid> seen;
  seen.reserve(kCount);
  for (int i = 0; i < kCount; ++i) seen.insert(NewRandomUuid());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kCount));
}

TEST(UuidTest, RandomIdsAreUniqueAcrossThreads) {
  // Each thread has its own generator; none must repeat another's ids.
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::vector<Uuid>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kEach; ++i) ids[t].push_back(NewRandomUuid());
    });
  }
  for (std::thread& th : threads) th.join();
  std::unordered_set<Uuid> all;  // also exercises std::hash<Uuid>
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
}

TEST(UuidTest, EntropyFailureBecomesUnavailable) {
  absl::StatusOr<Uuid> r = internal::TryGenerateUuid(
      []() -> Uuid { throw boost::uuids::entropy_error(5, "getrandom"); });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("entropy"));
  const Uuid fixed = {1, 2};
  EXPECT_EQ(*internal::TryGenerateUuid([&] { return fixed; }), fixed);
}

TEST(UuidTest, NameBasedKnownAnswers) {
  // RFC 4122 / Python uuid.uuid5(NAMESPACE_DNS, "www.example.com").
  EXPECT_EQ(ToString(NameUuid(kDnsNamespace, "www.example.com")),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  // Python: uuid.uuid5(UUID("db840281-529e-4ada-98eb-34b463012220"), "survey:0101:42").
  EXPECT_EQ(ToString(NameUuid("survey:0101:42")), "f7562021-036f-5b06-94c0-e0c47cfa435b");
  // UTF-8 names hash their bytes (Python encodes str as UTF-8).
  EXPECT_EQ(ToString(NameUuid("xã Hoàng Đức")), "e55d9364-5b55-58c4-9e23-bc4f81dc5a88");
}

TEST(UuidTest, NameBasedIsVersion5AndDeterministic) {
  const Uuid a = NameUuid("import:village-list:0001");
  EXPECT_EQ(a.version(), 5);
  EXPECT_TRUE(a.is_rfc4122());
  EXPECT_EQ(NameUuid("import:village-list:0001"), a);
  EXPECT_NE(NameUuid("import:village-list:0002"), a);
  EXPECT_EQ(NameUuid(kTreemNamespace, "import:village-list:0001"), a);
  EXPECT_NE(NameUuid(kDnsNamespace, "import:village-list:0001"), a);
  EXPECT_EQ(NameUuid(""), NameUuid(""));
}

TEST(UuidTest, TreemNamespaceIsTheDocumentedValue) {
  EXPECT_EQ(ToString(kTreemNamespace), "db840281-529e-4ada-98eb-34b463012220");
  EXPECT_EQ(kTreemNamespace.version(), 4);
  EXPECT_TRUE(kTreemNamespace.is_rfc4122());
}

TEST(UuidTest, FormatParseRoundTrip) {
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = NewRandomUuid();
    const std::string text = ToString(id);
    ASSERT_EQ(text.size(), 36u);
    absl::StatusOr<Uuid> back = ParseUuid(text, "id");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, id);
  }
  // Upper case is accepted; output is lower case.
  absl::StatusOr<Uuid> upper = ParseUuid("DB840281-529E-4ADA-98EB-34B463012220", "id");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, kTreemNamespace);
  EXPECT_EQ(*ParseUuid("00000000-0000-0000-0000-000000000000", "id"), Uuid{});
  EXPECT_TRUE(Uuid{}.is_nil());
  EXPECT_EQ(ToString(*ParseUuid("ffffffff-ffff-ffff-ffff-ffffffffffff", "id")),
            "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(UuidTest, ParseErrorsNameFieldAndReasonButNotValue) {
  const std::string valid = "db840281-529e-4ada-98eb-34b463012220";
  struct Case {
    std::string text;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"", "got 0"},
      {valid.substr(0, 35), "got 35"},
      {valid + "0", "got 37"},
      {"{" + valid.substr(0, 34) + "}", "position 1"},
      {"db840281529e-4ada-98eb-34b4630122200", "expected '-' at position 9"},
      {"db840281-529e-4ada-98eb-34b46301222g", "not a hex digit at position 36"},
      {"db840281-529e+4ada-98eb-34b463012220", "expected '-' at position 14"},
      {"db840281-529e-4ada-98eb-34b46301-220", "not a hex digit at position 33"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Uuid> r = ParseUuid(c.text, "childId");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string msg(r.status().message());
    EXPECT_THAT(msg, AllOf(HasSubstr("childId: "), HasSubstr(c.reason))) << c.text;
    if (c.text.size() > 8) {
      EXPECT_THAT(msg, Not(HasSubstr(c.text.substr(0, 8)))) << msg;
    }
  }
}

TEST(UuidTest, OrderingFollowsCanonicalText) {
  std::vector<Uuid> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(NewRandomUuid());
  for (size_t i = 1; i < ids.size(); ++i) {
    const Uuid& a = ids[i - 1];
    const Uuid& b = ids[i];
    EXPECT_EQ(a < b, ToString(a) < ToString(b));
    EXPECT_EQ(a == b, ToString(a) == ToString(b));
  }
  EXPECT_LT((Uuid{1, 0}), (Uuid{1, 1}));
  EXPECT_LT((Uuid{0, ~0ULL}), (Uuid{1, 0}));
}

}  // namespace
}  // namespace treem::core
