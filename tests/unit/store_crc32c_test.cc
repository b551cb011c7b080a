#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/crc32c.h"

namespace treem::store {
namespace {

uint32_t Crc(const std::string& s) { return Crc32c(s.data(), s.size()); }

TEST(StoreCrc32cTest, KnownVectors) {
  EXPECT_EQ(Crc("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc(""), 0u);
  EXPECT_EQ(Crc("a"), 0xC1D04330u);
  // RFC 3720 (iSCSI) appendix B.4.
  EXPECT_EQ(Crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc(std::string(32, '\xff')), 0x62A8AB43u);
  std::string inc(32, '\0'), dec(32, '\0');
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Crc(inc), 0x46DD794Eu);
  EXPECT_EQ(Crc(dec), 0x113FDB5Cu);
}

TEST(StoreCrc32cTest, ExtendEqualsWhole) {
  const std::string s = "The quick brown fox jumps over the lazy dog, twice over, for sure.";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Crc32cExtend(Crc32c(s.data(), cut), s.data() + cut, s.size() - cut), Crc(s)) << cut;
  }
}

TEST(StoreCrc32cTest, PortableAndHardwareAgreeAtEveryAlignmentAndLength) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(4096 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  const bool hw = internal::Crc32cHardwareAvailable();
  for (size_t align = 0; align < 8; ++align) {
    for (size_t len : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4096}) {
      const uint32_t portable = internal::Crc32cPortable(0, buf.data() + align, len);
      EXPECT_EQ(Crc32c(buf.data() + align, len), portable) << align << " " << len;
      if (hw) {
        EXPECT_EQ(internal::Crc32cHardware(0, buf.data() + align, len), portable)
            << align << " " << len;
        EXPECT_EQ(internal::Crc32cHardware(0x12345678, buf.data() + align, len),
                  internal::Crc32cPortable(0x12345678, buf.data() + align, len));
      }
    }
  }
  EXPECT_EQ(internal::Crc32cPortable(0, "123456789", 9), 0xE3069283u);
}

TEST(StoreCrc32cTest, DetectsEverySingleBitFlip) {
  std::string s(100, 'x');
  const uint32_t base = Crc(s);
  for (size_t i = 0; i < s.size() * 8; ++i) {
    std::string t = s;
    t[i / 8] = static_cast<char>(t[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Crc(t), base) << i;
  }
}

}  // namespace
}  // namespace treem::store
