#include "exchange/text_fold.h"

#include <cstdint>

namespace treem::exchange {
namespace {

uint32_t LowerCodePoint(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) && cp % 2 == 0) {
    return cp + 1;
  }
  if (cp == 0x1A0 || cp == 0x1AF) return cp + 1;  // Ơ, Ư
  if (cp >= 0x1EA0 && cp <= 0x1EF9 && cp % 2 == 0) return cp + 1;
  return cp;
}

bool IsSeparator(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '_' || cp == '-' || cp == '\'' || cp == '/' ||
         cp == ',' || cp == 0x2019;
}

}  // namespace

bool FoldBuffer::Fold(std::string_view in, std::string_view& out, bool keep_separators) {
  size_t n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* e = p + in.size();
  while (p < e) {
    uint32_t cp = *p;
    int len = 1;
    if (cp >= 0x80) {
      if ((cp & 0xE0) == 0xC0 && e - p >= 2) {
        cp = ((cp & 0x1F) << 6) | (p[1] & 0x3F);
        len = 2;
      } else if ((cp & 0xF0) == 0xE0 && e - p >= 3) {
        cp = ((cp & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        len = 3;
      } else {
        // Anything else is copied byte by byte (it is no code we know).
        len = 1;
      }
    }
    if (len == 1 && *p >= 0x80) {
      if (n + 1 > kCapacity) return false;
      buf_[n++] = static_cast<char>(*p);
      ++p;
      continue;
    }
    p += len;
    if (!keep_separators && IsSeparator(cp)) continue;
    cp = LowerCodePoint(cp);
    if (cp < 0x80) {
      if (n + 1 > kCapacity) return false;
      buf_[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      if (n + 2 > kCapacity) return false;
      buf_[n++] = static_cast<char>(0xC0 | (cp >> 6));
      buf_[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      if (n + 3 > kCapacity) return false;
      buf_[n++] = static_cast<char>(0xE0 | (cp >> 12));
      buf_[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf_[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  out = std::string_view(buf_, n);
  return true;
}

std::string FoldKey(std::string_view in) {
  FoldBuffer buf;
  std::string_view out;
  if (!buf.Fold(in, out)) return std::string();
  return std::string(out);
}

}  // namespace treem::exchange
