#include "core/admin_units.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "internal/status_macros.h"

namespace treem::core {

using internal::Sv;

// ======================================================================================
// Shared, immutable data
// ======================================================================================

namespace {

constexpr DayNumber kOpenEnd = INT32_MAX;

struct Rec {
  uint32_t code = 0;
  uint32_t name = 0;
  uint32_t english = 0;
  uint32_t kind = 0;
  UnitIndex parent = kNoUnit;
  DayNumber from = 0;
  DayNumber to = kOpenEnd;
  UnitLevel level = UnitLevel::kProvince;
  UnitSource source = UnitSource::kBeforeList;
};

struct Link {
  UnitIndex from = kNoUnit;
  UnitIndex to = kNoUnit;
  uint32_t note = 0;
  int32_t line = 0;
  bool partial = false;
};

}  // namespace

struct AdminUnits::Data {
  // Interned strings: id -> (offset, length) into `arena`; id 0 is "".
  std::string arena;
  std::vector<std::pair<uint32_t, uint32_t>> strs{{0, 0}};
  std::vector<Rec> recs;
  std::vector<Link> links;
  DayNumber coverage_from = 0;
  LoadReport report;

  // Derived by Finalize().
  absl::flat_hash_map<absl::string_view, std::pair<uint32_t, uint32_t>> code_index;
  std::vector<UnitIndex> by_code;  // versions of each code, oldest first
  std::vector<uint32_t> child_off;
  std::vector<UnitIndex> children;
  std::vector<uint32_t> succ_off, succ;  // indices into `links`
  std::vector<uint32_t> pred_off, pred;
  std::vector<UnitIndex> province_of;

  std::string_view Str(uint32_t id) const {
    return std::string_view(arena).substr(strs[id].first, strs[id].second);
  }
};

namespace {

using Data = AdminUnits::Data;

// Builds interned strings into a Data under construction.
class Interner {
 public:
  explicit Interner(Data* d) : d_(d) {
    for (uint32_t i = 1; i < d_->strs.size(); ++i) ids_.emplace(std::string(d_->Str(i)), i);
  }
  uint32_t operator()(std::string_view s) {
    if (s.empty()) return 0;
    auto it = ids_.find(std::string(s));
    if (it != ids_.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(d_->strs.size());
    d_->strs.emplace_back(static_cast<uint32_t>(d_->arena.size()), static_cast<uint32_t>(s.size()));
    d_->arena.append(s);
    ids_.emplace(std::string(s), id);
    return id;
  }

 private:
  Data* d_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

Date ReformDay() { return Date(2025, 7, 1); }
Date LastOldDay() { return Date(2025, 6, 30); }

std::string FormatDay(DayNumber d) { return d == kOpenEnd ? "open" : FormatDate(FromDayNumber(d)); }

void CompactCsr(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& pairs,
                std::vector<uint32_t>* off, std::vector<uint32_t>* out) {
  off->assign(n + 1, 0);
  for (const auto& p : pairs) ++(*off)[p.first + 1];
  for (size_t i = 0; i < n; ++i) (*off)[i + 1] += (*off)[i];
  out->assign(pairs.size(), 0);
  std::vector<uint32_t> pos(off->begin(), off->end() - 1);
  for (const auto& p : pairs) (*out)[pos[p.first]++] = p.second;
}

// Derives the indexes from recs and links.
void Finalize(Data* d) {
  const size_t n = d->recs.size();
  // Code index: versions of a code sorted by first day.
  std::vector<UnitIndex> order(n);
  for (UnitIndex i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [d](UnitIndex a, UnitIndex b) {
    std::string_view ca = d->Str(d->recs[a].code), cb = d->Str(d->recs[b].code);
    if (ca != cb) return ca < cb;
    return d->recs[a].from < d->recs[b].from;
  });
  d->by_code = order;
  d->code_index.clear();
  d->code_index.reserve(n);
  for (uint32_t k = 0; k < n;) {
    uint32_t j = k;
    std::string_view c = d->Str(d->recs[order[k]].code);
    while (j < n && d->Str(d->recs[order[j]].code) == c) ++j;
    d->code_index[Sv(c)] = {k, j - k};
    k = j;
  }
  // Children.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (UnitIndex i = 0; i < n; ++i) {
    if (d->recs[i].parent != kNoUnit) pairs.emplace_back(d->recs[i].parent, i);
  }
  CompactCsr(n, pairs, &d->child_off, &d->children);
  // Lineage, both directions.
  pairs.clear();
  for (uint32_t l = 0; l < d->links.size(); ++l) pairs.emplace_back(d->links[l].from, l);
  CompactCsr(n, pairs, &d->succ_off, &d->succ);
  pairs.clear();
  for (uint32_t l = 0; l < d->links.size(); ++l) pairs.emplace_back(d->links[l].to, l);
  CompactCsr(n, pairs, &d->pred_off, &d->pred);
  // Province of each version.
  d->province_of.assign(n, kNoUnit);
  for (UnitIndex i = 0; i < n; ++i) {
    UnitIndex p = i;
    int guard = 0;
    while (p != kNoUnit && d->recs[p].level != UnitLevel::kProvince && guard++ < 8) {
      p = d->recs[p].parent;
    }
    d->province_of[i] = (p != kNoUnit && d->recs[p].level == UnitLevel::kProvince) ? p : kNoUnit;
  }
}

// ======================================================================================
// Text helpers
// ======================================================================================

bool IsDigits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsVillageCode(std::string_view s) {
  if (s.size() < 7 || s.size() > 12 || s[5] != '-') return false;
  return IsDigits(s.substr(0, 5), 5) && IsDigits(s.substr(6), s.size() - 6);
}

absl::Status ValidateCode(std::string_view code) {
  if (IsDigits(code, 2) || IsDigits(code, 3) || IsDigits(code, 5) || IsVillageCode(code)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unit code \"", Sv(code),
                   "\": not a 2-digit province, 3-digit district or 5-digit commune code, nor a "
                   "village code (5 digits, '-', 1 to 6 digits)"));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

// Trims and collapses every whitespace run (line breaks included) to one space.
std::string NormalizeSpace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  for (char c : s) {
    if (IsSpace(c)) {
      pending = !out.empty();
    } else {
      if (pending) out.push_back(' ');
      pending = false;
      out.push_back(c);
    }
  }
  return out;
}

// Decodes one UTF-8 code point at s[*i]; invalid bytes decode as themselves.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

bool IsCombiningMark(uint32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

bool HasCombiningMarks(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (IsCombiningMark(NextCodePoint(s, &i))) return true;
  }
  return false;
}

// The base Latin letter of a Vietnamese letter (lower case), or 0.
char VietBase(uint32_t cp) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return c;
    return 0;
  }
  if (cp >= 0x1EA0 && cp <= 0x1EF9) {  // Latin Extended Additional: Vietnamese tones
    if (cp <= 0x1EB7) return 'a';
    if (cp <= 0x1EC7) return 'e';
    if (cp <= 0x1ECB) return 'i';
    if (cp <= 0x1EE3) return 'o';
    if (cp <= 0x1EF1) return 'u';
    return 'y';
  }
  switch (cp) {
    case 0xC0:
    case 0xC1:
    case 0xC2:
    case 0xC3:
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0x102:
    case 0x103:
      return 'a';
    case 0xC8:
    case 0xC9:
    case 0xCA:
    case 0xE8:
    case 0xE9:
    case 0xEA:
      return 'e';
    case 0xCC:
    case 0xCD:
    case 0xEC:
    case 0xED:
    case 0x128:
    case 0x129:
      return 'i';
    case 0xD2:
    case 0xD3:
    case 0xD4:
    case 0xD5:
    case 0xF2:
    case 0xF3:
    case 0xF4:
    case 0xF5:
    case 0x1A0:
    case 0x1A1:
      return 'o';
    case 0xD9:
    case 0xDA:
    case 0xF9:
    case 0xFA:
    case 0x168:
    case 0x169:
    case 0x1AF:
    case 0x1B0:
      return 'u';
    case 0xDD:
    case 0xFD:
      return 'y';
    case 0x110:
    case 0x111:
      return 'd';
    default:
      return 0;
  }
}

