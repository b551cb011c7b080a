// Generic checks of a schema message before it is stored: every enum field holds a known
// enumerant and every Date is a calendar date or unset, recursively, with the path of the
// field in the error ("upsertPerson.school.droppedOutOn: not a calendar date").
#ifndef TREEM_LIB_REGISTRY_SCHEMA_CHECK_H_
#define TREEM_LIB_REGISTRY_SCHEMA_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "capnp/dynamic.h"
#include "core/date.h"
#include "treem/schema/common.capnp.h"

namespace treem::registry {

// Walks `message` (set fields only; the active union member only). Exceptions from reading
// malformed data become kInvalidArgument.
absl::Status CheckMessage(capnp::DynamicStruct::Reader message, std::string_view path);

// A schema Date: nullopt when unset (all zero), else the date (kInvalidArgument naming
// `field` when it is not a calendar date).
absl::StatusOr<std::optional<core::Date>> ReadDate(schema::Date::Reader d, std::string_view field);
void WriteDate(schema::Date::Builder b, core::Date d);

}  // namespace treem::registry

#endif  // TREEM_LIB_REGISTRY_SCHEMA_CHECK_H_
