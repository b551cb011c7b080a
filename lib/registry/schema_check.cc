#include "registry/schema_check.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "capnp/schema.h"
#include "internal/status_macros.h"

namespace treem::registry {
namespace {

using internal::Sv;

absl::Status CheckValue(capnp::DynamicValue::Reader v, capnp::Type type, const std::string& path);

absl::Status CheckStruct(capnp::DynamicStruct::Reader s, const std::string& path) {
  if (s.getSchema().getProto().getId() == capnp::typeId<schema::Date>()) {
    auto d = s.as<schema::Date>();
    return ReadDate(d, path).status();
  }
  auto check_field = [&](capnp::StructSchema::Field f) -> absl::Status {
    if (!s.has(f)) return absl::OkStatus();
    std::string p = absl::StrCat(path, path.empty() ? "" : ".", f.getProto().getName().cStr());
    auto proto = f.getProto();
    if (proto.isGroup()) return CheckStruct(s.get(f).as<capnp::DynamicStruct>(), p);
    return CheckValue(s.get(f), f.getType(), p);
  };
  for (auto f : s.getSchema().getNonUnionFields()) TREEM_RETURN_IF_ERROR(check_field(f));
  if (s.getSchema().getUnionFields().size() > 0) {
    KJ_IF_MAYBE (f, s.which()) {
      TREEM_RETURN_IF_ERROR(check_field(*f));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": unknown union member (written by a newer version?)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckValue(capnp::DynamicValue::Reader v, capnp::Type type, const std::string& path) {
  switch (type.which()) {
    case capnp::schema::Type::ENUM: {
      auto e = v.as<capnp::DynamicEnum>();
      if (e.getEnumerant() == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": unknown value ", e.getRaw(),
                                                       " for enum ",
                                                       e.getSchema().getUnqualifiedName().cStr()));
      }
      return absl::OkStatus();
    }
    case capnp::schema::Type::STRUCT:
      return CheckStruct(v.as<capnp::DynamicStruct>(), path);
    case capnp::schema::Type::LIST: {
      auto list = v.as<capnp::DynamicList>();
      auto elem = type.asList().getElementType();
      if (elem.which() != capnp::schema::Type::ENUM &&
          elem.which() != capnp::schema::Type::STRUCT) {
        return absl::OkStatus();
      }
      for (unsigned i = 0; i < list.size(); ++i) {
        TREEM_RETURN_IF_ERROR(CheckValue(list[i], elem, absl::StrCat(path, "[", i, "]")));
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace

absl::Status CheckMessage(capnp::DynamicStruct::Reader message, std::string_view path) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    return CheckStruct(message, std::string(path));
  });
}

absl::StatusOr<std::optional<core::Date>> ReadDate(schema::Date::Reader d, std::string_view field) {
  if (d.getYear() == 0 && d.getMonth() == 0 && d.getDay() == 0) return std::optional<core::Date>();
  TREEM_ASSIGN_OR_RETURN(core::Date out,
                         core::MakeDate(d.getYear(), d.getMonth(), d.getDay(), field));
  return std::optional<core::Date>(out);
}

void WriteDate(schema::Date::Builder b, core::Date d) {
  b.setYear(static_cast<int16_t>(d.year()));
  b.setMonth(static_cast<uint8_t>(d.month()));
  b.setDay(static_cast<uint8_t>(d.day()));
}

}  // namespace treem::registry