// A comparison key for names: lower case, without tone marks, diacritics (composed or
// combining), spaces or punctuation. "Xã Hoà An" == "xã Hòa An"; "Ea Bia" == "EaBia".
std::string LooseKey(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char b = VietBase(NextCodePoint(s, &i));
    if (b != 0) out.push_back(b);
  }
  return out;
}

// Splits "Tỉnh Thanh Hóa (38)" into name and code; false unless the code has `digits` digits.
bool SplitNameCode(std::string_view text, size_t digits, std::string* name, std::string* code) {
  std::string t = NormalizeSpace(text);
  if (t.size() < digits + 3 || t.back() != ')') return false;
  size_t open = t.rfind('(');
  if (open == std::string::npos) return false;
  std::string c = t.substr(open + 1, t.size() - open - 2);
  if (!IsDigits(c, digits)) return false;
  *name = NormalizeSpace(t.substr(0, open));
  *code = c;
  return !name->empty();
}

// The kind of a unit from the start of its name, among `kinds` (matched case-insensitively on
// the first letter); "" when none matches.
std::string KindFromName(std::string_view name, std::initializer_list<std::string_view> kinds) {
  for (std::string_view k : kinds) {
    size_t want = 0;
    for (size_t i = 0; i < k.size(); ++want) NextCodePoint(k, &i);
    size_t bytes = 0, got = 0;
    for (; bytes < name.size() && got < want; ++got) NextCodePoint(name, &bytes);
    if (got == want && (bytes == name.size() || name[bytes] == ' ') &&
        LooseKey(name.substr(0, bytes)) == LooseKey(k)) {
      return std::string(k);
    }
  }
  return "";
}

// ======================================================================================
// CSV and JSON readers
// ======================================================================================

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsSpace); }

struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
  bool Blank() const {
    return std::all_of(fields.begin(), fields.end(),
                       [](const std::string& f) { return IsBlank(f); });
  }
};

absl::Status FileError(std::string_view file, int line, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(Sv(file), ": line ", line, ": ", Sv(reason)));
}

absl::Status CellError(std::string_view file, int line, int column, std::string_view header,
                       std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(Sv(file), ": line ", line, ", column ", column,
                                                 " (", Sv(header), "): ", Sv(reason)));
}

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF; an
// optional UTF-8 byte-order mark.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view file) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> out;
  out.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    rec.fields.reserve(out.empty() ? 8 : out.back().fields.size());
    std::string field;
    bool done = false;
    while (!done) {
      if (i < text.size() && text[i] == '"') {  // quoted field
        const int start_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) {
            return FileError(
                file, start_line,
                absl::StrCat("column ", rec.fields.size() + 1, ": quoted field is not closed"));
          }
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field.push_back(c);
          }
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return FileError(file, line,
                           absl::StrCat("column ", rec.fields.size() + 1,
                                        ": text after the closing quote of a quoted field"));
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            return FileError(
                file, line,
                absl::StrCat("column ", rec.fields.size() + 1, ": quote inside an unquoted field"));
          }
          field.push_back(text[i++]);
        }
      }
      rec.fields.push_back(std::move(field));
      field.clear();
      if (i >= text.size()) {
        done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {  // end of record
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        done = true;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

struct JsonCommune {
  int line = 0, column = 0;
  std::optional<int64_t> code;
  std::optional<std::string> name, province_name;
  int code_line = 0, code_column = 0;
};

class JsonReader {
 public:
  JsonReader(std::string_view s, std::string_view file) : s_(s), file_(file) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") s_.remove_prefix(3);
  }

  absl::StatusOr<std::vector<JsonCommune>> ReadCommunes() {
    std::vector<JsonCommune> out;
    SkipWs();
    if (!Eat('[')) return Error("expected '[' (an array of communes)");
    SkipWs();
    if (Eat(']')) return Finish(std::move(out));
    while (true) {
      SkipWs();
      JsonCommune c;
      c.line = line_;
      c.column = col_;
      if (!Eat('{')) return Error("expected '{' (a commune object)");
      SkipWs();
      if (!Eat('}')) {
        while (true) {
          SkipWs();
          std::string key;
          TREEM_RETURN_IF_ERROR(ReadString(&key));
          SkipWs();
          if (!Eat(':')) return Error("expected ':'");
          SkipWs();
          if (key == "code") {
            c.code_line = line_;
            c.code_column = col_;
            int64_t v = 0;
            TREEM_RETURN_IF_ERROR(ReadInteger(&v));
            c.code = v;
          } else if (key == "name" || key == "province_name") {
            std::string v;
            if (Peek() != '"') return Error(absl::StrCat("\"", key, "\" must be a string"));
            TREEM_RETURN_IF_ERROR(ReadString(&v));
            (key == "name" ? c.name : c.province_name) = std::move(v);
          } else {
            TREEM_RETURN_IF_ERROR(SkipValue(0));
          }
          SkipWs();
          if (Eat(',')) continue;
          if (Eat('}')) break;
          return Error("expected ',' or '}'");
        }
      }
      out.push_back(std::move(c));
      SkipWs();
      if (Eat(',')) continue;
      if (Eat(']')) break;
      return Error("expected ',' or ']'");
    }
    return Finish(std::move(out));
  }

 private:
  absl::StatusOr<std::vector<JsonCommune>> Finish(std::vector<JsonCommune> out) {
    SkipWs();
    if (pos_ != s_.size()) return Error("unexpected text after the array");
    return out;
  }
  absl::Status Error(std::string_view reason) const {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(file_), ": line ", line_, ", column ", col_, ": ", Sv(reason)));
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Advance() {
    char c = s_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++col_;
    }
  }
  bool Eat(char c) {
    if (Peek() != c || pos_ >= s_.size()) return false;
    Advance();
    return true;
  }
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      Advance();
    }
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  absl::Status ReadHex4(uint32_t* v) {
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = Peek();
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return Error("bad \\u escape");
      *v = *v * 16 + static_cast<uint32_t>(d);
      Advance();
    }
    return absl::OkStatus();
  }
  absl::Status ReadString(std::string* out) {
    if (!Eat('"')) return Error("expected a string");
    while (true) {
      if (pos_ >= s_.size()) return Error("string is not closed");
      char c = Peek();
      if (c == '"') {
        Advance();
        return absl::OkStatus();
      }
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out->push_back(c);
        Advance();
        continue;
      }
      Advance();
      char e = Peek();
      if (pos_ >= s_.size()) return Error("string is not closed");
      Advance();
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          TREEM_RETURN_IF_ERROR(ReadHex4(&cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (!Eat('\\') || !Eat('u')) return Error("unpaired surrogate in \\u escape");
            TREEM_RETURN_IF_ERROR(ReadHex4(&lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return Error("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("unpaired surrogate in \\u escape");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape in a string");
      }
    }
  }
  absl::Status ReadInteger(int64_t* v) {
    size_t start = pos_;
    if (Peek() == '-') Advance();
    if (!(Peek() >= '0' && Peek() <= '9')) return Error("\"code\" must be an integer");
    int64_t x = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      if (x > 1000000000) return Error("\"code\" is out of range");
      x = x * 10 + (Peek() - '0');
      Advance();
    }
    if (Peek() == '.' || Peek() == 'e' || Peek() == 'E')
      return Error("\"code\" must be an integer");
    *v = s_[start] == '-' ? -x : x;
    return absl::OkStatus();
  }
  absl::Status SkipValue(int depth) {
    if (depth > 64) return Error("nesting too deep");
    char c = Peek();
    if (c == '"') {
      std::string ignored;
      return ReadString(&ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      Advance();
      SkipWs();
      if (Eat(close)) return absl::OkStatus();
      while (true) {
        SkipWs();
        if (c == '{') {
          std::string key;
          TREEM_RETURN_IF_ERROR(ReadString(&key));
          SkipWs();
          if (!Eat(':')) return Error("expected ':'");
          SkipWs();
        }
        TREEM_RETURN_IF_ERROR(SkipValue(depth + 1));
        SkipWs();
        if (Eat(',')) continue;
        if (Eat(close)) return absl::OkStatus();
        return Error(absl::StrCat("expected ',' or '", std::string(1, close), "'"));
      }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      while (pos_ < s_.size() &&
             std::string_view("+-.eE0123456789").find(Peek()) != std::string_view::npos) {
        Advance();
      }
      return absl::OkStatus();
    }
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(pos_, lit.size()) == lit) {
        for (size_t k = 0; k < lit.size(); ++k) Advance();
        return absl::OkStatus();
      }
    }
    return Error("expected a value");
  }

  std::string_view s_;
  std::string_view file_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

