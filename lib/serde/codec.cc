#include "serde/codec.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "capnp/compat/json.h"
#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "capnp/serialize-packed.h"
#include "capnp/serialize.h"
#include "core/date.h"
#include "internal/status_macros.h"
#include "kj/exception.h"
#include "kj/io.h"
#include "treem/schema/common.capnp.h"

namespace treem::serde {
namespace {

using ::treem::internal::CatchToStatus;

std::string_view TextOfKj(const kj::Exception& e) {
  return std::string_view(e.getDescription().cStr(), e.getDescription().size());
}

// Our own decode/encode errors (field named, value never included). Thrown through capnp's
// JsonCodec (exception-safe) and turned into kInvalidArgument by CatchToStatus.
class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const std::string& message) { throw FieldError(message); }

// KJ descriptions look like "expected <condition> [<values>]; <message>; <param> = <value>".
// The condition, bracketed values and parameters may echo input text (possibly personal data),
// so only the human message parts are kept.
std::string ScrubKjDescription(std::string_view description) {
  std::string out;
  size_t start = 0;
  while (start <= description.size()) {
    size_t end = description.find("; ", start);
    if (end == std::string_view::npos) end = description.size();
    std::string_view part = description.substr(start, end - start);
    while (!part.empty() && (part.back() == '.' || part.back() == ' ')) part.remove_suffix(1);
    const bool is_condition = part.rfind("expected ", 0) == 0;
    const bool is_parameter = part.find(" = ") != std::string_view::npos;
    if (!part.empty() && !is_condition && !is_parameter) {
      if (!out.empty()) out += "; ";
      out.append(part.data(), part.size());
    }
    start = end + 2;
  }
  if (out.empty()) return "malformed input";
  if (out.size() > 1 && std::isupper(static_cast<unsigned char>(out[0])) &&
      std::islower(static_cast<unsigned char>(out[1]))) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

// Runs fn inside CatchToStatus (every exception becomes a status) and scrubs KJ descriptions.
template <typename Fn>
auto Guarded(Fn&& fn) -> decltype(fn()) {
  return CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> decltype(fn()) {
    try {
      return fn();
    } catch (const kj::Exception& e) {
      const absl::Status s = ::treem::internal::FromKj(e, absl::StatusCode::kInvalidArgument);
      return absl::Status(s.code(), ScrubKjDescription(TextOfKj(e)));
    }
  });
}

// ---- Uuid text ---------------------------------------------------------------------------------

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FormatUuid(uint64_t hi, uint64_t lo) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const uint64_t word = i < 16 ? hi : lo;
    const int shift = 60 - 4 * (i % 16);
    out.push_back(kDigits[(word >> shift) & 0xF]);
  }
  return out;
}

// Canonical 8-4-4-4-12 text, either case. Returns false on anything else.
bool ParseUuid(std::string_view text, uint64_t& hi, uint64_t& lo) {
  if (text.size() != 36) return false;
  hi = 0;
  lo = 0;
  int nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      continue;
    }
    const int v = HexValue(text[i]);
    if (v < 0) return false;
    uint64_t& word = nibble < 16 ? hi : lo;
    word = (word << 4) | static_cast<uint64_t>(v);
    ++nibble;
  }
  return nibble == 32;
}

// ---- Date text ---------------------------------------------------------------------------------

bool IsUnsetDate(schema::Date::Reader d) {
  return d.getYear() == 0 && d.getMonth() == 0 && d.getDay() == 0;
}

std::string FormatDateText(const std::string& label, schema::Date::Reader d) {
  if (d.getYear() < 1 || d.getYear() > 9999 ||
      !core::MakeDate(d.getYear(), d.getMonth(), d.getDay(), label).ok()) {
    Fail(label + ": not a calendar date");
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(d.getYear()),
                static_cast<int>(d.getMonth()), static_cast<int>(d.getDay()));
  return buf;
}

