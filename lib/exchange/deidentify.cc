#include "exchange/deidentify.h"

#include <array>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "capnp/dynamic.h"
#include "capnp/schema.h"
#include "exchange/text_fold.h"
#include "internal/status_macros.h"
#include "treem/schema/common.capnp.h"
#include "treem/schema/indicators.capnp.h"
#include "treem/schema/people.capnp.h"
#include "treem/schema/units.capnp.h"

namespace treem::exchange {
namespace {

namespace s = ::treem::schema;
using internal::Sv;

const std::vector<std::string>& KeptList() {
  static const auto* const kList = new std::vector<std::string>{
      // administrative unit codes
      "Household.communeCode", "Person.communeCode", "Actor.unitCode", "Establishment.communeCode",
      "Case.unitCode", "CaseTrigger.unitCode", "ServiceProvider.unitCode",
      "CommunicationActivity.unitCode", "TrainingSession.unitCode", "Inspection.unitCode",
      "Commitment.unitCode", "SnapshotHeader.unitScope",
      // codes of the code lists and rule data
      "Establishment.sector", "WorkActivity.jobCode", "WorkActivity.workplaceCode",
      "Deadline.citation", "Finding.code", "Sanction.criminalArticle", "RiskScreenRequest.screenId",
      "RiskAnswer.factor", "RiskResult.screenId", "RiskResult.version", "FactorContribution.factor",
      "FactorContribution.group", "FactorContribution.source", "FactorContribution.nameEn",
      "FactorContribution.nameVi",
      // organisations (never persons) and roles
      "ServiceProvider.name", "FundingLine.funder", "CommunicationActivity.organiser",
      "Inspection.agency", "Commitment.signatoryRole",
      // the writer
      "SnapshotHeader.libraryVersion"};
  return *kList;
}

const std::vector<std::string>& VillageList() {
  static const auto* const kList = new std::vector<std::string>{
      "Household.villageCode", "Person.villageCode", "CommunicationActivity.villageCode",
      "Household.craftVillageName", "Establishment.craftVillageName"};
  return *kList;
}

// Struct types copied verbatim (public reference data).
bool IsPublicType(capnp::StructSchema t) {
  const uint64_t id = t.getProto().getId();
  return id == capnp::typeId<s::AdminUnit>() || id == capnp::typeId<s::AdminUnitList>() ||
         id == capnp::typeId<s::ProgrammePlan>() || id == capnp::typeId<s::IndicatorDefinition>();
}

bool IsPersonalType(capnp::StructSchema t) {
  const uint64_t id = t.getProto().getId();
  return id == capnp::typeId<s::Person>() || id == capnp::typeId<s::Household>();
}

bool ValidYm(int y, int m) { return y >= 1400 && y <= 9999 && m >= 1 && m <= 12; }

class Walker {
 public:
  Walker(const DeidentifyOptions& options) : opt_(options) {
    for (const auto& n : KeptList()) kept_.insert(n);
    if (options.keep_village_codes) {
      for (const auto& n : VillageList()) kept_.insert(n);
    }
  }

  void CopyStruct(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                  bool personal) {
    const capnp::StructSchema schema = in.getSchema();
    personal = personal || IsPersonalType(schema);
    for (auto field : schema.getNonUnionFields()) CopyField(in, out, field, personal);
    KJ_IF_MAYBE (active, in.which()) {
      CopyField(in, out, *active, personal);
    }
  }

 private:
  bool TextKept(capnp::StructSchema owner, capnp::StructSchema::Field field) {
    std::string name = absl::StrCat(Sv(TextOf(owner.getShortDisplayName())), ".",
                                    Sv(TextOf(field.getProto().getName())));
    return kept_.contains(name);
  }

