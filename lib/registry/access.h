// Access policy of the registry (DOMAIN.md section 7; docs/registry.md has the matrix): which
// role may do what with which kind of record, and which admin units contain which.
#ifndef TREEM_LIB_REGISTRY_ACCESS_H_
#define TREEM_LIB_REGISTRY_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "cases/referral.h"
#include "core/admin_units.h"
#include "core/date.h"
#include "treem/schema/commands.capnp.h"

namespace treem::registry {

enum class Op { kRead, kWrite, kHistory, kExport, kQuery, kVerdict };

const char* OpVerb(Op op);  // "read", "write", ...

// Kinds whose records identify or describe persons (children, carers, households, case
// files, and the activities, screenings, inspections and events that name them).
bool IsPersonalKind(schema::RecordKind kind);

// The role-by-operation-by-kind matrix, before any unit check. PermissionDenied reads e.g.
// "role analyst may not read personal records (person)".
absl::Status RolePermits(const cases::ActorInfo& actor, Op op, schema::RecordKind kind);

// Checks the actor's identity fields: a user id, a known role, and a unit code whose level
// fits the role (commune roles a commune, provinceOfficer a province; system may have none).
absl::Status CheckActor(const cases::ActorInfo& actor, std::string_view field);

// Which admin units contain which: equality, provinces (official lists, else units loaded
// into the store), and the 2025 reform lineage (official lists only).
class UnitMap {
 public:
  UnitMap(std::optional<core::AdminUnits> official, core::Date today);

  // Adds what a loaded AdminUnit says (its province and parent).
  void Learn(std::string_view code, std::string_view parent_code, std::string_view province_code);
  // True when `outer` is `inner` or contains it (now or when `inner` was valid).
  bool Covers(std::string_view outer, std::string_view inner) const;
  // The code has the shape of a unit code and (with official lists) exists.
  absl::Status CheckCode(std::string_view code, std::string_view field) const;
  bool has_official() const { return official_.has_value(); }

 private:
  const std::vector<std::string>& Containers(std::string_view code) const;

  std::optional<core::AdminUnits> official_;
  core::Date today_;
  absl::flat_hash_map<std::string, std::vector<std::string>> learned_;
  mutable absl::flat_hash_map<std::string, std::vector<std::string>> cache_;
};

}  // namespace treem::registry

#endif  // TREEM_LIB_REGISTRY_ACCESS_H_