void ParseDateText(const std::string& label, std::string_view text, schema::Date::Builder out) {
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  int parts[3] = {0, 0, 0};
  if (shape) {
    const size_t starts[3] = {0, 5, 8};
    const size_t lengths[3] = {4, 2, 2};
    for (int p = 0; p < 3 && shape; ++p) {
      for (size_t i = 0; i < lengths[p]; ++i) {
        const char c = text[starts[p] + i];
        if (c < '0' || c > '9') {
          shape = false;
          break;
        }
        parts[p] = parts[p] * 10 + (c - '0');
      }
    }
  }
  if (!shape) Fail(label + ": not a date (expected YYYY-MM-DD)");
  if (parts[0] < 1 || !core::MakeDate(parts[0], parts[1], parts[2], label).ok()) {
    Fail(label + ": not a calendar date");
  }
  out.setYear(static_cast<int16_t>(parts[0]));
  out.setMonth(static_cast<uint8_t>(parts[1]));
  out.setDay(static_cast<uint8_t>(parts[2]));
}

// ---- JsonCodec handlers ------------------------------------------------------------------------

std::string_view TextOf(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }

class UuidHandler final : public capnp::JsonCodec::Handler<schema::Uuid> {
 public:
  explicit UuidHandler(std::string label) : label_(std::move(label)) {}

  void encode(const capnp::JsonCodec&, schema::Uuid::Reader input,
              capnp::JsonValue::Builder output) const override {
    output.setString(FormatUuid(input.getHi(), input.getLo()));
  }
  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              schema::Uuid::Builder output) const override {
    Decode(label_, input, output);
  }

  static void Decode(const std::string& label, capnp::JsonValue::Reader input,
                     schema::Uuid::Builder output) {
    if (input.isNull()) return;  // same as absent
    uint64_t hi = 0;
    uint64_t lo = 0;
    if (!input.isString() || !ParseUuid(TextOf(input.getString()), hi, lo)) {
      Fail(label + ": not a canonical uuid (expected 8-4-4-4-12 hex digits)");
    }
    output.setHi(hi);
    output.setLo(lo);
  }

 private:
  std::string label_;
};

class DateHandler final : public capnp::JsonCodec::Handler<schema::Date> {
 public:
  explicit DateHandler(std::string label) : label_(std::move(label)) {}

  void encode(const capnp::JsonCodec&, schema::Date::Reader input,
              capnp::JsonValue::Builder output) const override {
    Encode(label_, input, output);
  }
  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              schema::Date::Builder output) const override {
    Decode(label_, input, output);
  }

  static void Encode(const std::string& label, schema::Date::Reader input,
                     capnp::JsonValue::Builder output) {
    if (IsUnsetDate(input)) {
      output.setNull();
    } else {
      output.setString(FormatDateText(label, input));
    }
  }
  static void Decode(const std::string& label, capnp::JsonValue::Reader input,
                     schema::Date::Builder output) {
    if (input.isNull()) return;  // the unset date
    if (!input.isString()) Fail(label + ": not a date (expected YYYY-MM-DD)");
    ParseDateText(label, TextOf(input.getString()), output);
  }

 private:
  std::string label_;
};

// List(Uuid) and List(Date) fields, so that element errors name the field and index.
template <typename Elem>
class ListHandler final : public capnp::JsonCodec::Handler<capnp::List<Elem>> {
 public:
  explicit ListHandler(std::string label) : label_(std::move(label)) {}