// ======================================================================================
// Loading
// ======================================================================================

constexpr std::string_view kBeforeHeader[] = {
    "Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp", "Tên Tiếng Anh"};
constexpr std::string_view kConvHeader[] = {"Tỉnh, thành phố", "Tên Xã mới", "Mã Xã mới",
                                            "Tên Xã cũ",       "Mã Xã cũ",   "Ghi chú",
                                            "Quận/huyện",      "Tỉnh cũ"};

struct PendingUnit {
  std::string code, name, english, kind, parent_code;
  int line = 0;
  UnitIndex index = kNoUnit;
};

struct PendingLink {
  std::string from_code;  // old commune (or district, for rows without a commune code)
  UnitLevel from_level = UnitLevel::kCommune;
  std::string to_code;  // new commune
  std::string note;
  bool partial = false;
  int line = 0;
};

class Loader {
 public:
  Loader(const AdminUnitsSources& src, const AdminUnitsOptions& opt)
      : src_(src), opt_(opt), data_(std::make_shared<Data>()), intern_(data_.get()) {}

  absl::StatusOr<std::shared_ptr<Data>> Run() {
    data_->coverage_from = ToDayNumber(opt_.coverage_from);
    if (opt_.coverage_from >= LastOldDay()) {
      return absl::InvalidArgumentError("coverage_from: must be before 2025-06-30");
    }
    TREEM_RETURN_IF_ERROR(ReadBefore());
    TREEM_RETURN_IF_ERROR(ReadConversion());
    TREEM_RETURN_IF_ERROR(ReadCommunesJson());
    TREEM_RETURN_IF_ERROR(Emit());
    return data_;
  }

 private:
  void Note(LoadReport::Kind kind, std::string_view file, int line, std::string detail) {
    data_->report.items.push_back({kind, std::string(file), line, std::move(detail)});
  }

  // Normalises a name, reporting what changed.
  std::string Clean(std::string_view raw, std::string_view file, int line, std::string_view what) {
    std::string s = NormalizeSpace(raw);
    if (s != raw) {
      Note(LoadReport::Kind::kTextNormalised, file, line,
           absl::StrCat(Sv(what), " \"", s, "\" had extra whitespace or a line break"));
    }
    return s;
  }

  absl::Status ReadBefore() {
    const std::string& f = src_.before_name;
    TREEM_ASSIGN_OR_RETURN(std::vector<CsvRecord> recs, ParseCsv(src_.before_csv, f));
    if (recs.empty()) return FileError(f, 1, "empty file (no header)");
    const CsvRecord& h = recs[0];
    constexpr size_t kCols = std::size(kBeforeHeader);
    if (h.fields.size() != kCols) {
      return FileError(f, h.line,
                       absl::StrCat("header has ", h.fields.size(), " columns, expected ", kCols));
    }
    for (size_t c = 0; c < kCols; ++c) {
      if (NormalizeSpace(h.fields[c]) != kBeforeHeader[c]) {
        return CellError(f, h.line, static_cast<int>(c + 1), kBeforeHeader[c],
                         absl::StrCat("header is \"", h.fields[c], "\""));
      }
    }
    for (size_t r = 1; r < recs.size(); ++r) {
      const CsvRecord& rec = recs[r];
      if (rec.Blank()) {
        Note(LoadReport::Kind::kBlankRow, f, rec.line, "blank row skipped");
        continue;
      }
      if (rec.fields.size() != kCols) {
        return FileError(f, rec.line,
                         absl::StrCat("row has ", rec.fields.size(), " columns, expected ", kCols));
      }
      auto cell = [&](int c) { return NormalizeSpace(rec.fields[c - 1]); };
      auto err = [&](int c, std::string_view reason) {
        return CellError(f, rec.line, c, kBeforeHeader[c - 1], reason);
      };
      // Province.
      std::string pcode = cell(2);
      if (!IsDigits(pcode, 2)) {
        return err(2, absl::StrCat("\"", pcode, "\" is not a 2-digit province code"));
      }
      std::string pname = Clean(rec.fields[0], f, rec.line, "province name");
      if (pname.empty()) return err(1, "empty province name");
      auto [pit, pnew] = old_provinces_.try_emplace(pcode);
      if (pnew) {
        pit->second =
            PendingUnit{pcode, pname, "", KindFromName(pname, {"Tỉnh", "Thành phố"}), "", rec.line};
        if (pit->second.kind.empty()) {
          Note(LoadReport::Kind::kUnknownKind, f, rec.line,
               absl::StrCat("province ", pcode, " \"", pname, "\": kind not recognised"));
        }
      } else if (pit->second.name != pname) {
        return err(1, absl::StrCat("province ", pcode, " is named \"", pname, "\" here but \"",
                                   pit->second.name, "\" at line ", pit->second.line));
      }
      // District.
      std::string dcode = cell(4);
      if (!IsDigits(dcode, 3)) {
        return err(4, absl::StrCat("\"", dcode, "\" is not a 3-digit district code"));
      }
      std::string dname = Clean(rec.fields[2], f, rec.line, "district name");
      if (dname.empty()) return err(3, "empty district name");
      auto [dit, dnew] = old_districts_.try_emplace(dcode);
      if (dnew) {
        dit->second = PendingUnit{
            dcode, dname,   "", KindFromName(dname, {"Quận", "Huyện", "Thị xã", "Thành phố"}),
            pcode, rec.line};
        if (dit->second.kind.empty()) {
          Note(LoadReport::Kind::kUnknownKind, f, rec.line,
               absl::StrCat("district ", dcode, " \"", dname, "\": kind not recognised"));
        }
      } else if (dit->second.parent_code != pcode) {
        return err(
            4, absl::StrCat("district ", dcode, " is in province ", pcode, " here but in province ",
                            dit->second.parent_code, " at line ", dit->second.line));
      } else if (dit->second.name != dname) {
        return err(3, absl::StrCat("district ", dcode, " is named \"", dname, "\" here but \"",
                                   dit->second.name, "\" at line ", dit->second.line));
      }
      // Commune.
      std::string ccode = cell(6);
      std::string level = cell(7);
      std::string cname = Clean(rec.fields[4], f, rec.line, "commune name");
      if (ccode.empty() && cname.empty() &&
          (level == "Huyện" || level == "Quận" || level == "Thị xã" || level == "Thành phố")) {
        Note(LoadReport::Kind::kDistrictWithoutCommune, f, rec.line,
             absl::StrCat("district ", dcode, " \"", dname, "\" has no commune"));
        continue;
      }
      if (!IsDigits(ccode, 5)) {
        return err(6, absl::StrCat("\"", ccode, "\" is not a 5-digit commune code"));
      }
      if (cname.empty()) return err(5, "empty commune name");
      if (level != "Xã" && level != "Phường" && level != "Thị trấn") {
        return err(7, absl::StrCat("unknown commune kind \"", level,
                                   "\" (expected Xã, Phường or Thị trấn)"));
      }
      auto [cit, cnew] = old_communes_.try_emplace(ccode);
      if (!cnew) {
        return err(6, absl::StrCat("duplicate commune code ", ccode, " (first at line ",
                                   cit->second.line, ")"));
      }
      cit->second = PendingUnit{ccode, cname, cell(8), level, dcode, rec.line};
      district_communes_[dcode].push_back(ccode);
    }
    return absl::OkStatus();
  }

