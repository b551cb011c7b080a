// extern "C" definitions of treem/c/units.h.
#include "treem/c/units.h"

#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "capi/schema_out.h"
#include "core/admin_units.h"
#include "core/date.h"
#include "internal/status_macros.h"
#include "treem/schema/units.capnp.h"


namespace treem::capi {
namespace {

using core::UnitLevel;
using internal::Sv;

absl::StatusOr<UnitLevel> ToCoreLevel(treem_unit_level level) {
  switch (level) {
    case TREEM_UNIT_PROVINCE: return UnitLevel::kProvince;
    case TREEM_UNIT_DISTRICT: return UnitLevel::kDistrict;
    case TREEM_UNIT_COMMUNE: return UnitLevel::kCommune;
    case TREEM_UNIT_VILLAGE: return UnitLevel::kVillage;
    default:
      return Misuse(absl::StrCat("level: unknown unit level ", level));
  }
}

schema::AdminLevel ToSchemaLevel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince: return schema::AdminLevel::PROVINCE;
    case UnitLevel::kDistrict: return schema::AdminLevel::DISTRICT;
    case UnitLevel::kCommune: return schema::AdminLevel::COMMUNE;
    case UnitLevel::kVillage: return schema::AdminLevel::VILLAGE;
  }
  return schema::AdminLevel::UNSPECIFIED;
}

schema::AdminUnitKind ToSchemaKind(std::string_view kind, UnitLevel level) {
  if (level == UnitLevel::kVillage) return schema::AdminUnitKind::VILLAGE;
  if (kind == "Tỉnh") return schema::AdminUnitKind::PROVINCE;
  if (kind == "Thành phố") {
    if (level == UnitLevel::kProvince) return schema::AdminUnitKind::CENTRAL_CITY;
    if (level == UnitLevel::kDistrict) return schema::AdminUnitKind::PROVINCIAL_CITY;
  }
  if (kind == "Quận") return schema::AdminUnitKind::URBAN_DISTRICT;
  if (kind == "Huyện") return schema::AdminUnitKind::RURAL_DISTRICT;
  if (kind == "Thị xã") return schema::AdminUnitKind::DISTRICT_TOWN;
  if (kind == "Xã") return schema::AdminUnitKind::RURAL_COMMUNE;
  if (kind == "Phường") return schema::AdminUnitKind::WARD;
  if (kind == "Thị trấn") return schema::AdminUnitKind::TOWNLET;
  if (kind == "Đặc khu") return schema::AdminUnitKind::SPECIAL_ZONE;
  return schema::AdminUnitKind::UNKNOWN;
}

void SetDate(schema::Date::Builder b, core::Date d) {
  b.setYear(static_cast<int16_t>(d.year()));
  b.setMonth(static_cast<uint8_t>(d.month()));
  b.setDay(static_cast<uint8_t>(d.day()));
}

// A NUL-terminated copy usable wherever capnp takes Text (KJ requires the terminator; a
// string_view into interned data has none). Lives until the end of the full expression.
struct TextArg {
  std::string s;
  operator capnp::Text::Reader() const { return capnp::Text::Reader(s.c_str(), s.size()); }
  operator kj::StringPtr() const { return kj::StringPtr(s.c_str(), s.size()); }
};
TextArg Text(std::string_view s) { return TextArg{std::string(s)}; }

void FillLinks(capnp::List<schema::UnitLink>::Builder out,
               const std::vector<core::LineageLink>& links) {
  for (size_t i = 0; i < links.size(); ++i) {
    auto l = out[static_cast<unsigned>(i)];
    l.setCode(Text(links[i].unit.code));
    l.setLevel(ToSchemaLevel(links[i].unit.level));
    l.setKind(links[i].partial ? schema::LineageKind::PARTIAL : schema::LineageKind::WHOLE);
    SetDate(l.initEffectiveOn(), core::ReformDate());
    l.setNote(Text(links[i].note));
  }
}

absl::Status FillUnit(const core::AdminUnits& units, const core::UnitVersion& v,
                      schema::AdminUnit::Builder b) {
  b.setCode(Text(v.code));
  b.setName(Text(v.name));
  b.setEnglishName(Text(v.english_name));
  b.setLevel(ToSchemaLevel(v.level));
  b.setKind(ToSchemaKind(v.kind, v.level));
  b.setParentCode(Text(v.parent_code));
  SetDate(b.initValidFrom(), v.valid_from);
  // The schema's validTo is exclusive (the first day the unit no longer exists).
  if (v.valid_to) SetDate(b.initValidTo(), *v.valid_to + boost::gregorian::days(1));
  core::UnitIndex province = units.AncestorIndex(v.index, UnitLevel::kProvince);
  if (v.level == UnitLevel::kProvince) province = v.index;
  if (province != core::kNoUnit) {
    TREEM_ASSIGN_OR_RETURN(core::UnitVersion p, units.At(province));
    b.setProvinceCode(Text(p.code));
  }
  TREEM_ASSIGN_OR_RETURN(core::UnitLineage lineage, units.Lineage(v.index));
  FillLinks(b.initPredecessors(static_cast<unsigned>(lineage.predecessors.size())),
            lineage.predecessors);
  FillLinks(b.initSuccessors(static_cast<unsigned>(lineage.successors.size())),
            lineage.successors);
  return absl::OkStatus();
}