  void encode(const capnp::JsonCodec&, typename capnp::List<Elem>::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto array = output.initArray(input.size());
    for (unsigned i = 0; i < input.size(); ++i) {
      if constexpr (std::is_same_v<Elem, schema::Uuid>) {
        array[i].setString(FormatUuid(input[i].getHi(), input[i].getLo()));
      } else {
        DateHandler::Encode(ElementLabel(i), input[i], array[i]);
      }
    }
  }
  capnp::Orphan<capnp::List<Elem>> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                          capnp::Orphanage orphanage) const override {
    if (!input.isArray()) Fail(label_ + ": expected an array");
    auto array = input.getArray();
    auto orphan = orphanage.newOrphan<capnp::List<Elem>>(array.size());
    auto list = orphan.get();
    for (unsigned i = 0; i < array.size(); ++i) {
      if constexpr (std::is_same_v<Elem, schema::Uuid>) {
        UuidHandler::Decode(ElementLabel(i), array[i], list[i]);
      } else {
        DateHandler::Decode(ElementLabel(i), array[i], list[i]);
      }
    }
    return orphan;
  }

 private:
  std::string ElementLabel(unsigned i) const { return absl::StrCat(label_, "[", i, "]"); }
  std::string label_;
};

// A JsonCodec configured for one root type: type handlers for Uuid and Date everywhere, plus
// per-field handlers (found by walking the schema graph from the root) so that errors name the
// field. Handlers are stateless; the codec is only used through const methods once built.
class TreemJsonCodec {
 public:
  TreemJsonCodec(capnp::StructSchema root, size_t max_nesting, bool reject_unknown, bool pretty)
      : uuid_("uuid"), date_("date") {
    codec_.setMaxNestingDepth(max_nesting);
    codec_.setRejectUnknownFields(reject_unknown);
    codec_.setPrettyPrint(pretty);
    codec_.addTypeHandler(uuid_);
    codec_.addTypeHandler(date_);
    absl::flat_hash_set<uint64_t> seen;
    Walk(root, seen);
  }

  const capnp::JsonCodec& codec() const { return codec_; }

 private:
  void Walk(capnp::StructSchema s, absl::flat_hash_set<uint64_t>& seen) {
    if (!seen.insert(s.getProto().getId()).second) return;
    const auto uuid_schema = capnp::Schema::from<schema::Uuid>();
    const auto date_schema = capnp::Schema::from<schema::Date>();
    for (auto field : s.getFields()) {
      const std::string label =
          absl::StrCat(s.getShortDisplayName().cStr(), ".", field.getProto().getName().cStr());
      const capnp::Type type = field.getType();
      if (type.isStruct()) {
        const auto st = type.asStruct();
        if (st == uuid_schema) {
          owned_uuid_.push_back(std::make_unique<UuidHandler>(label));
          codec_.addFieldHandler(field, *owned_uuid_.back());
        } else if (st == date_schema) {
          owned_date_.push_back(std::make_unique<DateHandler>(label));
          codec_.addFieldHandler(field, *owned_date_.back());
        } else {
          Walk(st, seen);  // includes groups and named unions
        }
      } else if (type.isList()) {
        capnp::Type elem = type.asList().getElementType();
        if (elem.isStruct() && elem.asStruct() == uuid_schema) {
          owned_uuid_list_.push_back(std::make_unique<ListHandler<schema::Uuid>>(label));
          codec_.addFieldHandler(field, *owned_uuid_list_.back());
          continue;
        }
        if (elem.isStruct() && elem.asStruct() == date_schema) {
          owned_date_list_.push_back(std::make_unique<ListHandler<schema::Date>>(label));
          codec_.addFieldHandler(field, *owned_date_list_.back());
          continue;
        }
        while (elem.isList()) elem = elem.asList().getElementType();
        if (elem.isStruct()) Walk(elem.asStruct(), seen);
      }
    }
  }

  capnp::JsonCodec codec_;
  UuidHandler uuid_;
  DateHandler date_;
  std::vector<std::unique_ptr<UuidHandler>> owned_uuid_;
  std::vector<std::unique_ptr<DateHandler>> owned_date_;
  std::vector<std::unique_ptr<ListHandler<schema::Uuid>>> owned_uuid_list_;
  std::vector<std::unique_ptr<ListHandler<schema::Date>>> owned_date_list_;
};