  absl::Status ReadConversion() {
    const std::string& f = src_.conversion_name;
    TREEM_ASSIGN_OR_RETURN(std::vector<CsvRecord> recs, ParseCsv(src_.conversion_csv, f));
    constexpr size_t kCols = std::size(kConvHeader);
    // The header is preceded by title rows ("Đơn vị hành chính từ ngày 01/7/2025", ...).
    size_t h = 0;
    while (h < recs.size() && h < 5 &&
           !(recs[h].fields.size() >= 1 && NormalizeSpace(recs[h].fields[0]) == kConvHeader[0])) {
      ++h;
    }
    if (h >= recs.size() || h >= 5) {
      return FileError(f, 1, "header row not found (its first column must be \"Tỉnh, thành phố\")");
    }
    const CsvRecord& hdr = recs[h];
    if (hdr.fields.size() < kCols) {
      return FileError(
          f, hdr.line,
          absl::StrCat("header has ", hdr.fields.size(), " columns, expected ", kCols));
    }
    for (size_t c = 0; c < kCols; ++c) {
      if (NormalizeSpace(hdr.fields[c]) != kConvHeader[c]) {
        return CellError(f, hdr.line, static_cast<int>(c + 1), kConvHeader[c],
                         absl::StrCat("header is \"", hdr.fields[c], "\""));
      }
    }
    std::map<std::pair<std::string, std::string>, int> seen_pairs;
    links_.reserve(recs.size());
    for (size_t r = h + 1; r < recs.size(); ++r) {
      const CsvRecord& rec = recs[r];
      if (rec.Blank()) {
        Note(LoadReport::Kind::kBlankRow, f, rec.line, "blank row skipped");
        continue;
      }
      auto err = [&](int c, std::string_view reason) {
        return CellError(f, rec.line, c,
                         c <= static_cast<int>(kCols) ? kConvHeader[c - 1] : "extra column",
                         reason);
      };
      if (rec.fields.size() < kCols) {
        return FileError(f, rec.line,
                         absl::StrCat("row has ", rec.fields.size(), " columns, expected ", kCols));
      }
      for (size_t c = kCols; c < rec.fields.size(); ++c) {
        if (!IsBlank(rec.fields[c])) {
          return err(static_cast<int>(c + 1), "unexpected value after the last column");
        }
      }
      bool rest_empty = true;
      for (size_t c = 1; c < rec.fields.size(); ++c) {
        rest_empty = rest_empty && IsBlank(rec.fields[c]);
      }
      if (rest_empty) {
        Note(LoadReport::Kind::kSeparatorRow, f, rec.line,
             absl::StrCat("heading row \"", NormalizeSpace(rec.fields[0]), "\" skipped"));
        continue;
      }
      for (int c : {2, 4}) {
        if (HasCombiningMarks(rec.fields[c - 1])) {
          Note(LoadReport::Kind::kDecomposedUnicode, f, rec.line,
               absl::StrCat("column ", c, " \"", NormalizeSpace(rec.fields[c - 1]),
                            "\" uses combining marks (not NFC)"));
        }
      }
      std::string np_name, np_code;
      if (!SplitNameCode(rec.fields[0], 2, &np_name, &np_code)) {
        return err(1, absl::StrCat("\"", NormalizeSpace(rec.fields[0]),
                                   "\" is not \"<province name> (<2-digit code>)\""));
      }
      std::string ncode = NormalizeSpace(rec.fields[2]);
      if (!IsDigits(ncode, 5)) {
        return err(3, absl::StrCat("\"", ncode, "\" is not a 5-digit commune code"));
      }
      std::string nname = Clean(rec.fields[1], f, rec.line, "new commune name");
      if (nname.empty()) return err(2, "empty commune name");
      std::string od_name, od_code, op_name, op_code;
      if (!SplitNameCode(rec.fields[6], 3, &od_name, &od_code)) {
        return err(7, absl::StrCat("\"", NormalizeSpace(rec.fields[6]),
                                   "\" is not \"<district name> (<3-digit code>)\""));
      }
      if (!SplitNameCode(rec.fields[7], 2, &op_name, &op_code)) {
        return err(8, absl::StrCat("\"", NormalizeSpace(rec.fields[7]),
                                   "\" is not \"<province name> (<2-digit code>)\""));
      }
      std::string ocode = NormalizeSpace(rec.fields[4]);
      if (!ocode.empty() && !IsDigits(ocode, 5)) {
        return err(5, absl::StrCat("\"", ocode, "\" is not a 5-digit commune code"));
      }
      std::string oname = NormalizeSpace(rec.fields[3]);
      std::string note = Clean(rec.fields[5], f, rec.line, "note");

      // The new province and commune.
      auto [npit, npnew] = new_provinces_.try_emplace(np_code);
      if (npnew) {
        npit->second = PendingUnit{np_code, np_name, "", "", "", rec.line};
        new_province_by_key_[LooseKey(np_name)] = np_code;
      } else if (LooseKey(npit->second.name) != LooseKey(np_name)) {
        return err(1, absl::StrCat("province ", np_code, " is named \"", np_name, "\" here but \"",
                                   npit->second.name, "\" at line ", npit->second.line));
      }
      auto [ncit, ncnew] = conv_communes_.try_emplace(ncode);
      if (ncnew) {
        ncit->second = PendingUnit{ncode, nname, "", "", np_code, rec.line};
      } else if (ncit->second.parent_code != np_code) {
        return err(1, absl::StrCat("commune ", ncode, " is in province ", np_code,
                                   " here but in province ", ncit->second.parent_code, " at line ",
                                   ncit->second.line));
      } else if (LooseKey(ncit->second.name) != LooseKey(nname)) {
        Note(LoadReport::Kind::kNewNameDiffers, f, rec.line,
             absl::StrCat("commune ", ncode, " is named \"", nname, "\" here but \"",
                          ncit->second.name, "\" at line ", ncit->second.line));
      }

      // The note: whole or partial.
      const std::string nk = LooseKey(note);
      bool partial;
      if (nk.find("motphan") != std::string::npos || nk.find("phanconlai") != std::string::npos) {
        partial = true;
      } else if (nk.find("toanbo") != std::string::npos || nk == "giunguyen" ||
                 nk.find("doiten") != std::string::npos ||
                 nk.find("doiloaihinh") != std::string::npos) {
        partial = false;
      } else {
        partial = true;
        Note(LoadReport::Kind::kUnrecognisedNote, f, rec.line,
             absl::StrCat("note \"", note, "\" not recognised: treated as a partial merge"));
      }

      PendingLink link{"", UnitLevel::kCommune, ncode, note, partial, rec.line};
      if (ocode.empty()) {
        // A territory that was not a commune: a whole island district, or an area.
        if (old_districts_.find(od_code) == old_districts_.end()) {
          Note(LoadReport::Kind::kOldCodeUnknown, f, rec.line,
               absl::StrCat("no old commune code and district ", od_code,
                            " is not in the pre-reform list: row not used"));
          continue;
        }
        link.from_code = od_code;
        link.from_level = UnitLevel::kDistrict;
        if (nk.find("sapxeptoanbohuyen") != std::string::npos && oname.empty()) {
          link.partial = false;
          Note(LoadReport::Kind::kDistrictToCommune, f, rec.line,
               absl::StrCat("district ", od_code, " became commune-level unit ", ncode));
        } else {
          link.partial = true;
          Note(LoadReport::Kind::kAreaWithoutCode, f, rec.line,
               absl::StrCat("area \"", oname, "\" of district ", od_code, " merged into ", ncode,
                            ": linked from the district as a partial merge"));
        }
      } else {
        // Resolve the old commune: trust the code when its name agrees; otherwise trust the
        // name when it designates exactly one commune of the stated district.
        auto oit = old_communes_.find(ocode);
        const std::string okey = LooseKey(oname);
        if (oit == old_communes_.end() || LooseKey(oit->second.name) != okey) {
          std::vector<std::string> cands;
          for (const std::string& c : district_communes_[od_code]) {
            if (LooseKey(old_communes_[c].name) == okey) cands.push_back(c);
          }
          if (cands.size() == 1) {
            Note(LoadReport::Kind::kOldCodeRepaired, f, rec.line,
                 absl::StrCat("old commune \"", oname, "\" given code ", ocode, " is ", cands[0],
                              " in district ", od_code, ": code repaired"));
            ocode = cands[0];
            oit = old_communes_.find(ocode);
          } else if (oit != old_communes_.end()) {
            Note(LoadReport::Kind::kOldNameDiffers, f, rec.line,
                 absl::StrCat("old commune ", ocode, " is \"", oname, "\" here but \"",
                              oit->second.name, "\" in the pre-reform list: code kept"));
          } else {
            Note(LoadReport::Kind::kOldCodeUnknown, f, rec.line,
                 absl::StrCat("old commune ", ocode, " \"", oname,
                              "\" is not in the pre-reform list: row not used"));
            continue;
          }
        }
        const std::string& real_d = oit->second.parent_code;
        const std::string& real_p = old_districts_[real_d].parent_code;
        if (real_d != od_code || real_p != op_code) {
          Note(LoadReport::Kind::kOldDistrictDiffers, f, rec.line,
               absl::StrCat("old commune ", ocode, " is under district ", od_code, ", province ",
                            op_code, " here but district ", real_d, ", province ", real_p,
                            " in the pre-reform list: the list is used"));
        }
        link.from_code = ocode;
      }
      auto [sit, snew] = seen_pairs.try_emplace({link.from_code, ncode}, rec.line);
      if (!snew) {
        return FileError(
            f, rec.line,
            absl::StrCat("duplicate row: ", UnitLevelName(link.from_level), " ", link.from_code,
                         " into commune ", ncode, " already at line ", sit->second));
      }
      links_.push_back(std::move(link));
    }
    return absl::OkStatus();
  }

