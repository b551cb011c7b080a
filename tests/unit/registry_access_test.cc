// Registry access scopes and the audit trail (DOMAIN.md section 7; docs/registry.md): role x
// operation refusals with clear errors, refusals and personal reads journaled, record history,
// provinces and the 2025 reform lineage with the official unit lists.
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "capnp/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/access.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/units.capnp.h"
#include "unit/registry_fixtures.h"
#include "unit/temp_dir.h"

namespace treem::registry {
namespace {

using schema::RecordKind;
using schema::Role;
using ::testing::HasSubstr;

using ::treem::test_util::TempDir;

core::Uuid Id(uint64_t n) {
  return core::Uuid{0x5000000000004000ULL + n, 0x8000000000000000ULL | n};
}
void SetUuid(schema::Uuid::Builder b, core::Uuid id) {
  b.setHi(id.hi);
  b.setLo(id.lo);
}

const Actor kWorker{"worker-1", Role::COMMUNE_WORKER, "15865"};
const Actor kChair{"chair-1", Role::COMMUNE_CHAIR, "15865"};
const Actor kOtherWorker{"worker-9", Role::COMMUNE_WORKER, "15001"};
const Actor kAnalyst{"analyst-1", Role::ANALYST, "38"};
const Actor kAuditor{"auditor-1", Role::AUDITOR, "38"};
const Actor kInspector{"insp-1", Role::INSPECTOR, "15865"};
const Actor kProvince{"prov-1", Role::PROVINCE_OFFICER, "38"};
const Actor kOtherProvince{"prov-2", Role::PROVINCE_OFFICER, "01"};
const Actor kSystem{"sys", Role::SYSTEM, ""};

class Cmd {
 public:
  explicit Cmd(const Actor& a) {
    auto c = mb_.initRoot<schema::Command>();
    auto actor = c.initActor();
    actor.setUserId(a.user_id);
    actor.setRole(a.role);
    actor.setUnitCode(a.unit_code);
    c.setSource(schema::DataSource::API);
  }
  schema::Command::Payload::Builder payload() {
    return mb_.getRoot<schema::Command>().initPayload();
  }
  schema::Command::Reader reader() { return mb_.getRoot<schema::Command>().asReader(); }

 private:
  capnp::MallocMessageBuilder mb_;
};

// A province store (Thanh Hóa, 38) with two communes known through loaded units.
class RegistryAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegistryOptions o;
    o.scope = {"38"};
    o.sync = store::SyncPolicy::kOff;
    auto r = Registry::Create(tmp_.Sub("reg"), o);
    ASSERT_TRUE(r.ok()) << r.status();
    reg_ = *std::move(r);
    ASSERT_TRUE(test_util::LoadTwoCommunes(*reg_).ok());
    ASSERT_TRUE(Person(Id(1), "15865", kWorker).ok());
    ASSERT_TRUE(Person(Id(2), "15001", kOtherWorker).ok());
  }

  absl::StatusOr<ApplyResult> Person(core::Uuid id, std::string unit, const Actor& by) {
    Cmd c(by);
    auto p = c.payload().initUpsertPerson();
    SetUuid(p.initId(), id);
    p.setFullName("Trần Thị B");
    p.setCommuneCode(unit);
    auto r = reg_->Apply(c.reader());
    return r;
  }