// Configured codecs are immutable after construction and JsonCodec's encode/decode are const,
// so one codec per (root type, settings) is built on first use and shared by all threads.
class JsonCodecCache {
 public:
  const TreemJsonCodec& Get(capnp::StructSchema root, size_t max_nesting, bool reject_unknown,
                            bool pretty) {
    const Key key{root.getProto().getId(), max_nesting, reject_unknown, pretty};
    absl::MutexLock lock(&mu_);
    auto it = codecs_.find(key);
    if (it == codecs_.end()) {
      it = codecs_
               .emplace(key,
                        std::make_unique<TreemJsonCodec>(root, max_nesting, reject_unknown, pretty))
               .first;
    }
    return *it->second;
  }

 private:
  using Key = std::tuple<uint64_t, size_t, bool, bool>;
  absl::Mutex mu_;
  absl::flat_hash_map<Key, std::unique_ptr<TreemJsonCodec>> codecs_ ABSL_GUARDED_BY(mu_);
};

const TreemJsonCodec& CodecFor(capnp::StructSchema root, size_t max_nesting, bool reject_unknown,
                               bool pretty) {
  static JsonCodecCache* const cache = new JsonCodecCache();  // never destroyed
  return cache->Get(root, max_nesting, reject_unknown, pretty);
}

// A builder that refuses to grow past a word budget: JSON input can expand (a 3-byte "{}," can
// become a struct of many words), so the typed decode is bounded like a binary read.
class CappedMessageBuilder final : public capnp::MallocMessageBuilder {
 public:
  explicit CappedMessageBuilder(uint64_t max_words) : max_words_(max_words) {}

  kj::ArrayPtr<capnp::word> allocateSegment(unsigned minimum_size) override {
    kj::ArrayPtr<capnp::word> segment = capnp::MallocMessageBuilder::allocateSegment(minimum_size);
    used_words_ += segment.size();
    if (used_words_ > max_words_) {
      Fail("message too large: exceeds the traversal limit");
    }
    return segment;
  }

 private:
  uint64_t max_words_;
  uint64_t used_words_ = 0;
};

std::string BytesOf(kj::ArrayPtr<const kj::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

absl::Status CheckOptions(const DecodeOptions& o) {
  if (o.traversal_limit_words == 0) {
    return absl::InvalidArgumentError("decode options: traversal_limit_words is 0");
  }
  if (o.nesting_limit <= 0) {
    return absl::InvalidArgumentError("decode options: nesting_limit is not positive");
  }
  if (o.json_max_nesting == 0) {
    return absl::InvalidArgumentError("decode options: json_max_nesting is 0");
  }
  return absl::OkStatus();
}

capnp::ReaderOptions ReaderOptionsFor(const DecodeOptions& o) {
  capnp::ReaderOptions r;
  r.traversalLimitInWords = o.traversal_limit_words;
  r.nestingLimit = o.nesting_limit;
  return r;
}

absl::Status DecodeBinary(std::string_view bytes, capnp::StructSchema schema,
                          capnp::MessageBuilder& out, const DecodeOptions& options) {
  if (bytes.empty()) return absl::InvalidArgumentError("empty");
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("size ", bytes.size(), " is not a multiple of 8"));
  }
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()),
                         bytes.size() / sizeof(capnp::word));
  } else {
    copy = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy.asPtr();
  }
  return Guarded([&]() -> absl::Status {
    capnp::FlatArrayMessageReader reader(words, ReaderOptionsFor(options));
    if (reader.getEnd() != words.end()) {
      return absl::InvalidArgumentError("trailing bytes after the message");
    }
    // The deep copy visits every pointer under the reader's limits.
    out.setRoot(reader.getRoot<capnp::DynamicStruct>(schema));
    return absl::OkStatus();
  });
}

