#include "cases/referral.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/status_macros.h"

namespace treem::cases {
namespace {

using internal::Sv;
using schema::ReferralStatus;

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

}  // namespace

size_t IdHash::operator()(const Id& id) const {
  return absl::Hash<std::pair<uint64_t, uint64_t>>{}({id.hi, id.lo});
}

Id IdFrom(schema::Uuid::Reader r) {
  Id id{};
  id.hi = r.getHi();
  id.lo = r.getLo();
  return id;
}

void SetId(schema::Uuid::Builder b, const Id& id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}

ActorInfo ActorFrom(schema::Actor::Reader r) {
  return ActorInfo{Str(r.getUserId()), r.getRole(), Str(r.getUnitCode())};
}

void SetActor(schema::Actor::Builder b, const ActorInfo& a) {
  b.setUserId(a.user_id);
  b.setRole(a.role);
  b.setUnitCode(a.unit_code);
}

bool ProviderInfo::Offers(schema::ServiceType s) const {
  return std::find(services.begin(), services.end(), s) != services.end();
}

absl::Status ServiceDirectory::Put(schema::ServiceProvider::Reader p) {
  return internal::CatchToStatus(absl::StatusCode::kInvalidArgument, [&]() -> absl::Status {
    ProviderInfo info;
    info.id = IdFrom(p.getId());
    info.name = Str(p.getName());
    info.kind = p.getKind();
    info.unit_code = Str(p.getUnitCode());
    for (auto s : p.getServices()) info.services.push_back(s);
    info.contact = Str(p.getContact());
    return Put(std::move(info));
  });
}

absl::Status ServiceDirectory::Put(ProviderInfo p) {
  if (IsZero(p.id)) return absl::InvalidArgumentError("serviceProvider.id: zero");
  if (p.name.empty()) return absl::InvalidArgumentError("serviceProvider.name: empty");
  if (p.services.empty()) {
    return absl::InvalidArgumentError("serviceProvider.services: no service offered");
  }
  for (auto s : p.services) {
    if (s == schema::ServiceType::UNKNOWN) {
      return absl::InvalidArgumentError("serviceProvider.services: 'unknown' is not a service");
    }
  }
  const Id id = p.id;
  providers_.insert_or_assign(id, std::move(p));
  return absl::OkStatus();
}

const ProviderInfo* ServiceDirectory::Find(const Id& id) const {
  auto it = providers_.find(id);
  return it == providers_.end() ? nullptr : &it->second;
}

std::vector<const ProviderInfo*> ServiceDirectory::FindFor(
    schema::ServiceType service, const std::vector<std::string>& unit_codes) const {
  std::vector<const ProviderInfo*> out;
  for (const auto& [id, p] : providers_) {
    if (!p.Offers(service)) continue;
    const bool in_unit = p.unit_code.empty() || std::find(unit_codes.begin(), unit_codes.end(),
                                                          p.unit_code) != unit_codes.end();
    if (in_unit) out.push_back(&p);
  }
  std::sort(out.begin(), out.end(), [](const ProviderInfo* a, const ProviderInfo* b) {
    return a->name != b->name ? a->name < b->name : IdLess(a->id, b->id);
  });
  return out;
}

void ServiceDirectory::Write(const ProviderInfo& p, schema::ServiceProvider::Builder out) const {
  SetId(out.initId(), p.id);
  out.setName(p.name);
  out.setKind(p.kind);
  out.setUnitCode(p.unit_code);
  auto services = out.initServices(static_cast<unsigned>(p.services.size()));
  for (unsigned i = 0; i < services.size(); ++i) services.set(i, p.services[i]);
  out.setContact(p.contact);
}

bool ReferralFile::Terminal() const {
  return status == ReferralStatus::DECLINED || status == ReferralStatus::COMPLETED ||
         status == ReferralStatus::REVOKED;
}

Micros ReferralFile::DueAt() const { return EndOfLocalDay(due_by); }

bool ReferralFile::OverdueAt(Micros at) const { return !Terminal() && at > DueAt(); }

std::vector<ReferralStatus> AllowedReferralMoves(ReferralStatus from) {
  switch (from) {
    case ReferralStatus::REQUESTED:
      return {ReferralStatus::ACCEPTED, ReferralStatus::DECLINED, ReferralStatus::REVOKED};
    case ReferralStatus::ACCEPTED:
      return {ReferralStatus::IN_PROGRESS, ReferralStatus::COMPLETED, ReferralStatus::REVOKED};
    case ReferralStatus::IN_PROGRESS:
      return {ReferralStatus::COMPLETED, ReferralStatus::REVOKED};
    default:
      return {};
  }
}

absl::StatusOr<ReferralFile> NewReferral(const Id& case_id, schema::RequestReferral::Reader r,
                                         const CommandContext& ctx,
                                         const ServiceDirectory& directory,
                                         const ReferralFile* re_referred) {
  ReferralFile f;
  f.id = IdFrom(r.getReferralId());
  if (IsZero(f.id)) return absl::InvalidArgumentError("requestReferral.referralId: zero");
  f.case_id = case_id;
  f.service = r.getService();
  if (f.service == schema::ServiceType::UNKNOWN) {
    return absl::InvalidArgumentError("requestReferral.service: not set");
  }
  f.provider_id = IdFrom(r.getProviderId());
  if (!IsZero(f.provider_id)) {
    const ProviderInfo* p = directory.Find(f.provider_id);
    if (p == nullptr) {
      return absl::NotFoundError("requestReferral.providerId: not in the provider directory");
    }
    if (!p->Offers(f.service)) {
      return absl::FailedPreconditionError(
          absl::StrCat("requestReferral.providerId: the provider does not offer service '",
                       ServiceTypeName(f.service), "'"));
    }
  }
  f.requested_at = ctx.at;
  auto due = r.getDueBy();
  if (due.getYear() == 0 && due.getMonth() == 0 && due.getDay() == 0) {
    return absl::InvalidArgumentError("requestReferral.dueBy: not set");
  }
  TREEM_ASSIGN_OR_RETURN(f.due_by, core::MakeDate(due.getYear(), due.getMonth(), due.getDay(),
                                                  "requestReferral.dueBy"));
  if (f.due_by < LocalDate(ctx.at)) {
    return absl::InvalidArgumentError("requestReferral.dueBy: before the day of the request");
  }
  auto consent = r.getConsent();
  f.consent_given = consent.getGiven();
  f.consent_by = Str(consent.getGivenBy());
  f.consent_at = consent.getAt().getMicros();
  f.override_reason = Str(consent.getOverrideReason());
  if (f.consent_given) {
    if (f.consent_by.empty()) {
      return absl::InvalidArgumentError(
          "requestReferral.consent.givenBy: empty (say who consented: parent or carer)");
    }
    if (f.consent_at == 0) f.consent_at = ctx.at;
  } else if (f.override_reason.empty()) {
    return absl::FailedPreconditionError(
        "requestReferral.consent: no consent of the parent or carer and no override reason; "
        "record the consent, or an override with its reason");
  }
  f.re_referral_of = IdFrom(r.getReReferralOf());
  if (!IsZero(f.re_referral_of)) {
    if (re_referred == nullptr) {
      return absl::NotFoundError("requestReferral.reReferralOf: no such referral");
    }
    if (!IdEq{}(re_referred->case_id, case_id)) {
      return absl::InvalidArgumentError(
          "requestReferral.reReferralOf: the referral belongs to another case");
    }
    if (re_referred->status != ReferralStatus::DECLINED &&
        re_referred->status != ReferralStatus::REVOKED) {
      return absl::FailedPreconditionError(
          absl::StrCat("requestReferral.reReferralOf: the referral is '",
                       ReferralStatusName(re_referred->status),
                       "'; only a declined or revoked one is replaced"));
    }
  }
  f.status = ReferralStatus::REQUESTED;
  f.history.push_back({ReferralStatus::REQUESTED, ctx.at, ctx.actor, ""});
  return f;
}

absl::Status MoveReferral(ReferralFile& f, ReferralStatus to, std::string_view note,
                          const CommandContext& ctx) {
  const auto allowed = AllowedReferralMoves(f.status);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    std::vector<std::string> names;
    for (auto s : allowed) names.push_back(absl::StrCat("'", ReferralStatusName(s), "'"));
    return absl::FailedPreconditionError(absl::StrCat(
        "updateReferral.status: cannot move to '", ReferralStatusName(to), "' from status '",
        ReferralStatusName(f.status),
        "'; allowed: ", names.empty() ? "none (terminal)" : absl::StrJoin(names, ", ")));
  }
  if ((to == ReferralStatus::DECLINED || to == ReferralStatus::REVOKED) && note.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("updateReferral.note: a reason is required to ",
                     to == ReferralStatus::DECLINED ? "decline" : "revoke"));
  }
  if (!f.history.empty() && ctx.at < f.history.back().at) {
    return absl::InvalidArgumentError("updateReferral: command time before the last change");
  }
  f.status = to;
  f.history.push_back({to, ctx.at, ctx.actor, std::string(note)});
  if (f.Terminal()) f.outcome = std::string(note);
  return absl::OkStatus();
}