  // The audit entries of a record, as the system sees them.
  std::vector<std::string> Changes(core::Uuid id) {
    capnp::MallocMessageBuilder mb;
    auto h = mb.initRoot<schema::RecordHistory>();
    absl::Status s = reg_->History(kSystem, RecordKind::PERSON, id, h);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::string> out;
    for (auto e : h.getEntries()) {
      std::string c = e.getChange().cStr();
      if (e.hasAccess() && e.getAccess().getRefused()) c += "(refused)";
      out.push_back(c + "@" + e.getActor().getUserId().cStr());
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<Registry> reg_;
};

TEST_F(RegistryAccessTest, CommuneRolesSeeOnlyTheirCommune) {
  EXPECT_TRUE(reg_->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
  auto other = reg_->Get(kWorker, RecordKind::PERSON, Id(2), serde::Format::kJson);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(
      std::string(other.status().message()),
      HasSubstr("role communeWorker of unit 15865 may not read person records of unit 15001"));
  // Writing a record of another commune, or moving one there, is refused too.
  auto w = Person(Id(2), "15001", kWorker);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kPermissionDenied);
  auto move = Person(Id(1), "15001", kWorker);
  EXPECT_EQ(move.status().code(), absl::StatusCode::kPermissionDenied);
  // Lists hold only the actor's records.
  capnp::MallocMessageBuilder mb;
  auto snap = mb.initRoot<schema::Snapshot>();
  ASSERT_TRUE(reg_->List(kWorker, RecordKind::PERSON, snap).ok());
  ASSERT_EQ(snap.getPersons().size(), 1u);
  EXPECT_EQ(snap.getPersons()[0].getId().getLo(), Id(1).lo);
}

TEST_F(RegistryAccessTest, ProvinceOfficersSeeTheirProvinceOnly) {
  EXPECT_TRUE(reg_->Get(kProvince, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
  EXPECT_TRUE(reg_->Get(kProvince, RecordKind::PERSON, Id(2), serde::Format::kJson).ok());
  EXPECT_EQ(
      reg_->Get(kOtherProvince, RecordKind::PERSON, Id(1), serde::Format::kJson).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Person(Id(3), "15001", kProvince).ok());
}

TEST_F(RegistryAccessTest, AnalystsAndAuditorsReadNoPersonalRecords) {
  auto a = reg_->Get(kAnalyst, RecordKind::PERSON, Id(1), serde::Format::kJson);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(a.status().message()),
              HasSubstr("role analyst may not read personal records (person)"));
  EXPECT_EQ(Person(Id(5), "15865", kAnalyst).status().code(), absl::StatusCode::kPermissionDenied);
  auto au = reg_->Get(kAuditor, RecordKind::PERSON, Id(1), serde::Format::kJson);
  EXPECT_EQ(au.status().code(), absl::StatusCode::kPermissionDenied);
  // The auditor reads the audit trail.
  capnp::MallocMessageBuilder mb;
  auto h = mb.initRoot<schema::RecordHistory>();
  EXPECT_TRUE(reg_->History(kAuditor, RecordKind::PERSON, Id(1), h).ok());
  EXPECT_GE(h.getEntries().size(), 1u);
  // A commune worker does not.
  capnp::MallocMessageBuilder mb2;
  EXPECT_EQ(reg_->History(kWorker, RecordKind::PERSON, Id(1), mb2.initRoot<schema::RecordHistory>())
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryAccessTest, InspectorsSeeWorkRecordsNotPersons) {
  EXPECT_EQ(reg_->Get(kInspector, RecordKind::PERSON, Id(1), serde::Format::kJson).status().code(),
            absl::StatusCode::kPermissionDenied);
  Cmd e(kInspector);
  auto est = e.payload().initUpsertEstablishment();
  SetUuid(est.initId(), Id(20));
  est.setCommuneCode("15865");
  est.setKind(schema::EstablishmentKind::HOUSEHOLD_BUSINESS);
  ASSERT_TRUE(reg_->Apply(e.reader()).ok());
  EXPECT_TRUE(reg_->Get(kInspector, RecordKind::ESTABLISHMENT, Id(20), serde::Format::kJson).ok());
}

TEST_F(RegistryAccessTest, ReadsAndRefusalsAreInTheAuditTrail) {
  ASSERT_TRUE(reg_->Get(kWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
  ASSERT_FALSE(reg_->Get(kAnalyst, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
  ASSERT_FALSE(reg_->Get(kOtherWorker, RecordKind::PERSON, Id(1), serde::Format::kJson).ok());
  ASSERT_TRUE(Person(Id(1), "15865", kChair).ok());
  EXPECT_EQ(Changes(Id(1)),
            (std::vector<std::string>{"upsertPerson@worker-1", "recordAccess@worker-1",
                                      "recordAccess(refused)@analyst-1",
                                      "recordAccess(refused)@worker-9", "upsertPerson@chair-1"}));
  // The history survives a checkpoint (journal compaction) and names time and source.
  ASSERT_TRUE(reg_->Checkpoint().ok());
  capnp::MallocMessageBuilder mb;
  auto h = mb.initRoot<schema::RecordHistory>();
  ASSERT_TRUE(reg_->History(kAuditor, RecordKind::PERSON, Id(1), h).ok());
  ASSERT_EQ(h.getEntries().size(), 5u);
  EXPECT_EQ(h.getEntries()[0].getSource(), schema::DataSource::API);
  EXPECT_GT(h.getEntries()[0].getAt().getMicros(), 0);
  EXPECT_LT(h.getEntries()[0].getSeq(), h.getEntries()[4].getSeq());
  EXPECT_THAT(std::string(h.getEntries()[2].getAccess().getReason().cStr()),
              HasSubstr("role analyst may not read personal records"));
}

TEST(RegistryAccessPolicyTest, ActorsMustBeCompleteAndFitTheirRole) {
  EXPECT_THAT(std::string(CheckActor({"", Role::COMMUNE_WORKER, "15865"}, "actor").message()),
              HasSubstr("actor.userId: required"));
  EXPECT_THAT(std::string(CheckActor({"u", Role::UNKNOWN, "15865"}, "actor").message()),
              HasSubstr("actor.role"));
  EXPECT_THAT(std::string(CheckActor({"u", Role::COMMUNE_WORKER, "38"}, "actor").message()),
              HasSubstr("needs a 5-digit commune code"));
  EXPECT_THAT(std::string(CheckActor({"u", Role::PROVINCE_OFFICER, "15865"}, "actor").message()),
              HasSubstr("needs a 2-digit province code"));
  EXPECT_TRUE(CheckActor({"u", Role::SYSTEM, ""}, "actor").ok());
  // The matrix in docs/registry.md, spot-checked both ways.
  EXPECT_TRUE(RolePermits({"u", Role::ANALYST, "38"}, Op::kRead, RecordKind::PROGRAMME_PLAN).ok());
  EXPECT_FALSE(RolePermits({"u", Role::ANALYST, "38"}, Op::kRead, RecordKind::CASE).ok());
  EXPECT_FALSE(RolePermits({"u", Role::INSPECTOR, "38"}, Op::kWrite, RecordKind::CASE).ok());
  EXPECT_TRUE(RolePermits({"u", Role::INSPECTOR, "38"}, Op::kWrite, RecordKind::INSPECTION).ok());
  EXPECT_FALSE(RolePermits({"u", Role::AUDITOR, "38"}, Op::kRead, RecordKind::ESTABLISHMENT).ok());
  EXPECT_TRUE(RolePermits({"u", Role::AUDITOR, "38"}, Op::kHistory, RecordKind::PERSON).ok());
}

TEST(RegistryUnitsTest, OfficialListsGiveProvincesAndTheReformLineage) {
  const std::string dir = std::string(TREEM_SHARED_DIR) + "/data/admin-units";
  if (!std::filesystem::exists(dir + "/units-before-2025-07-01.csv")) {
    GTEST_SKIP() << "shared/ data absent: " << dir;
  }
  auto units = core::AdminUnits::LoadDirectory(dir);
  ASSERT_TRUE(units.ok()) << units.status();
  UnitMap map(*units, core::Date(2025, 9, 1));
  EXPECT_TRUE(map.Covers("38", "15865"));
  EXPECT_TRUE(map.Covers("38", "15928"));     // pre-reform Hoằng Đức in Thanh Hóa
  EXPECT_TRUE(map.Covers("15865", "15928"));  // merged into Hoằng Hóa
  EXPECT_FALSE(map.Covers("01", "15865"));
  EXPECT_FALSE(map.Covers("15928", "15865"));
  EXPECT_TRUE(map.CheckCode("15865", "unitCode").ok());
  EXPECT_THAT(std::string(map.CheckCode("99999", "unitCode").message()),
              HasSubstr("unitCode: unit '99999' is not in the official lists"));
}

}  // namespace
}  // namespace treem::registry