absl::Status DecodePacked(std::string_view bytes, capnp::StructSchema schema,
                          capnp::MessageBuilder& out, const DecodeOptions& options) {
  if (bytes.empty()) return absl::InvalidArgumentError("empty");
  return Guarded([&]() -> absl::Status {
    kj::ArrayInputStream input(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
    // InputStreamMessageReader refuses a segment table larger than the traversal limit, so
    // the unpacked size is bounded before anything is allocated.
    {
      // Scoped: the reader's destructor may throw (unconsumed input); it must do so before a
      // Status is being returned, or that Status leaks.
      capnp::PackedMessageReader reader(input, ReaderOptionsFor(options));
      out.setRoot(reader.getRoot<capnp::DynamicStruct>(schema));
    }
    if (input.tryGetReadBuffer().size() != 0) {
      return absl::InvalidArgumentError("trailing bytes after the message");
    }
    return absl::OkStatus();
  });
}

// Debian's Cap'n Proto 0.9.2 decodes a \\u escape containing a hex letter wrongly (fixed
// upstream by capnproto PR #1552): "\\u1ec5" (ễ) or "\\u00e9" (é) came out corrupted, which
// silently damaged Vietnamese names sent by ASCII-only JSON writers (Python's json.dumps by
// default). Escapes inside strings are rewritten to UTF-8 before the codec sees them; the
// characters JSON requires escaped keep a short or digit-only escape, and other control
// characters (U+000B, U+000E.., U+001A..) are refused. Returns nullopt when nothing changes.
absl::StatusOr<std::optional<std::string>> RewriteUnicodeEscapes(std::string_view in) {
  if (in.find("\\u") == std::string_view::npos) return std::optional<std::string>();
  std::string out;
  out.reserve(in.size());
  bool in_string = false;
  auto hex4 = [&](size_t at, uint32_t* cp) {
    if (at + 4 > in.size()) return false;
    uint32_t v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = in[k];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    *cp = v;
    return true;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out.push_back(c);
      continue;
    }
    if (c == '"') {
      in_string = false;
      out.push_back(c);
      continue;
    }
    if (c != '\\' || i + 1 >= in.size()) {
      out.push_back(c);
      continue;
    }
    if (in[i + 1] != 'u') {  // a short escape: kept as is
      out.push_back(c);
      out.push_back(in[++i]);
      continue;
    }
    uint32_t cp = 0;
    if (!hex4(i + 2, &cp)) {
      return absl::InvalidArgumentError(
          absl::StrCat("offset ", i, ": \\u must be followed by four hex digits"));
    }
    size_t consumed = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (i + 12 <= in.size() && in[i + 6] == '\\' && in[i + 7] == 'u' && hex4(i + 8, &low) &&
          low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        consumed = 12;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("offset ", i, ": unpaired UTF-16 surrogate in a \\u escape"));
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return absl::InvalidArgumentError(
          absl::StrCat("offset ", i, ": unpaired UTF-16 surrogate in a \\u escape"));
    }
    i += consumed - 1;
    if (cp < 0x20 || cp == '"' || cp == '\\') {
      switch (cp) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (cp <= 0x09 || (cp >= 0x10 && cp <= 0x19)) {  // digits only: decoded correctly
            out += absl::StrCat("\\u00", cp < 0x10 ? "0" : "", cp < 0x10 ? cp : cp - 0x10 + 10);
          } else {
            return absl::InvalidArgumentError(absl::StrCat(
                "offset ", i - consumed + 1, ": control character U+00",
                std::string(1, "0123456789ABCDEF"[cp >> 4]),
                std::string(1, "0123456789ABCDEF"[cp & 15]), " in a string is not accepted"));
          }
      }
      continue;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return std::optional<std::string>(std::move(out));
}