  absl::Status ReadCommunesJson() {
    const std::string& f = src_.communes_name;
    JsonReader reader(src_.communes_json, f);
    TREEM_ASSIGN_OR_RETURN(std::vector<JsonCommune> items, reader.ReadCommunes());
    auto err = [&](int line, int col, std::string_view reason) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(f), ": line ", line, ", column ", col, ": ", Sv(reason)));
    };
    for (JsonCommune& j : items) {
      if (!j.code) return err(j.line, j.column, "object has no \"code\"");
      if (!j.name) return err(j.line, j.column, "object has no \"name\"");
      if (!j.province_name) return err(j.line, j.column, "object has no \"province_name\"");
      if (*j.code < 1 || *j.code > 99999) {
        return err(j.code_line, j.code_column,
                   absl::StrCat("code ", *j.code, " is not a commune code (1 to 99999)"));
      }
      char buf[8];
      std::snprintf(buf, sizeof buf, "%05d", static_cast<int>(*j.code));
      std::string code = buf;
      std::string name = Clean(*j.name, f, j.line, "commune name");
      if (name.empty())
        return err(j.line, j.column, absl::StrCat("commune ", code, ": empty name"));
      // A lower-case kind ("xã Bắc Sơn") is capitalised.
      for (std::string_view lower_upper : {"xã |Xã ", "phường |Phường ", "đặc khu |Đặc khu "}) {
        size_t bar = lower_upper.find('|');
        std::string_view lower = lower_upper.substr(0, bar), upper = lower_upper.substr(bar + 1);
        if (name.compare(0, lower.size(), lower) == 0) {
          Note(LoadReport::Kind::kTextNormalised, f, j.line,
               absl::StrCat("commune ", code, " \"", name, "\": kind capitalised"));
          name = absl::StrCat(Sv(upper), name.substr(lower.size()));
        }
      }
      std::string pname = Clean(*j.province_name, f, j.line, "province name");
      auto [it, fresh] = json_communes_.try_emplace(code);
      if (!fresh) {
        return err(j.code_line, j.code_column,
                   absl::StrCat("duplicate commune code ", code, " (first at line ",
                                it->second.line, ")"));
      }
      // The province code: from the conversion table, by commune and by province name.
      std::string by_name;
      if (auto p = new_province_by_key_.find(LooseKey(pname)); p != new_province_by_key_.end()) {
        by_name = p->second;
      }
      std::string by_row;
      if (auto c = conv_communes_.find(code); c != conv_communes_.end()) {
        by_row = c->second.parent_code;
        if (LooseKey(c->second.name) != LooseKey(name)) {
          Note(LoadReport::Kind::kNewNameDiffers, f, j.line,
               absl::StrCat("commune ", code, " is \"", name, "\" here but \"", c->second.name,
                            "\" in the conversion table (line ", c->second.line,
                            "): this list's name is used"));
        }
      } else {
        Note(LoadReport::Kind::kNoPredecessor, f, j.line,
             absl::StrCat("commune ", code, " \"", name, "\" is not in the conversion table"));
      }
      if (!by_name.empty() && !by_row.empty() && by_name != by_row) {
        return err(
            j.line, j.column,
            absl::StrCat("commune ", code, ": province_name \"", pname, "\" is province ", by_name,
                         " in the conversion table, which puts the commune in ", by_row));
      }
      std::string pcode = !by_row.empty() ? by_row : by_name;
      if (pcode.empty()) {
        return err(j.line, j.column,
                   absl::StrCat("commune ", code, ": province_name \"", pname,
                                "\" matches no province of the conversion table"));
      }
      auto& prov = new_provinces_[pcode];
      if (prov.code.empty()) prov = PendingUnit{pcode, pname, "", "", "", j.line};
      if (!json_province_named_[pcode]) {
        prov.name = pname;  // the list's spelling of the province name is preferred
        json_province_named_[pcode] = true;
      }
      it->second = PendingUnit{code,  name,  "", KindFromName(name, {"Xã", "Phường", "Đặc khu"}),
                               pcode, j.line};
      if (it->second.kind.empty()) {
        Note(LoadReport::Kind::kUnknownKind, f, j.line,
             absl::StrCat("commune ", code, " \"", name, "\": kind not recognised"));
      }
    }
    for (auto& [code, u] : conv_communes_) {
      if (json_communes_.count(code) == 0) {
        Note(LoadReport::Kind::kNotInCommunesList, src_.conversion_name, u.line,
             absl::StrCat("commune ", code, " \"", u.name,
                          "\" is only in the conversion table: taken from there"));
        PendingUnit p = u;
        p.kind = KindFromName(p.name, {"Xã", "Phường", "Đặc khu"});
        json_communes_[code] = p;
        conv_only_.insert(code);
      }
    }
    return absl::OkStatus();
  }

  UnitIndex Add(PendingUnit& u, UnitLevel level, UnitIndex parent, DayNumber from, DayNumber to,
                UnitSource source) {
    Rec r;
    r.code = intern_(u.code);
    r.name = intern_(u.name);
    r.english = intern_(u.english);
    r.kind = intern_(u.kind);
    r.parent = parent;
    r.from = from;
    r.to = to;
    r.level = level;
    r.source = source;
    u.index = static_cast<UnitIndex>(data_->recs.size());
    data_->recs.push_back(r);
    return u.index;
  }

  absl::Status Emit() {
    const DayNumber old_from = data_->coverage_from;
    const DayNumber old_to = ToDayNumber(LastOldDay());
    const DayNumber new_from = ToDayNumber(ReformDay());
    for (auto& [c, u] : old_provinces_) {
      Add(u, UnitLevel::kProvince, kNoUnit, old_from, old_to, UnitSource::kBeforeList);
    }
    for (auto& [c, u] : old_districts_) {
      Add(u, UnitLevel::kDistrict, old_provinces_[u.parent_code].index, old_from, old_to,
          UnitSource::kBeforeList);
    }
    for (auto& [c, u] : old_communes_) {
      Add(u, UnitLevel::kCommune, old_districts_[u.parent_code].index, old_from, old_to,
          UnitSource::kBeforeList);
    }
    for (auto& [c, u] : new_provinces_) {
      u.kind = KindFromName(u.name, {"Tỉnh", "Thành phố"});
      if (u.kind.empty()) {
        Note(LoadReport::Kind::kUnknownKind, "", 0,
             absl::StrCat("province ", c, " \"", u.name, "\": kind not recognised"));
      }
      Add(u, UnitLevel::kProvince, kNoUnit, new_from, kOpenEnd, UnitSource::kConversion);
    }
    for (auto& [c, u] : json_communes_) {
      const bool from_conv = conv_only_.count(c) > 0;
      Add(u, UnitLevel::kCommune, new_provinces_[u.parent_code].index, new_from, kOpenEnd,
          from_conv ? UnitSource::kConversion : UnitSource::kCommunesList);
    }
    // Lineage from the conversion table.
    std::map<std::string, std::vector<size_t>> links_of_old;
    for (size_t k = 0; k < links_.size(); ++k) {
      const PendingLink& pl = links_[k];
      UnitIndex from = pl.from_level == UnitLevel::kDistrict ? old_districts_[pl.from_code].index
                                                             : old_communes_[pl.from_code].index;
      data_->links.push_back(
          {from, json_communes_[pl.to_code].index, intern_(pl.note), pl.line, pl.partial});
      if (pl.from_level == UnitLevel::kCommune) links_of_old[pl.from_code].push_back(k);
    }
    for (auto& [code, u] : old_communes_) {
      auto it = links_of_old.find(code);
      if (it == links_of_old.end()) {
        Note(LoadReport::Kind::kNoSuccessor, src_.before_name, u.line,
             absl::StrCat("commune ", code, " \"", u.name,
                          "\" is not in the conversion table: no successor"));
        continue;
      }
      if (it->second.size() > 1) {
        bool any_whole = false;
        for (size_t k : it->second) any_whole = any_whole || !links_[k].partial;
        if (any_whole) {
          std::string targets;
          for (size_t k : it->second) {
            absl::StrAppend(&targets, targets.empty() ? "" : ", ", links_[k].to_code,
                            links_[k].partial ? " (partial)" : " (whole)");
          }
          Note(LoadReport::Kind::kWholeAndPartialMix, src_.conversion_name,
               links_[it->second.front()].line,
               absl::StrCat("old commune ", code, " has a whole merge among several: ", targets));
        }
      }
    }
    // Province lineage, derived from the unit links: old province -> new provinces.
    const size_t unit_links = data_->links.size();
    std::map<UnitIndex, std::set<UnitIndex>> prov_targets;
    for (size_t k = 0; k < unit_links; ++k) {
      const Link& l = data_->links[k];
      UnitIndex op = l.from;
      while (data_->recs[op].level != UnitLevel::kProvince) op = data_->recs[op].parent;
      UnitIndex np = data_->recs[l.to].parent;
      prov_targets[op].insert(np);
    }
    for (const auto& [op, targets] : prov_targets) {
      for (UnitIndex np : targets) {
        data_->links.push_back({op, np, 0, 0, targets.size() > 1});
      }
    }
    // Villages.
    TREEM_RETURN_IF_ERROR(AddVillagesTo(data_.get(), opt_.villages, &intern_));
    Finalize(data_.get());
    return absl::OkStatus();
  }

 public:
  static absl::Status AddVillagesTo(Data* d, std::span<const VillageSpec> villages,
                                    Interner* intern);

 private:
  const AdminUnitsSources& src_;
  const AdminUnitsOptions& opt_;
  std::shared_ptr<Data> data_;
  Interner intern_;
  std::map<std::string, PendingUnit> old_provinces_, old_districts_, old_communes_;
  std::map<std::string, std::vector<std::string>> district_communes_;
  std::map<std::string, PendingUnit> new_provinces_, conv_communes_, json_communes_;
  std::map<std::string, std::string> new_province_by_key_;
  std::map<std::string, bool> json_province_named_;
  std::set<std::string> conv_only_;
  std::vector<PendingLink> links_;
};