void WriteReferral(const ReferralFile& f, schema::Referral::Builder out) {
  SetId(out.initId(), f.id);
  SetId(out.initCaseId(), f.case_id);
  out.setService(f.service);
  SetId(out.initProviderId(), f.provider_id);
  out.initRequestedAt().setMicros(f.requested_at);
  auto due = out.initDueBy();
  due.setYear(static_cast<int16_t>(f.due_by.year()));
  due.setMonth(static_cast<uint8_t>(f.due_by.month()));
  due.setDay(static_cast<uint8_t>(f.due_by.day()));
  auto consent = out.initConsent();
  consent.setGiven(f.consent_given);
  consent.setGivenBy(f.consent_by);
  consent.initAt().setMicros(f.consent_at);
  consent.setOverrideReason(f.override_reason);
  out.setStatus(f.status);
  auto history = out.initHistory(static_cast<unsigned>(f.history.size()));
  for (unsigned i = 0; i < history.size(); ++i) {
    const auto& h = f.history[i];
    auto b = history[i];
    b.setStatus(h.status);
    b.initAt().setMicros(h.at);
    SetActor(b.initActor(), h.actor);
    b.setNote(h.note);
  }
  out.setOutcome(f.outcome);
  SetId(out.initReReferralOf(), f.re_referral_of);
}

}  // namespace treem::cases