absl::Status DecodeJson(std::string_view bytes, capnp::StructSchema schema,
                        capnp::MessageBuilder& out, const DecodeOptions& options) {
  if (bytes.empty()) return absl::InvalidArgumentError("empty");
  TREEM_ASSIGN_OR_RETURN(std::optional<std::string> rewritten, RewriteUnicodeEscapes(bytes));
  if (rewritten) bytes = *rewritten;
  return Guarded([&]() -> absl::Status {
    const TreemJsonCodec& json = CodecFor(schema, options.json_max_nesting,
                                          options.reject_unknown_json_fields, /*pretty=*/false);
    CappedMessageBuilder staging(options.traversal_limit_words);
    json.codec().decode(kj::ArrayPtr<const char>(bytes.data(), bytes.size()),
                        staging.initRoot<capnp::DynamicStruct>(schema));
    out.setRoot(staging.getRoot<capnp::DynamicStruct>(schema).asReader());
    return absl::OkStatus();
  });
}

}  // namespace

const char* FormatName(Format f) {
  switch (f) {
    case Format::kCapnp:
      return "capnp";
    case Format::kPacked:
      return "packed";
    case Format::kJson:
      return "json";
  }
  return "unknown";
}

absl::StatusOr<Format> FormatFromInt(int value) {
  switch (value) {
    case static_cast<int>(Format::kCapnp):
      return Format::kCapnp;
    case static_cast<int>(Format::kPacked):
      return Format::kPacked;
    case static_cast<int>(Format::kJson):
      return Format::kJson;
    default:
      return absl::InvalidArgumentError(absl::StrCat("format: ", value, " is not 1, 2 or 3"));
  }
}

namespace internal {

absl::StatusOr<std::string> EncodeDynamic(capnp::DynamicStruct::Reader reader, Format format,
                                          const EncodeOptions& options) {
  const capnp::StructSchema schema = reader.getSchema();
  switch (format) {
    case Format::kCapnp:
    case Format::kPacked:
      return Guarded([&]() -> absl::StatusOr<std::string> {
        capnp::MallocMessageBuilder message;
        message.setRoot(reader);
        if (format == Format::kCapnp) {
          kj::Array<capnp::word> flat = capnp::messageToFlatArray(message);
          return BytesOf(flat.asBytes());
        }
        kj::VectorOutputStream stream;
        capnp::writePackedMessage(stream, message);
        return BytesOf(stream.getArray());
      });
    case Format::kJson:
      return Guarded([&]() -> absl::StatusOr<std::string> {
        const TreemJsonCodec& json = CodecFor(schema, /*max_nesting=*/64,
                                              /*reject_unknown=*/false, options.json_pretty);
        kj::String text =
            json.codec().encode(capnp::DynamicValue::Reader(reader), capnp::Type(schema));
        return std::string(text.cStr(), text.size());
      });
  }
  return absl::InvalidArgumentError(
      absl::StrCat("format: ", static_cast<int>(format), " is not 1, 2 or 3"));
}

absl::Status DecodeDynamic(std::string_view bytes, Format format, capnp::StructSchema schema,
                           capnp::MessageBuilder& out, const DecodeOptions& options) {
  TREEM_RETURN_IF_ERROR(CheckOptions(options));
  if (bytes.size() > options.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(FormatName(format), " input: size ",
                                                   bytes.size(), " exceeds the limit of ",
                                                   options.max_bytes, " bytes"));
  }
  switch (format) {
    case Format::kCapnp:
      return ::treem::internal::Annotate(DecodeBinary(bytes, schema, out, options), "capnp input");
    case Format::kPacked:
      return ::treem::internal::Annotate(DecodePacked(bytes, schema, out, options), "packed input");
    case Format::kJson:
      return ::treem::internal::Annotate(DecodeJson(bytes, schema, out, options), "json input");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("format: ", static_cast<int>(format), " is not 1, 2 or 3"));
}

absl::StatusOr<std::string> CanonicalDynamic(capnp::DynamicStruct::Reader reader) {
  return Guarded([&]() -> absl::StatusOr<std::string> {
    kj::Array<capnp::word> words = capnp::AnyStruct::Reader(reader).canonicalize();
    return BytesOf(words.asBytes());
  });
}

}  // namespace internal
}  // namespace treem::serde