absl::Status Loader::AddVillagesTo(Data* d, std::span<const VillageSpec> villages,
                                   Interner* intern) {
  if (villages.empty()) return absl::OkStatus();
  // Temporary code index over what exists (villages included) to resolve communes.
  absl::flat_hash_map<std::string, std::vector<UnitIndex>> by_code;
  for (UnitIndex i = 0; i < d->recs.size(); ++i) {
    by_code[std::string(d->Str(d->recs[i].code))].push_back(i);
  }
  for (size_t k = 0; k < villages.size(); ++k) {
    const VillageSpec& v = villages[k];
    const std::string field = absl::StrCat("villages[", k, "]");
    if (!IsVillageCode(v.code)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".code: \"", v.code,
                       "\" is not a village code (5-digit commune code, '-', 1 to "
                       "6 digits)"));
    }
    std::string name = NormalizeSpace(v.name);
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".name: empty"));
    const std::string commune = v.code.substr(0, 5);
    auto it = by_code.find(commune);
    if (it == by_code.end()) {
      return absl::NotFoundError(absl::StrCat(field, ".code: commune ", commune, " is unknown"));
    }
    std::optional<Date> on = v.valid_from ? v.valid_from : v.commune_on;
    UnitIndex parent = kNoUnit;
    for (UnitIndex c : it->second) {
      const Rec& r = d->recs[c];
      if (on) {
        DayNumber dn = ToDayNumber(*on);
        if (dn >= r.from && dn <= r.to) parent = c;
      } else if (parent == kNoUnit || r.from > d->recs[parent].from) {
        parent = c;
      }
    }
    if (parent == kNoUnit) {
      return absl::NotFoundError(absl::StrCat(field, ".code: commune ", commune,
                                              " has no version valid on ", FormatDate(*on)));
    }
    const Rec& pr = d->recs[parent];
    DayNumber from = v.valid_from ? ToDayNumber(*v.valid_from) : pr.from;
    DayNumber to = v.valid_to ? ToDayNumber(*v.valid_to) : pr.to;
    if (to < from) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".valid_to: ", FormatDay(to),
                                                     " is before valid_from ", FormatDay(from)));
    }
    if (to > pr.to) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".valid_to: ", FormatDay(to),
                                                     " is after the last day of commune ", commune,
                                                     " (", FormatDay(pr.to), ")"));
    }
    auto& versions = by_code[v.code];
    for (UnitIndex o : versions) {
      if (from <= d->recs[o].to && d->recs[o].from <= to) {
        return absl::AlreadyExistsError(
            absl::StrCat(field, ".code: village ", v.code, " already has a version valid from ",
                         FormatDay(d->recs[o].from), " to ", FormatDay(d->recs[o].to)));
      }
    }
    Rec r;
    r.code = (*intern)(v.code);
    r.name = (*intern)(name);
    r.parent = parent;
    r.from = from;
    r.to = to;
    r.level = UnitLevel::kVillage;
    r.source = UnitSource::kCaller;
    versions.push_back(static_cast<UnitIndex>(d->recs.size()));
    d->recs.push_back(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary | std::ios::ate};
  if (!in) return absl::NotFoundError(absl::StrCat("opening '", Sv(path), "': cannot read"));
  const std::streamoff size = in.tellg();
  if (size < 0 || size > (std::streamoff{1} << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reading '", Sv(path), "': not a regular file or larger than 1 GiB"));
  }
  std::string out(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(out.data(), size)) {
    return absl::DataLossError(absl::StrCat("reading '", Sv(path), "': I/O error"));
  }
  return out;
}

std::string BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

// ======================================================================================
// Public API
// ======================================================================================

const char* UnitLevelName(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return "province";
    case UnitLevel::kDistrict:
      return "district";
    case UnitLevel::kCommune:
      return "commune";
    case UnitLevel::kVillage:
      return "village";
  }
  return "unknown";
}

Date ReformDate() { return ReformDay(); }

int LoadReport::Count(Kind kind) const {
  return static_cast<int>(
      std::count_if(items.begin(), items.end(), [kind](const Item& i) { return i.kind == kind; }));
}

const char* LoadReport::KindName(Kind kind) {
  switch (kind) {
    case Kind::kBlankRow:
      return "blank_row";
    case Kind::kTextNormalised:
      return "text_normalised";
    case Kind::kDecomposedUnicode:
      return "decomposed_unicode";
    case Kind::kDistrictWithoutCommune:
      return "district_without_commune";
    case Kind::kSeparatorRow:
      return "separator_row";
    case Kind::kOldCodeRepaired:
      return "old_code_repaired";
    case Kind::kOldNameDiffers:
      return "old_name_differs";
    case Kind::kOldCodeUnknown:
      return "old_code_unknown";
    case Kind::kOldDistrictDiffers:
      return "old_district_differs";
    case Kind::kDistrictToCommune:
      return "district_to_commune";
    case Kind::kAreaWithoutCode:
      return "area_without_code";
    case Kind::kNewNameDiffers:
      return "new_name_differs";
    case Kind::kUnrecognisedNote:
      return "unrecognised_note";
    case Kind::kWholeAndPartialMix:
      return "whole_and_partial_mix";
    case Kind::kNoSuccessor:
      return "no_successor";
    case Kind::kNoPredecessor:
      return "no_predecessor";
    case Kind::kNotInCommunesList:
      return "not_in_communes_list";
    case Kind::kUnknownKind:
      return "unknown_kind";
  }
  return "unknown";
}

