// Referrals to services and the directory of service providers (DOMAIN.md section 5).
//
// Lifecycle: requested -> accepted | declined | revoked; accepted -> inProgress | completed |
// revoked; inProgress -> completed | revoked. declined, completed and revoked are terminal; a
// declined or revoked referral is followed by a new referral naming it in `reReferralOf`.
// "Overdue" is derived: not terminal after the end of the local day of `dueBy`.
#ifndef TREEM_LIB_CASES_REFERRAL_H_
#define TREEM_LIB_CASES_REFERRAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cases/deadline_rules.h"
#include "core/date.h"
#include "core/ids.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/common.capnp.h"

namespace treem::cases {

using Id = core::Uuid;

// Hashing, equality and order on ids using only their two words.
struct IdHash {
  size_t operator()(const Id& id) const;
};
struct IdEq {
  bool operator()(const Id& a, const Id& b) const { return a.hi == b.hi && a.lo == b.lo; }
};
inline bool IdLess(const Id& a, const Id& b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
inline bool IsZero(const Id& id) { return id.hi == 0 && id.lo == 0; }
Id IdFrom(schema::Uuid::Reader r);
void SetId(schema::Uuid::Builder b, const Id& id);

// Who did something (common.capnp Actor).
struct ActorInfo {
  std::string user_id;
  schema::Role role = schema::Role::UNKNOWN;
  std::string unit_code;
};
ActorInfo ActorFrom(schema::Actor::Reader r);
void SetActor(schema::Actor::Builder b, const ActorInfo& a);

// The instant and author of a command (from the command envelope).
struct CommandContext {
  Micros at = 0;
  ActorInfo actor;
};

struct ProviderInfo {
  Id id{};
  std::string name;
  schema::ProviderKind kind = schema::ProviderKind::OTHER;
  std::string unit_code;
  std::vector<schema::ServiceType> services;
  std::string contact;

  bool Offers(schema::ServiceType s) const;
};

// The directory of service providers.
class ServiceDirectory {
 public:
  // Adds or replaces a provider. Refuses a zero id, an empty name or no services.
  absl::Status Put(schema::ServiceProvider::Reader p);
  absl::Status Put(ProviderInfo p);
  const ProviderInfo* Find(const Id& id) const;
  // Providers offering `service` in one of `unit_codes` (or with an empty unit: nationwide),
  // sorted by name. Callers pass the commune and its province to search both.
  std::vector<const ProviderInfo*> FindFor(schema::ServiceType service,
                                           const std::vector<std::string>& unit_codes) const;
  void Write(const ProviderInfo& p, schema::ServiceProvider::Builder out) const;
  size_t size() const { return providers_.size(); }

 private:
  absl::flat_hash_map<Id, ProviderInfo, IdHash, IdEq> providers_;
};

struct ReferralChange {
  schema::ReferralStatus status = schema::ReferralStatus::REQUESTED;
  Micros at = 0;
  ActorInfo actor;
  std::string note;
};

struct ReferralFile {
  Id id{};
  Id case_id{};
  schema::ServiceType service = schema::ServiceType::UNKNOWN;
  Id provider_id{};
  Micros requested_at = 0;
  core::Date due_by;
  bool consent_given = false;
  std::string consent_by;
  Micros consent_at = 0;
  std::string override_reason;
  schema::ReferralStatus status = schema::ReferralStatus::REQUESTED;
  std::vector<ReferralChange> history;
  std::string outcome;
  Id re_referral_of{};

  bool Terminal() const;
  // End of the local day of due_by.
  Micros DueAt() const;
  // Not terminal and past DueAt() at `at`.
  bool OverdueAt(Micros at) const;
};

// Statuses reachable from `from` (empty for terminal ones).
std::vector<schema::ReferralStatus> AllowedReferralMoves(schema::ReferralStatus from);

// Builds a referral from its request, checking consent, the provider and the due date.
// `re_referred` is the referral named in reReferralOf (nullptr when none or unknown).
absl::StatusOr<ReferralFile> NewReferral(const Id& case_id, schema::RequestReferral::Reader r,
                                         const CommandContext& ctx,
                                         const ServiceDirectory& directory,
                                         const ReferralFile* re_referred);
// Moves a referral along its lifecycle; refuses illegal moves naming the current status and
// the allowed ones.
absl::Status MoveReferral(ReferralFile& f, schema::ReferralStatus to, std::string_view note,
                          const CommandContext& ctx);

void WriteReferral(const ReferralFile& f, schema::Referral::Builder out);

}  // namespace treem::cases

#endif  // TREEM_LIB_CASES_REFERRAL_H_