  void CopyField(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                 capnp::StructSchema::Field field, bool personal) {
    const capnp::StructSchema owner = in.getSchema();
    const bool in_union =
        field.getProto().getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT;
    if (field.getProto().isGroup()) {
      CopyStruct(in.get(field).as<capnp::DynamicStruct>(),
                 out.init(field).as<capnp::DynamicStruct>(), personal);
      return;
    }
    const capnp::Type type = field.getType();
    switch (type.which()) {
      case capnp::schema::Type::TEXT:
        if (in.has(field) && TextKept(owner, field)) {
          out.set(field, in.get(field));
        } else if (in_union) {
          out.set(field, capnp::Text::Reader(""));
        }
        return;
      case capnp::schema::Type::DATA:
        if (in_union) out.set(field, capnp::Data::Reader());
        return;
      case capnp::schema::Type::INTERFACE:
      case capnp::schema::Type::ANY_POINTER:
        return;
      case capnp::schema::Type::STRUCT: {
        if (!in.has(field)) {
          if (in_union) out.init(field);
          return;
        }
        auto sub = in.get(field).as<capnp::DynamicStruct>();
        if (IsPublicType(type.asStruct())) {
          out.set(field, sub);
          return;
        }
        CopyValue(sub, out.init(field).as<capnp::DynamicStruct>(), personal);
        return;
      }
      case capnp::schema::Type::LIST: {
        if (!in.has(field)) return;
        const capnp::ListSchema list_type = type.asList();
        auto list = in.get(field).as<capnp::DynamicList>();
        const capnp::Type elem = list_type.getElementType();
        if (elem.isStruct()) {
          if (IsPublicType(elem.asStruct())) {
            out.set(field, list);
            return;
          }
          auto out_list = out.init(field, list.size()).as<capnp::DynamicList>();
          for (unsigned i = 0; i < list.size(); ++i) {
            CopyValue(list[i].as<capnp::DynamicStruct>(), out_list[i].as<capnp::DynamicStruct>(),
                      personal);
          }
        } else if (elem.isText()) {
          if (TextKept(owner, field)) out.set(field, list);
        } else if (!elem.isData() && !elem.isList() && !elem.isAnyPointer() &&
                   !elem.isInterface()) {
          out.set(field, list);  // numbers, bools, enums
        }
        return;
      }
      default:  // void, bool, numbers, enums
        out.set(field, in.get(field));
        return;
    }
  }

  // A struct value: Uuid, Date and BirthDate get their treatment, others are walked.
  void CopyValue(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                 bool personal) {
    const uint64_t id = in.getSchema().getProto().getId();
    if (id == capnp::typeId<s::Uuid>()) {
      auto u = in.as<s::Uuid>();
      const core::Uuid p = Pseudonym(core::Uuid{u.getHi(), u.getLo()}, opt_.secret);
      auto b = out.as<s::Uuid>();
      b.setHi(p.hi);
      b.setLo(p.lo);
    } else if (id == capnp::typeId<s::Date>()) {
      CopyDate(in.as<s::Date>(), out.as<s::Date>(), personal || opt_.coarsen_event_dates);
    } else if (id == capnp::typeId<s::BirthDate>()) {
      auto bin = in.as<s::BirthDate>();
      auto bout = out.as<s::BirthDate>();
      auto d = bin.getDate();
      if (opt_.birth_date == s::BirthDatePrecision::AGE_BAND ||
          !ValidYm(d.getYear(), d.getMonth())) {
        return;  // removed (unset date, estimated false)
      }
      auto od = bout.initDate();
      od.setYear(d.getYear());
      if (opt_.birth_date == s::BirthDatePrecision::YEAR) {
        od.setMonth(7);
        od.setDay(1);
        bout.setEstimated(true);
      } else {
        od.setMonth(d.getMonth());
        od.setDay(1);
        bout.setEstimated(bin.getEstimated());
      }
    } else {
      CopyStruct(in, out, personal);
    }
  }

  static void CopyDate(s::Date::Reader in, s::Date::Builder out, bool coarsen) {
    if (!ValidYm(in.getYear(), in.getMonth())) return;  // unset or not a date: left unset
    out.setYear(in.getYear());
    out.setMonth(in.getMonth());
    out.setDay(coarsen ? 1 : in.getDay());
  }

