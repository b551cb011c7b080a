// Registry helpers of the fuzz targets: a registry in an in-memory file system with a
// deterministic clock, its canonical state, and the persistence invariant (what a registry
// holds comes back identical after a reopen, i.e. journal replay, and after a checkpoint,
// i.e. snapshot load).
#ifndef TREEM_TESTS_FUZZ_REGISTRY_FUZZ_UTIL_H_
#define TREEM_TESTS_FUZZ_REGISTRY_FUZZ_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

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
