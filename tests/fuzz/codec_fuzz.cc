// Fuzz target: lib/serde/codec.h, the decoder of every schema message from untrusted bytes
// (binary capnp, packed capnp, JSON) under explicit reader limits.
//
// Input: byte 0 chooses the format (bits 0-1: capnp, packed, json, strict json) and the
// message type (bits 2-4: Command, CommandBatch, JournalEntry, Snapshot, CaseCommand,
// DeadlineQuery, AdminUnitList, ProgrammePlan); the rest is the encoded message.
//
// Invariants besides "no crash": a decoded message re-encodes as capnp and packed and decodes
// back to the same canonical bytes; its JSON (when the encoder does not refuse it with a
// status) decodes back, and from the second round on re-encodes to the same text.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "capnp/any.h"
#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "fuzz/fuzz_util.h"
#include "serde/codec.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/units.capnp.h"

namespace treem::fuzz {
namespace {

// Limits well below the defaults, so the fuzzer reaches them with small inputs.
serde::DecodeOptions Limits(bool strict) {
  serde::DecodeOptions o;
  o.max_bytes = size_t{1} << 20;
  o.traversal_limit_words = uint64_t{1} << 17;
  o.nesting_limit = 24;
  o.json_max_nesting = 24;
  o.reject_unknown_json_fields = strict;
  return o;
}

// Known bug, not ours to fix here: Cap'n Proto 0.9.2's JSON parser (Debian 12) decodes a
// \uXXXX escape whose hex digits include a letter wrongly (a-f taken as 0-5: "\u00e9" becomes
// 'I', "\u001e" U+0014), fixed upstream in capnproto PR #1552 (Cap'n Proto 0.10.3). The encoder
// writes such escapes for control characters, so the JSON round trip of a text holding, say,
// U+001E is not a fixed point (tests/fuzz/regressions/codec/json-escape-control-char-*).
// While the linked codec has the bug, the check skips JSON holding such escapes; once
// lib/serde/codec.cc works around it (or Cap'n Proto is upgraded) the probe finds the bug
// gone and the check applies to every input again.
bool CodecHasJsonEscapeBug() {
  capnp::MallocMessageBuilder mb;
  if (!serde::DecodeInto<schema::Command>(R"({"note":"\u00e9\u001e"})", serde::Format::kJson, mb)
           .ok()) {
    return true;
  }
  const capnp::Text::Reader note = mb.getRoot<schema::Command>().asReader().getNote();
  return std::string_view(note.cStr(), note.size()) != "\xc3\xa9\x1e";
}

// Known bug: the JSON encoder writes an enum value the schema does not name (binary input,
// e.g. from a newer schema) as a number, which the JSON decoder refuses ("expected enum
// value"): Encode writes JSON that DecodeInto cannot read
// (tests/fuzz/regressions/codec/json-unknown-enum-number). While the codec has the bug, such
// refusals are let through; once fixed (the encoder refuses with a status naming the field, or
// the decoder accepts the number) the probe finds it gone and the check applies again.
bool CodecHasUnknownEnumBug() {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<schema::Command>().setSource(static_cast<schema::DataSource>(999));
  absl::StatusOr<std::string> json = serde::Encode<schema::Command>(
      mb.getRoot<schema::Command>().asReader(), serde::Format::kJson);
  if (!json.ok()) return false;  // refused: consistent
  capnp::MallocMessageBuilder back;
  return !serde::DecodeInto<schema::Command>(*json, serde::Format::kJson, back).ok();
}

// Known bug: the JSON encoder drops a union member the schema does not name (binary input,
// e.g. from a newer schema) and writes "body":{}, which decodes as the union's first member:
// a CaseCommand whose step is unknown comes back as openCase
// (tests/fuzz/regressions/codec/json-unknown-union-member). commands.capnp says a reader must
// refuse an unknown member, never skip it silently. While the codec has the bug, messages
// holding an unknown union member skip the JSON check; once the encoder refuses them, the
// probe finds the bug gone and the check applies again.
bool CodecHasUnknownUnionBug() {
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<schema::Command>();
  const capnp::StructSchema payload =
      capnp::Schema::from<schema::Command>().getFieldByName("payload").getType().asStruct();
  const uint32_t offset = payload.getProto().getStruct().getDiscriminantOffset();
  capnp::AnyStruct::Builder any = mb.getRoot<capnp::AnyStruct>();
  auto data = any.getDataSection();
  if (data.size() < 2 * (offset + 1)) return false;
  data[2 * offset] = 0xE7;  // discriminant 999: no member has it
  data[2 * offset + 1] = 0x03;
  return serde::Encode<schema::Command>(c.asReader(), serde::Format::kJson).ok();
}

// Whether some struct of `value` has a union whose member the schema does not name.
bool HasUnknownUnionMember(capnp::DynamicValue::Reader value, int depth = 0) {
  if (depth > 64) return false;
  switch (value.getType()) {
    case capnp::DynamicValue::STRUCT: {
      capnp::DynamicStruct::Reader s = value.as<capnp::DynamicStruct>();
      if (s.getSchema().getUnionFields().size() > 0 && s.which() == nullptr) return true;
      for (capnp::StructSchema::Field f : s.getSchema().getNonUnionFields()) {
        if ((f.getProto().isGroup() || s.has(f)) && HasUnknownUnionMember(s.get(f), depth + 1))
          return true;
      }
      KJ_IF_MAYBE (f, s.which()) {
        if (((*f).getProto().isGroup() || s.has(*f)) &&
            HasUnknownUnionMember(s.get(*f), depth + 1)) {
          return true;
        }
      }
      return false;
    }
    case capnp::DynamicValue::LIST:
      for (capnp::DynamicValue::Reader e : value.as<capnp::DynamicList>()) {
        if (HasUnknownUnionMember(e, depth + 1)) return true;
      }
      return false;
    default:
      return false;
  }
}

// Known bug: a union member that is a struct held as a null pointer (binary input) is written
// as "followUp":null, which the JSON decoder refuses ("expected object value"): Encode writes
// JSON that DecodeInto cannot read (tests/fuzz/regressions/codec/json-null-struct-member).
// Tolerated while the probe finds it; once the encoder writes {} (or the decoder takes null as
// the default struct) the check applies again.
bool CodecHasNullStructMemberBug() {
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<schema::CaseCommand>();
  c.initBody().initFollowUp();
  c.getBody().disownFollowUp();  // the member stays set, its pointer null
  absl::StatusOr<std::string> json =
      serde::Encode<schema::CaseCommand>(c.asReader(), serde::Format::kJson);
  if (!json.ok()) return false;
  capnp::MallocMessageBuilder back;
  return !serde::DecodeInto<schema::CaseCommand>(*json, serde::Format::kJson, back).ok();
}

bool HasEscapeWithHexLetter(std::string_view json) {
  for (size_t i = 0; i + 6 <= json.size(); ++i) {
    if (json[i] == '\\' && json[i + 1] == 'u') {
      for (size_t k = i + 2; k < i + 6; ++k) {
        if (std::isalpha(static_cast<unsigned char>(json[k]))) return true;
      }
    }
    if (json[i] == '\\') ++i;  // skip the escaped character ("\\u" is no escape)
  }
  return false;
}

template <typename T>
void RoundTrip(std::string_view bytes, serde::Format format, bool strict) {
  capnp::MallocMessageBuilder first;
  if (!serde::DecodeInto<T>(bytes, format, first, Limits(strict)).ok()) return;
  const typename T::Reader root = first.getRoot<T>().asReader();
  absl::StatusOr<std::string> canonical = serde::Canonical<T>(root);
  if (!canonical.ok()) FuzzFail("canonical form of a decoded message", canonical.status());

  // Binary formats keep everything (unknown fields too): same canonical bytes.
  for (serde::Format to : {serde::Format::kCapnp, serde::Format::kPacked}) {
    absl::StatusOr<std::string> encoded = serde::Encode<T>(root, to);
    if (!encoded.ok()) FuzzFail("binary encoding failed", encoded.status());
    capnp::MallocMessageBuilder second;
    // The default limits: a message that was within the fuzz limits is within these.
    const absl::Status again = serde::DecodeInto<T>(*encoded, to, second);
    if (!again.ok()) FuzzFail(serde::FormatName(to), again);
    absl::StatusOr<std::string> canonical2 = serde::Canonical<T>(second.getRoot<T>().asReader());
    if (!canonical2.ok()) FuzzFail("canonical form after the round trip", canonical2.status());
    if (*canonical2 != *canonical) FuzzFail("binary round trip changed the message");
  }

  // JSON may refuse what binary input can hold (a Date that is no calendar date has no text
  // form) and drops unknown fields; what it writes must read back and write the same text.
  absl::StatusOr<std::string> json = serde::Encode<T>(root, serde::Format::kJson);
  if (!json.ok()) return;
  static const bool union_bug = [] {
    const bool bug = CodecHasUnknownUnionBug();
    if (Verbose()) std::fprintf(stderr, "probe: json unknown-union bug: %d\n", bug);
    return bug;
  }();
  if (HasUnknownUnionMember(capnp::toDynamic(root))) {
    if (union_bug) return;
    FuzzFail("json encoder wrote a message holding an unknown union member");
  }
  static const bool escape_bug = [] {
    const bool bug = CodecHasJsonEscapeBug();
    if (Verbose()) std::fprintf(stderr, "probe: json escape bug: %d\n", bug);
    return bug;
  }();
  if (escape_bug && HasEscapeWithHexLetter(*json)) return;
  capnp::MallocMessageBuilder third;
  const absl::Status again = serde::DecodeInto<T>(*json, serde::Format::kJson, third);
  static const bool enum_bug = [] {
    const bool bug = CodecHasUnknownEnumBug();
    if (Verbose()) std::fprintf(stderr, "probe: json unknown-enum bug: %d\n", bug);
    return bug;
  }();
  if (!again.ok() && enum_bug && again.message().find("enum value") != std::string_view::npos) {
    return;
  }
  static const bool null_struct_bug = [] {
    const bool bug = CodecHasNullStructMemberBug();
    if (Verbose()) std::fprintf(stderr, "probe: json null-struct-member bug: %d\n", bug);
    return bug;
  }();
  if (!again.ok() && null_struct_bug &&
      again.message().find("expected object value") != std::string_view::npos) {
    return;
  }
  if (!again.ok()) FuzzFail("json written by Encode does not decode", again);
  // The first JSON may differ from the next by normalisation: a union member holding a null
  // pointer is left out ("body":{}) and comes back as the first member with default values
  // (tests/fuzz/regressions/codec/json-null-union-member; the same meaning in capnp). From
  // the second round on, the text must be a fixed point.
  absl::StatusOr<std::string> json2 =
      serde::Encode<T>(third.getRoot<T>().asReader(), serde::Format::kJson);
  if (!json2.ok()) FuzzFail("json of a json-decoded message", json2.status());
  if (*json2 == *json) return;
  capnp::MallocMessageBuilder fourth;
  const absl::Status again2 = serde::DecodeInto<T>(*json2, serde::Format::kJson, fourth);
  if (!again2.ok()) FuzzFail("json written by Encode does not decode", again2);
  absl::StatusOr<std::string> json3 =
      serde::Encode<T>(fourth.getRoot<T>().asReader(), serde::Format::kJson);
  if (!json3.ok()) FuzzFail("json of a json-decoded message", json3.status());
  if (*json3 != *json2) {
    if (Verbose()) {
      std::fprintf(stderr, "second: %s\nthird:  %s\n", json2->c_str(), json3->c_str());
    }
    FuzzFail("json round trip is not a fixed point");
  }
}

}  // namespace
}  // namespace treem::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using treem::serde::Format;
  namespace schema = treem::schema;
  if (size < 1) return 0;
  const uint8_t selector = data[0];
  const std::string_view bytes = treem::fuzz::AsText(data + 1, size - 1);
  static constexpr Format kFormats[] = {Format::kCapnp, Format::kPacked, Format::kJson,
                                        Format::kJson};
  const Format format = kFormats[selector & 3];
  const bool strict = (selector & 3) == 3;
  switch ((selector >> 2) & 7) {
    case 0:
      treem::fuzz::RoundTrip<schema::Command>(bytes, format, strict);
      break;
    case 1:
      treem::fuzz::RoundTrip<schema::CommandBatch>(bytes, format, strict);
      break;
    case 2:
      treem::fuzz::RoundTrip<schema::JournalEntry>(bytes, format, strict);
      break;
    case 3:
      treem::fuzz::RoundTrip<schema::Snapshot>(bytes, format, strict);
      break;
    case 4:
      treem::fuzz::RoundTrip<schema::CaseCommand>(bytes, format, strict);
      break;
    case 5:
      treem::fuzz::RoundTrip<schema::DeadlineQuery>(bytes, format, strict);
      break;
    case 6:
      treem::fuzz::RoundTrip<schema::AdminUnitList>(bytes, format, strict);
      break;
    case 7:
      treem::fuzz::RoundTrip<schema::ProgrammePlan>(bytes, format, strict);
      break;
  }
  return 0;
}