  const DeidentifyOptions& opt_;
  absl::flat_hash_set<std::string> kept_;
};

absl::Status CheckOptions(const DeidentifyOptions& o) {
  if (o.secret.size() < 16) {
    return absl::InvalidArgumentError("secret: must be at least 16 bytes (random, per export)");
  }
  if (o.birth_date == s::BirthDatePrecision::UNKNOWN) {
    return absl::InvalidArgumentError("birth_date: precision is not set");
  }
  if (o.birth_date == s::BirthDatePrecision::AGE_BAND && !o.reference_date) {
    return absl::InvalidArgumentError("reference_date: required for age bands");
  }
  return absl::OkStatus();
}

absl::Status DeidentifyInto(s::Snapshot::Reader in, s::Snapshot::Builder out,
                            const DeidentifyOptions& options) {
  Walker walker(options);
  walker.CopyStruct(capnp::toDynamic(in), capnp::toDynamic(out), false);
  out.getHeader().setDeidentified(true);
  return absl::OkStatus();
}

}  // namespace

core::Uuid Pseudonym(const core::Uuid& id, std::string_view secret) {
  if (id.is_nil()) return id;
  const core::Uuid key = core::NameUuid(absl::StrCat("exchange/pseudonym-key|", Sv(secret)));
  const std::array<uint8_t, 16> bytes = core::ToBytes(id);
  return core::NameUuid(key, std::string_view(reinterpret_cast<const char*>(bytes.data()), 16));
}

const std::vector<std::string>& KeptTextFields() { return KeptList(); }
const std::vector<std::string>& VillageTextFields() { return VillageList(); }

absl::Status Deidentify(s::Snapshot::Reader in, s::Snapshot::Builder out,
                        const DeidentifyOptions& options) {
  TREEM_RETURN_IF_ERROR(CheckOptions(options));
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument,
                                 [&] { return DeidentifyInto(in, out, options); });
}

absl::Status Deidentify(s::Snapshot::Reader in, s::DeidentifiedExport::Builder out,
                        const DeidentifyOptions& options) {
  TREEM_RETURN_IF_ERROR(CheckOptions(options));
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    TREEM_RETURN_IF_ERROR(DeidentifyInto(in, out.initSnapshot(), options));
    out.setBirthDatePrecision(options.birth_date);
    if (options.birth_date != s::BirthDatePrecision::AGE_BAND) return absl::OkStatus();
    const core::Date ref = *options.reference_date;
    auto ref_out = out.initReferenceDate();
    ref_out.setYear(static_cast<int16_t>(ref.year()));
    ref_out.setMonth(static_cast<uint8_t>(ref.month()));
    ref_out.setDay(static_cast<uint8_t>(ref.day()));
    auto persons = in.getPersons();
    auto bands = out.initAgeBands(persons.size());
    for (unsigned i = 0; i < persons.size(); ++i) {
      auto p = persons[i];
      auto b = bands[i];
      const core::Uuid pid =
          Pseudonym(core::Uuid{p.getId().getHi(), p.getId().getLo()}, options.secret);
      b.initPersonId().setHi(pid.hi);
      b.getPersonId().setLo(pid.lo);
      auto d = p.getBirthDate().getDate();
      auto date = core::MakeDate(d.getYear(), d.getMonth(), d.getDay(), "birthDate");
      if (!date.ok()) continue;  // unset or invalid: known = false
      auto age =
          core::AgeOn(core::BirthDate{*date, p.getBirthDate().getEstimated()}, ref, "birthDate");
      if (!age.ok()) continue;  // born after the reference date
      b.setKnown(true);
      b.setLegalBand(static_cast<s::LegalAgeBand>(age->legal_band));
      b.setStatBand(static_cast<s::StatAgeBand>(age->stat_band));
      b.setLegalBandUncertain(age->legal_band_uncertain);
      b.setStatBandUncertain(age->stat_band_uncertain);
    }
    return absl::OkStatus();
  });
}

}  // namespace treem::exchange