AdminUnits::AdminUnits() {
  auto d = std::make_shared<Data>();
  Finalize(d.get());
  data_ = std::move(d);
}

AdminUnits::AdminUnits(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

absl::StatusOr<AdminUnits> AdminUnits::LoadContents(const AdminUnitsSources& sources,
                                                    const AdminUnitsOptions& options) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&]() -> absl::StatusOr<AdminUnits> {
                                   Loader loader(sources, options);
                                   TREEM_ASSIGN_OR_RETURN(std::shared_ptr<Data> d, loader.Run());
                                   return AdminUnits(std::move(d));
                                 });
}

absl::StatusOr<AdminUnits> AdminUnits::LoadFiles(std::string_view before_csv_path,
                                                 std::string_view conversion_csv_path,
                                                 std::string_view communes_json_path,
                                                 const AdminUnitsOptions& options) {
  TREEM_ASSIGN_OR_RETURN(std::string before, ReadWholeFile(before_csv_path));
  TREEM_ASSIGN_OR_RETURN(std::string conversion, ReadWholeFile(conversion_csv_path));
  TREEM_ASSIGN_OR_RETURN(std::string communes, ReadWholeFile(communes_json_path));
  AdminUnitsSources src;
  src.before_csv = before;
  src.conversion_csv = conversion;
  src.communes_json = communes;
  src.before_name = BaseName(before_csv_path);
  src.conversion_name = BaseName(conversion_csv_path);
  src.communes_name = BaseName(communes_json_path);
  return LoadContents(src, options);
}

absl::StatusOr<AdminUnits> AdminUnits::LoadDirectory(std::string_view dir,
                                                     const AdminUnitsOptions& options) {
  std::string base(dir);
  if (!base.empty() && base.back() != '/') base.push_back('/');
  AdminUnitsSources names;
  return LoadFiles(base + names.before_name, base + names.conversion_name,
                   base + names.communes_name, options);
}

absl::StatusOr<AdminUnits> AdminUnits::WithVillages(std::span<const VillageSpec> villages) const {
  return internal::CatchToStatus(
      absl::StatusCode::kInvalidArgument, [&]() -> absl::StatusOr<AdminUnits> {
        auto d = std::make_shared<Data>();
        d->arena = data_->arena;
        d->strs = data_->strs;
        d->recs = data_->recs;
        d->links = data_->links;
        d->coverage_from = data_->coverage_from;
        d->report = data_->report;
        Interner intern(d.get());
        TREEM_RETURN_IF_ERROR(Loader::AddVillagesTo(d.get(), villages, &intern));
        Finalize(d.get());
        return AdminUnits(std::move(d));
      });
}

UnitVersion AdminUnits::View(UnitIndex i) const {
  const Data& d = *data_;
  const Rec& r = d.recs[i];
  UnitVersion v;
  v.index = i;
  v.code = d.Str(r.code);
  v.name = d.Str(r.name);
  v.english_name = d.Str(r.english);
  v.kind = d.Str(r.kind);
  v.level = r.level;
  v.parent = r.parent;
  if (r.parent != kNoUnit) v.parent_code = d.Str(d.recs[r.parent].code);
  v.valid_from = FromDayNumber(r.from);
  if (r.to != kOpenEnd) v.valid_to = FromDayNumber(r.to);
  v.source = r.source;
  return v;
}