absl::StatusOr<core::Date> DateArg(const char* date, std::string_view name) {
  if (date == nullptr) return Misuse(absl::StrCat(Sv(name), ": null date"));
  return core::ParseDate(date, name);
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;

extern "C" {

treem_status treem_units_open_dir(treem_units** out, const char* dir) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_units_open_dir: out is null");
    *out = nullptr;
    if (dir == nullptr) return Misuse("treem_units_open_dir: dir is null");
    TREEM_ASSIGN_OR_RETURN(treem::core::AdminUnits units,
                           treem::core::AdminUnits::LoadDirectory(dir));
    *out = new treem_units{std::move(units)};
    return absl::OkStatus();
  });
}

void treem_units_free(treem_units* units) { delete units; }

treem_status treem_units_count(uint32_t* out, const treem_units* units, treem_unit_level level,
                               const char* date) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || units == nullptr) return Misuse("treem_units_count: null argument");
    TREEM_ASSIGN_OR_RETURN(auto lvl, treem::capi::ToCoreLevel(level));
    TREEM_ASSIGN_OR_RETURN(auto on, treem::capi::DateArg(date, "date"));
    TREEM_ASSIGN_OR_RETURN(treem::core::LevelCounts c, units->impl.CountsOn(on));
    switch (lvl) {
      case treem::core::UnitLevel::kProvince: *out = static_cast<uint32_t>(c.provinces); break;
      case treem::core::UnitLevel::kDistrict: *out = static_cast<uint32_t>(c.districts); break;
      case treem::core::UnitLevel::kCommune: *out = static_cast<uint32_t>(c.communes); break;
      case treem::core::UnitLevel::kVillage: *out = static_cast<uint32_t>(c.villages); break;
    }
    return absl::OkStatus();
  });
}

treem_status treem_units_find(treem_buf* out, const treem_units* units, const char* code,
                              const char* date, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || units == nullptr || code == nullptr)
      return Misuse("treem_units_find: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(auto on, treem::capi::DateArg(date, "date"));
    TREEM_ASSIGN_OR_RETURN(treem::core::UnitVersion v, units->impl.Find(code, on));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<treem::schema::AdminUnit>();
    TREEM_RETURN_IF_ERROR(treem::capi::FillUnit(units->impl, v, root));
    return treem::capi::WriteMessage<treem::schema::AdminUnit>(out, root.asReader(), format);
  });
}

treem_status treem_units_containing(treem_buf* out, const treem_units* units, const char* code,
                                    const char* date, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || units == nullptr || code == nullptr)
      return Misuse("treem_units_containing: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(auto on, treem::capi::DateArg(date, "date"));
    TREEM_ASSIGN_OR_RETURN(auto found, units->impl.ContainingUnitOn(code, on));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<treem::schema::AdminUnitList>();
    auto list = root.initUnits(static_cast<unsigned>(found.size()));
    auto partial = root.initContainment(static_cast<unsigned>(found.size()));
    for (size_t i = 0; i < found.size(); ++i) {
      TREEM_RETURN_IF_ERROR(
          treem::capi::FillUnit(units->impl, found[i].unit, list[static_cast<unsigned>(i)]));
      auto c = partial[static_cast<unsigned>(i)];
      c.setPartial(found[i].partial);
      c.setViaLineage(found[i].via_lineage);
    }
    treem::capi::SetDate(root.initAsOf(), on);
    return treem::capi::WriteMessage<treem::schema::AdminUnitList>(out, root.asReader(), format);
  });
}

treem_status treem_units_under(treem_buf* out, const treem_units* units,
                               const char* province_code, treem_unit_level level,
                               const char* date, treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || units == nullptr || province_code == nullptr)
      return Misuse("treem_units_under: null argument");
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    TREEM_ASSIGN_OR_RETURN(auto lvl, treem::capi::ToCoreLevel(level));
    TREEM_ASSIGN_OR_RETURN(auto on, treem::capi::DateArg(date, "date"));
    TREEM_ASSIGN_OR_RETURN(auto found, units->impl.UnitsUnder(province_code, on, lvl));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<treem::schema::AdminUnitList>();
    auto list = root.initUnits(static_cast<unsigned>(found.size()));
    for (size_t i = 0; i < found.size(); ++i) {
      TREEM_RETURN_IF_ERROR(
          treem::capi::FillUnit(units->impl, found[i], list[static_cast<unsigned>(i)]));
    }
    treem::capi::SetDate(root.initAsOf(), on);
    return treem::capi::WriteMessage<treem::schema::AdminUnitList>(out, root.asReader(), format);
  });
}

}  // extern "C"
