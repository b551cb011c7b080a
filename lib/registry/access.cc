#include "registry/access.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"
#include "registry/registry.h"

namespace treem::registry {
namespace {

using internal::Sv;
using schema::RecordKind;
using schema::Role;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool IsProvinceCode(std::string_view s) { return s.size() == 2 && AllDigits(s); }
bool IsCommuneCode(std::string_view s) { return s.size() == 5 && AllDigits(s); }

bool InspectorKind(RecordKind k) {
  return k == RecordKind::ESTABLISHMENT || k == RecordKind::WORK_ACTIVITY ||
         k == RecordKind::INSPECTION || k == RecordKind::COMMITMENT;
}
bool GlobalKind(RecordKind k) {
  return k == RecordKind::INDICATOR_DEFINITION || k == RecordKind::ADMIN_UNIT;
}

absl::Status Deny(const cases::ActorInfo& a, std::string_view what) {
  return absl::PermissionDeniedError(
      absl::StrCat("role ", RoleName(a.role), " may not ", Sv(what)));
}

}  // namespace

const char* OpVerb(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kWrite:
      return "write";
    case Op::kHistory:
      return "read the history of";
    case Op::kExport:
      return "export";
    case Op::kQuery:
      return "query deadlines of";
    case Op::kVerdict:
      return "compute verdicts on";
  }
  return "use";
}

bool IsPersonalKind(RecordKind kind) {
  switch (kind) {
    case RecordKind::HOUSEHOLD:
    case RecordKind::PERSON:
    case RecordKind::WORK_ACTIVITY:
    case RecordKind::RISK_ASSESSMENT:
    case RecordKind::CASE:
    case RecordKind::REFERRAL:
    case RecordKind::COMMUNICATION_ACTIVITY:
    case RecordKind::TRAINING_SESSION:
    case RecordKind::INSPECTION:
      return true;
    default:
      return false;
  }
}

absl::Status RolePermits(const cases::ActorInfo& a, Op op, RecordKind kind) {
  const char* kn = KindName(kind);
  const std::string records = IsPersonalKind(kind) ? absl::StrCat("personal records (", kn, ")")
                                                   : absl::StrCat(kn, " records");
  switch (a.role) {
    case Role::SYSTEM:
      return absl::OkStatus();
    case Role::PROVINCE_OFFICER:
      return absl::OkStatus();
    case Role::COMMUNE_WORKER:
    case Role::COMMUNE_CHAIR:
      if (op == Op::kWrite && GlobalKind(kind)) {
        return Deny(a, absl::StrCat("write ", records, " (province or system only)"));
      }
      if (op == Op::kHistory && a.role == Role::COMMUNE_WORKER) {
        return Deny(a, "read the audit history (auditor, communeChair, provinceOfficer)");
      }
      return absl::OkStatus();
    case Role::INSPECTOR:
      if (op == Op::kHistory || op == Op::kExport || op == Op::kQuery) {
        return Deny(a, absl::StrCat(OpVerb(op), " ", records));
      }
      if (InspectorKind(kind)) return absl::OkStatus();
      if (op == Op::kRead && !IsPersonalKind(kind)) return absl::OkStatus();
      return Deny(a, absl::StrCat(OpVerb(op), " ", records,
                                  " (establishments, work activities, inspections, commitments)"));
    case Role::ANALYST:
      if (op == Op::kRead && !IsPersonalKind(kind)) return absl::OkStatus();
      if (op == Op::kRead || op == Op::kVerdict || op == Op::kQuery) {
        return Deny(a, absl::StrCat("read ", records, " (de-identified data only)"));
      }
      return Deny(a, absl::StrCat(OpVerb(op), " ", records));
    case Role::AUDITOR:
      if (op == Op::kHistory) return absl::OkStatus();
      return Deny(a, absl::StrCat(OpVerb(op), " ", records, " (audit trail only)"));
    case Role::UNKNOWN:
      break;
  }
  return absl::PermissionDeniedError("actor.role: not set");
}

absl::Status CheckActor(const cases::ActorInfo& a, std::string_view field) {
  if (a.user_id.empty())
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ".userId: required"));
  if (a.role == Role::UNKNOWN || static_cast<int>(a.role) > static_cast<int>(Role::SYSTEM)) {
    return absl::InvalidArgumentError(absl::StrCat(Sv(field), ".role: required (a known role)"));
  }
  switch (a.role) {
    case Role::COMMUNE_WORKER:
    case Role::COMMUNE_CHAIR:
      if (!IsCommuneCode(a.unit_code)) {
        return absl::InvalidArgumentError(absl::StrCat(
            Sv(field), ".unitCode: role ", RoleName(a.role), " needs a 5-digit commune code"));
      }
      break;
    case Role::PROVINCE_OFFICER:
      if (!IsProvinceCode(a.unit_code)) {
        return absl::InvalidArgumentError(absl::StrCat(
            Sv(field), ".unitCode: role provinceOfficer needs a 2-digit province code"));
      }
      break;
    case Role::SYSTEM:
      break;
    default:
      if (a.unit_code.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(Sv(field), ".unitCode: required"));
      }
  }
  return absl::OkStatus();
}

UnitMap::UnitMap(std::optional<core::AdminUnits> official, core::Date today)
    : official_(std::move(official)), today_(today) {}

void UnitMap::Learn(std::string_view code, std::string_view parent_code,
                    std::string_view province_code) {
  auto& v = learned_[std::string(code)];
  for (std::string_view c : {parent_code, province_code}) {
    if (!c.empty() && std::find(v.begin(), v.end(), c) == v.end()) v.emplace_back(c);
  }
  cache_.clear();
}

const std::vector<std::string>& UnitMap::Containers(std::string_view code) const {
  auto it = cache_.find(std::string(code));
  if (it != cache_.end()) return it->second;
  std::vector<std::string> out;
  auto add = [&](std::string_view c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.emplace_back(c);
  };
  if (auto l = learned_.find(std::string(code)); l != learned_.end()) {
    for (const auto& c : l->second) add(c);
    // One more step up (a commune's district's province, before the reform).
    for (size_t i = 0; i < out.size(); ++i) {
      if (auto up = learned_.find(out[i]); up != learned_.end()) {
        for (const auto& c : up->second) add(c);
      }
    }
  }
  if (official_) {
    auto versions = official_->Versions(code);
    if (versions.ok()) {
      for (const core::UnitVersion& v : *versions) {
        auto then = official_->ContainingUnitOn(v.index, v.valid_from);
        if (then.ok()) {
          for (const auto& c : *then) add(c.unit.code);
        }
      }
      auto now = official_->ContainingUnitOn(code, today_);
      if (now.ok()) {
        for (const auto& c : *now) add(c.unit.code);
      }
    }
  }
  return cache_.emplace(std::string(code), std::move(out)).first->second;
}

bool UnitMap::Covers(std::string_view outer, std::string_view inner) const {
  if (outer.empty() || inner.empty()) return false;
  if (outer == inner) return true;
  const auto& c = Containers(inner);
  return std::find(c.begin(), c.end(), outer) != c.end();
}

absl::Status UnitMap::CheckCode(std::string_view code, std::string_view field) const {
  if (code.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(field), ": required"));
  if (!AllDigits(code) || (code.size() != 2 && code.size() != 3 && code.size() != 5)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": '", Sv(code), "' is not an admin unit code (2, 3 or 5 digits)"));
  }
  if (official_ && !official_->Versions(code).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(field), ": unit '", Sv(code), "' is not in the official lists"));
  }
  return absl::OkStatus();
}

}  // namespace treem::registry