absl::Status AdminUnits::CheckCovered(Date on) const {
  if (on.is_special()) return absl::InvalidArgumentError("date: not a calendar date");
  if (ToDayNumber(on) < data_->coverage_from) {
    return absl::OutOfRangeError(absl::StrCat("date ", FormatDate(on),
                                              " is before the coverage of the unit lists (from ",
                                              FormatDay(data_->coverage_from), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::span<const UnitIndex>> AdminUnits::VersionsOf(std::string_view code) const {
  TREEM_RETURN_IF_ERROR(ValidateCode(code));
  auto it = data_->code_index.find(Sv(code));
  if (it == data_->code_index.end()) {
    return absl::NotFoundError(absl::StrCat("unit code ", Sv(code), " is unknown"));
  }
  return std::span<const UnitIndex>(data_->by_code).subspan(it->second.first, it->second.second);
}

absl::StatusOr<UnitIndex> AdminUnits::FindIndex(std::string_view code, Date on) const {
  TREEM_RETURN_IF_ERROR(CheckCovered(on));
  TREEM_ASSIGN_OR_RETURN(std::span<const UnitIndex> versions, VersionsOf(code));
  const DayNumber dn = ToDayNumber(on);
  std::string ranges;
  for (UnitIndex i : versions) {
    const Rec& r = data_->recs[i];
    if (dn >= r.from && dn <= r.to) return i;
    absl::StrAppend(&ranges, ranges.empty() ? "" : ", ", FormatDay(r.from), "..", FormatDay(r.to));
  }
  return absl::NotFoundError(absl::StrCat("unit ", Sv(code), " has no version valid on ",
                                          FormatDate(on), " (versions: ", ranges, ")"));
}

absl::StatusOr<UnitVersion> AdminUnits::Find(std::string_view code, Date on) const {
  TREEM_ASSIGN_OR_RETURN(UnitIndex i, FindIndex(code, on));
  return View(i);
}

absl::StatusOr<std::vector<UnitVersion>> AdminUnits::Versions(std::string_view code) const {
  TREEM_ASSIGN_OR_RETURN(std::span<const UnitIndex> versions, VersionsOf(code));
  std::vector<UnitVersion> out;
  for (UnitIndex i : versions) out.push_back(View(i));
  return out;
}

absl::StatusOr<std::vector<Containment>> AdminUnits::ContainingUnitOn(std::string_view old_code,
                                                                      Date on) const {
  TREEM_RETURN_IF_ERROR(CheckCovered(on));
  TREEM_ASSIGN_OR_RETURN(std::span<const UnitIndex> versions, VersionsOf(old_code));
  const DayNumber legacy = ToDayNumber(LastOldDay());
  for (UnitIndex i : versions) {
    const Rec& r = data_->recs[i];
    if (legacy >= r.from && legacy <= r.to) return ContainingUnitOn(i, on);
  }
  TREEM_ASSIGN_OR_RETURN(UnitIndex i, FindIndex(old_code, on));
  return ContainingUnitOn(i, on);
}

absl::StatusOr<std::vector<Containment>> AdminUnits::ContainingUnitOn(std::string_view code,
                                                                      Date code_date,
                                                                      Date on) const {
  TREEM_ASSIGN_OR_RETURN(UnitIndex i, FindIndex(code, code_date));
  return ContainingUnitOn(i, on);
}

absl::StatusOr<std::vector<Containment>> AdminUnits::ContainingUnitOn(UnitIndex unit,
                                                                      Date on) const {
  TREEM_RETURN_IF_ERROR(CheckCovered(on));
  const Data& d = *data_;
  if (unit >= d.recs.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("unit index ", unit, " is out of range (size ", d.recs.size(), ")"));
  }
  const Rec& r = d.recs[unit];
  const DayNumber dn = ToDayNumber(on);
  auto valid = [&](UnitIndex i) { return dn >= d.recs[i].from && dn <= d.recs[i].to; };
  std::vector<Containment> out;
  if (valid(unit)) {
    for (UnitIndex p = r.parent; p != kNoUnit; p = d.recs[p].parent) {
      out.push_back({View(p), false, false});
    }
    return out;
  }
  const std::string_view code = d.Str(r.code);
  if (dn < r.from) {
    return absl::OutOfRangeError(absl::StrCat(
        "unit ", Sv(code), " (", UnitLevelName(r.level), " valid from ", FormatDay(r.from),
        ") did not exist yet on ", FormatDate(on), "; see its predecessors"));
  }
  // Follow successors forward to the versions valid on `on`.
  std::map<UnitIndex, bool> reached;  // -> partial
  auto follow = [&](UnitIndex start, bool start_partial) {
    std::deque<std::pair<UnitIndex, bool>> queue{{start, start_partial}};
    std::set<std::pair<UnitIndex, bool>> seen;
    while (!queue.empty()) {
      auto [u, partial] = queue.front();
      queue.pop_front();
      if (!seen.insert({u, partial}).second) continue;
      for (uint32_t k = d.succ_off[u]; k < d.succ_off[u + 1]; ++k) {
        const Link& l = d.links[d.succ[k]];
        const bool p = partial || l.partial;
        if (valid(l.to)) {
          auto [it, fresh] = reached.try_emplace(l.to, p);
          if (!fresh) it->second = it->second && p;
        } else if (d.recs[l.to].to < dn) {
          queue.emplace_back(l.to, p);
        }
      }
    }
  };
  const bool has_successors = d.succ_off[unit] < d.succ_off[unit + 1];
  if (has_successors) {
    follow(unit, false);
  } else {
    // No lineage of its own (a district): the provinces that received its descendants.
    std::vector<UnitIndex> stack{unit};
    std::map<UnitIndex, bool> below;
    while (!stack.empty()) {
      UnitIndex u = stack.back();
      stack.pop_back();
      for (uint32_t k = d.child_off[u]; k < d.child_off[u + 1]; ++k) {
        stack.push_back(d.children[k]);
      }
      if (u != unit) follow(u, false);
    }
    std::set<UnitIndex> provinces;
    for (const auto& [u, p] : reached) {
      if (d.province_of[u] != kNoUnit) provinces.insert(d.province_of[u]);
    }
    reached.clear();
    for (UnitIndex p : provinces) reached[p] = provinces.size() > 1;
  }
  if (reached.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "unit ", Sv(code), " (", UnitLevelName(r.level), ", valid to ", FormatDay(r.to),
        ") has no successor valid on ", FormatDate(on), " in the conversion table"));
  }
  std::vector<UnitIndex> order;
  for (const auto& [u, p] : reached) order.push_back(u);
  std::sort(order.begin(), order.end(), [&](UnitIndex a, UnitIndex b) {
    if (d.recs[a].level != d.recs[b].level) return d.recs[a].level > d.recs[b].level;
    return d.Str(d.recs[a].code) < d.Str(d.recs[b].code);
  });
  std::set<UnitIndex> provinces;
  for (UnitIndex u : order) {
    out.push_back({View(u), reached[u], true});
    if (d.recs[u].level != UnitLevel::kProvince && d.province_of[u] != kNoUnit) {
      provinces.insert(d.province_of[u]);
    }
  }
  for (UnitIndex p : provinces) {
    if (reached.count(p) == 0) out.push_back({View(p), provinces.size() > 1, true});
  }
  return out;
}

absl::StatusOr<std::vector<UnitVersion>> AdminUnits::UnitsUnder(std::string_view parent_code,
                                                                Date on, UnitLevel level) const {
  TREEM_ASSIGN_OR_RETURN(UnitIndex parent, FindIndex(parent_code, on));
  const Data& d = *data_;
  if (level <= d.recs[parent].level) {
    return absl::InvalidArgumentError(
        absl::StrCat("level: ", UnitLevelName(level), " is not below the level of unit ",
                     Sv(parent_code), " (", UnitLevelName(d.recs[parent].level), ")"));
  }
  const DayNumber dn = ToDayNumber(on);
  if (level == UnitLevel::kDistrict) {
    TREEM_ASSIGN_OR_RETURN(LevelCounts counts, CountsOn(on));
    if (counts.districts == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("level: there are no districts on ", FormatDate(on),
                       " (districts were abolished from ", FormatDate(ReformDay()), ")"));
    }
  }
  std::vector<UnitIndex> found;
  std::vector<UnitIndex> stack{parent};
  while (!stack.empty()) {
    UnitIndex u = stack.back();
    stack.pop_back();
    for (uint32_t k = d.child_off[u]; k < d.child_off[u + 1]; ++k) {
      UnitIndex c = d.children[k];
      const Rec& r = d.recs[c];
      if (dn < r.from || dn > r.to) continue;
      if (r.level == level) {
        found.push_back(c);
      } else if (r.level < level) {
        stack.push_back(c);
      }
    }
  }
  std::sort(found.begin(), found.end(), [&](UnitIndex a, UnitIndex b) {
    return d.Str(d.recs[a].code) < d.Str(d.recs[b].code);
  });
  std::vector<UnitVersion> out;
  out.reserve(found.size());
  for (UnitIndex i : found) out.push_back(View(i));
  return out;
}

absl::StatusOr<UnitVersion> AdminUnits::ProvinceOf(std::string_view code, Date on) const {
  TREEM_ASSIGN_OR_RETURN(UnitIndex i, FindIndex(code, on));
  UnitIndex p = data_->province_of[i];
  if (p == kNoUnit) {
    return absl::NotFoundError(absl::StrCat("unit ", Sv(code), " has no province"));
  }
  return View(p);
}

std::vector<LineageLink> AdminUnits::Links(UnitIndex unit, bool successors) const {
  const Data& d = *data_;
  const auto& off = successors ? d.succ_off : d.pred_off;
  const auto& idx = successors ? d.succ : d.pred;
  std::vector<LineageLink> out;
  for (uint32_t k = off[unit]; k < off[unit + 1]; ++k) {
    const Link& l = d.links[idx[k]];
    out.push_back({View(successors ? l.to : l.from), l.partial, d.Str(l.note), l.line});
  }
  std::sort(out.begin(), out.end(),
            [](const LineageLink& a, const LineageLink& b) { return a.unit.code < b.unit.code; });
  return out;
}

absl::StatusOr<UnitLineage> AdminUnits::Lineage(UnitIndex unit) const {
  if (unit >= data_->recs.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("unit index ", unit, " is out of range (size ", data_->recs.size(), ")"));
  }
  return UnitLineage{View(unit), Links(unit, false), Links(unit, true)};
}

absl::StatusOr<UnitLineage> AdminUnits::Lineage(std::string_view code, Date on) const {
  TREEM_ASSIGN_OR_RETURN(UnitIndex i, FindIndex(code, on));
  return Lineage(i);
}

absl::StatusOr<LevelCounts> AdminUnits::CountsOn(Date on) const {
  TREEM_RETURN_IF_ERROR(CheckCovered(on));
  const DayNumber dn = ToDayNumber(on);
  LevelCounts c;
  for (const Rec& r : data_->recs) {
    if (dn < r.from || dn > r.to) continue;
    switch (r.level) {
      case UnitLevel::kProvince:
        ++c.provinces;
        break;
      case UnitLevel::kDistrict:
        ++c.districts;
        break;
      case UnitLevel::kCommune:
        ++c.communes;
        break;
      case UnitLevel::kVillage:
        ++c.villages;
        break;
    }
  }
  return c;
}

size_t AdminUnits::size() const { return data_->recs.size(); }

absl::StatusOr<UnitVersion> AdminUnits::At(UnitIndex unit) const {
  if (unit >= data_->recs.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("unit index ", unit, " is out of range (size ", data_->recs.size(), ")"));
  }
  return View(unit);
}

UnitIndex AdminUnits::ParentIndex(UnitIndex unit) const {
  return unit < data_->recs.size() ? data_->recs[unit].parent : kNoUnit;
}

UnitIndex AdminUnits::AncestorIndex(UnitIndex unit, UnitLevel level) const {
  const Data& d = *data_;
  if (unit >= d.recs.size()) return kNoUnit;
  if (level == UnitLevel::kProvince) return d.province_of[unit];
  for (UnitIndex u = unit; u != kNoUnit; u = d.recs[u].parent) {
    if (d.recs[u].level == level) return u;
    if (d.recs[u].level < level) break;
  }
  return kNoUnit;
}

Date AdminUnits::coverage_from() const { return FromDayNumber(data_->coverage_from); }

const LoadReport& AdminUnits::report() const { return data_->report; }

}  // namespace treem::core
