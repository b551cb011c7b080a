// Registry helpers of the fuzz targets: a registry in an in-memory file system with a
// deterministic clock, its canonical state, and the persistence invariant (what a registry
// holds comes back identical after a reopen, i.e. journal replay, and after a checkpoint,
// i.e. snapshot load).
#ifndef TREEM_TESTS_FUZZ_REGISTRY_FUZZ_UTIL_H_
#define TREEM_TESTS_FUZZ_REGISTRY_FUZZ_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "capnp/any.h"
#include "capnp/dynamic.h"
#include "capnp/message.h"
#include "fuzz/fuzz_util.h"
#include "kj/exception.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "unit/fault_fs.h"

namespace treem::fuzz {

inline constexpr char kRegistryDir[] = "/registry";
inline constexpr int64_t kFuzzEpochMicros = int64_t{1767225600} * 1000000;  // 2026-01-01

// Any unit (national store), sync off, the clock ticking one second per call from 2026-01-01
// (after every command of the demo commune, which the seeds replay).
inline registry::RegistryOptions FuzzRegistryOptions(store::Fs* fs) {
  registry::RegistryOptions o;
  o.sync = store::SyncPolicy::kOff;
  o.fs = fs;
  auto now = std::make_shared<int64_t>(kFuzzEpochMicros);
  o.clock = [now] { return *now += 1000000; };
  return o;
}

// The canonical bytes of the whole state.
inline std::string StateBytes(const registry::Registry& r) {
  capnp::MallocMessageBuilder mb;
  auto s = mb.initRoot<schema::Snapshot>();
  if (absl::Status st = r.Snapshot(s); !st.ok()) FuzzFail("Registry::Snapshot", st);
  absl::StatusOr<std::string> c = serde::Canonical<schema::Snapshot>(s.asReader());
  if (!c.ok()) FuzzFail("canonical snapshot", c.status());
  return *c;
}

// Closes `r`, reopens it (journal replay), checkpoints, reopens again (snapshot load): the
// state must come back identical each time. Leaves `r` open.
inline void CheckPersistence(std::unique_ptr<registry::Registry>& r,
                             const registry::RegistryOptions& options) {
  const std::string state = StateBytes(*r);
  r.reset();
  absl::StatusOr<std::unique_ptr<registry::Registry>> reopened =
      registry::Registry::Open(kRegistryDir, options);
  if (!reopened.ok()) FuzzFail("reopening (journal replay)", reopened.status());
  r = *std::move(reopened);
  if (StateBytes(*r) != state) FuzzFail("journal replay gave another state");
  absl::StatusOr<uint64_t> covered = r->Checkpoint();
  if (!covered.ok()) FuzzFail("checkpoint", covered.status());
  r.reset();
  reopened = registry::Registry::Open(kRegistryDir, options);
  if (!reopened.ok()) FuzzFail("reopening (snapshot load)", reopened.status());
  r = *std::move(reopened);
  if (StateBytes(*r) != state) FuzzFail("snapshot load gave another state");
}

// The probe command of the known-bug probes of the registry targets: a system actor upserting
// the person 40000000-0000-4000-8000-000000000001 (plus `id_offset` in the high word) of
// commune 15865.
inline void FillProbeCommand(schema::Command::Builder c, uint64_t id_offset = 0) {
  auto actor = c.initActor();
  actor.setUserId("probe");
  actor.setRole(schema::Role::SYSTEM);
  c.setSource(schema::DataSource::API);
  auto p = c.initPayload().initUpsertPerson();
  p.initId().setHi(0x4000000000004000ULL + id_offset);
  p.getId().setLo(0x8000000000000001ULL);
  p.setFullName("probe");
  p.setCommuneCode("15865");
}

// Points the Text field `field` of `s` (a struct of type T) to a list of words: a message that
// still decodes, but whose field throws when read.
template <typename T>
void MakeTextUnreadable(capnp::AnyStruct::Builder s, kj::StringPtr field) {
  const capnp::StructSchema::Field f = capnp::Schema::from<T>().getFieldByName(field);
  s.getPointerSection()[f.getProto().getSlot().getOffset()].initAsAnyList(
      capnp::ElementSize::EIGHT_BYTES, 1);
}

// Reads every field of `value` (the set union member, every list element, every text and
// data) as its schema says; false when a pointer does not match its type (a decodable message
// may hold, say, a list of words where a Text is expected: reading it throws).
inline bool FullyReadable(capnp::DynamicValue::Reader value, int depth = 0) {
  if (depth > 64) return true;
  try {
    switch (value.getType()) {
      case capnp::DynamicValue::STRUCT: {
        capnp::DynamicStruct::Reader s = value.as<capnp::DynamicStruct>();
        for (capnp::StructSchema::Field f : s.getSchema().getNonUnionFields()) {
          if ((f.getProto().isGroup() || s.has(f)) && !FullyReadable(s.get(f), depth + 1))
            return false;
        }
        KJ_IF_MAYBE (f, s.which()) {
          if (((*f).getProto().isGroup() || s.has(*f)) && !FullyReadable(s.get(*f), depth + 1)) {
            return false;
          }
        }
        return true;
      }
      case capnp::DynamicValue::LIST:
        for (capnp::DynamicValue::Reader e : value.as<capnp::DynamicList>()) {
          if (!FullyReadable(e, depth + 1)) return false;
        }
        return true;
      case capnp::DynamicValue::TEXT:
        (void)value.as<capnp::Text>().size();
        return true;
      case capnp::DynamicValue::DATA:
        (void)value.as<capnp::Data>().size();
        return true;
      default:
        return true;
    }
  } catch (const kj::Exception&) {
    return false;
  }
}

}  // namespace treem::fuzz

#endif  // TREEM_TESTS_FUZZ_REGISTRY_FUZZ_UTIL_H_
