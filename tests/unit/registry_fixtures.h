// Shared pieces of the registry tests: commands with their envelope, ids, and a province
// register (Thanh Hóa, 38) that knows two of its communes through loaded units.
#ifndef TREEM_TESTS_UNIT_REGISTRY_FIXTURES_H_
#define TREEM_TESTS_UNIT_REGISTRY_FIXTURES_H_

#include <cstdint>

#include "capnp/message.h"
#include "core/ids.h"
#include "registry/registry.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/units.capnp.h"

namespace treem::test_util {

inline void SetUuid(schema::Uuid::Builder b, core::Uuid id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}

// A command under construction with its envelope (actor, source api) filled.
class Cmd {
 public:
  explicit Cmd(const registry::Actor& a) {
    auto c = mb_.initRoot<schema::Command>();
    auto actor = c.initActor();
    actor.setUserId(a.user_id);
    actor.setRole(a.role);
    actor.setUnitCode(a.unit_code);
    c.setSource(schema::DataSource::API);
  }
  schema::Command::Builder get() { return mb_.getRoot<schema::Command>(); }
  schema::Command::Payload::Builder payload() { return get().initPayload(); }
  schema::Command::Reader reader() { return get().asReader(); }

 private:
  capnp::MallocMessageBuilder mb_;
};

// Loads province 38 and its communes 15865 and 15001 (as system) into a register.
inline absl::Status LoadTwoCommunes(registry::Registry& r) {
  Cmd units(registry::Actor{"sys", schema::Role::SYSTEM, ""});
  auto list = units.payload().initLoadUnits().initUnits(3);
  list[0].setCode("38");
  list[0].setLevel(schema::AdminLevel::PROVINCE);
  for (unsigned i : {1u, 2u}) {
    list[i].setCode(i == 1 ? "15865" : "15001");
    list[i].setLevel(schema::AdminLevel::COMMUNE);
    list[i].setParentCode("38");
    list[i].setProvinceCode("38");
  }
  return r.Apply(units.reader()).status();
}

}  // namespace treem::test_util

#endif  // TREEM_TESTS_UNIT_REGISTRY_FIXTURES_H_
