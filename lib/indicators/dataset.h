// Compact struct-of-arrays columns built once from a snapshot (schema::Snapshot), so that every
// indicator is computed by tight scans (issue 8: 20 million children in under a second).
// Each column is an indicators::Column: owned when built here, a view of the mapped file when
// read from a column file (ReadColumns).
//
//   auto ds = treem::indicators::BuildDataset(snapshot_reader, units);   // once
//   auto report = treem::indicators::Compute(*ds, request);              // many times
//
// Units: every record keeps the unit code it was recorded with (a "unit key": commune code,
// or commune + village, or a province code); keys are resolved onto the map of the report's
// date only in Compute, so one dataset serves reports on the old and on the new map.
// Work activities are classified here once (rules::PrepareActivity + ClassifyCompact with the
// rule set in force on each activity's date); invalid records are skipped and counted in
// `stats`, never fatal. Personal data is not kept beyond record ids (for provenance).
#ifndef TREEM_LIB_INDICATORS_DATASET_H_
#define TREEM_LIB_INDICATORS_DATASET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/admin_units.h"
#include "core/ids.h"
#include "indicators/column.h"
#include "rules/registry.h"
#include "treem/schema/commands.capnp.h"

namespace treem::indicators {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

// Bits of Dataset::p_roles.
enum RoleBit : uint8_t {
  kRoleEducationStaff = 1 << 0,
  kRoleParentCarer = 1 << 1,
  kRoleCommuneOfficial = 1 << 2,
  kRoleDistrictOfficial = 1 << 3,
  kRoleProvincialOfficial = 1 << 4,
};

// Bits of Dataset::a_cls besides the outcome (bits 0..2: rules::Outcome determined by rows that
// fired).
enum ActivityBit : uint8_t {
  kActSdgEconomic = 1 << 3,   // SDG 8.7.1 economic series: yes
  kActUndetermined = 1 << 4,  // an undetermined row could make the outcome worse (UNKNOWN_CODE)
};

// Activity kinds of funding lines (Dataset::g_kind).
enum class SpendKind : uint8_t {
  kCommunication = 0,
  kTraining = 1,
  kInspection = 2,
  kCaseServices = 3
};

struct DatasetStats {
  uint64_t persons = 0, activities = 0, activities_skipped = 0, activities_adult = 0;
  uint64_t cases = 0, referrals = 0, reach_unknown_person = 0, reach_unknown_org = 0;
  std::vector<std::string> notes;  // e.g. "workActivities[12]: skipped: hoursPerWeek: ..."
};

// Unit keys resolved on the map of one day (filled by Compute, shared by copies of a Dataset).
struct KeyResolution {
  std::vector<core::UnitIndex> leaf;  // per key; core::kNoUnit when not on the map
  std::vector<uint8_t> partial;       // per key: an old code split across several units
};
struct KeyResolutionCache;  // defined in compute.cc (thread-safe)
// Checksums of columns read from a column file but not verified yet: the record-id columns
// (p_id, a_id), which only provenance reads (columns.cc: VerifyDeferredColumns).
struct DeferredChecks;

struct Dataset {
  core::AdminUnits units;  // the registry keys are resolved with (a shared handle)
  std::shared_ptr<KeyResolutionCache> resolved;  // per map date; created by BuildDataset
  std::shared_ptr<DeferredChecks> deferred;      // null when every column is verified

  // Unit keys: commune (or province) code as recorded and the village code ("" if none).
  std::vector<std::string> key_code, key_village;

  // Persons (children and adults).
  Column<core::Uuid> p_id;
  Column<uint32_t> p_key;
  Column<uint32_t> p_birth;  // rules::PackYmd of the recorded birth date; 0 = unknown
  Column<uint32_t> p_death;  // PackYmd of deceasedOn; 0 = alive
  Column<uint8_t> p_sex;     // schema::Sex ordinal
  Column<uint8_t> p_ethnicity, p_poverty, p_residence;  // schema ordinals
  Column<uint8_t> p_roles;                              // RoleBit
  Column<uint8_t> p_school;                             // schema::SchoolAttendance ordinal

  // Work activities, classified.
  Column<core::Uuid> a_id;
  Column<uint32_t> a_person, a_day;  // person index, PackYmd of the judged date
  Column<uint8_t> a_cls;             // outcome | ActivityBit

  // Risk screens: person, day, level (rules.capnp RiskLevel ordinal: 0 low, 1 medium, 2 high).
  Column<uint32_t> k_person, k_day;
  Column<uint8_t> k_level;

  // Cases.
  Column<core::Uuid> c_id;
  Column<uint32_t> c_person, c_key;
  Column<uint8_t> c_kind;                                           // schema::CaseKind ordinal
  Column<int64_t> c_received, c_closed, c_assessed, c_in_progress;  // micros; 0 = never
  // Supported in time (cases::SupportedInTime) holds at instant t iff t <= c_in_time_until.
  Column<int64_t> c_in_time_until;
  // Legal deadlines: case, kind (schema::DeadlineKind), due, closed (0 = open), cancelled.
  Column<uint32_t> d_case;
  Column<uint8_t> d_kind, d_cancelled;
  Column<int64_t> d_started, d_due, d_closed;
  // Follow-up visits.
  Column<uint32_t> f_case;
  Column<int64_t> f_at;
  // Referrals: case, service, requested instant, due day, status history [h_begin, h_end).
  Column<core::Uuid> r_id;
  Column<uint32_t> r_case, r_due, r_hbegin, r_hend;
  Column<uint8_t> r_service, r_status;
  Column<int64_t> r_requested;
  Column<int64_t> h_at;
  Column<uint8_t> h_status;

  // Reach of persons and establishments by communication (kind 0) and training (kind 1).
  Column<uint32_t> re_person, re_from, re_to;
  Column<uint8_t> re_kind;
  Column<uint32_t> ro_est, ro_from, ro_to;
  Column<uint8_t> ro_kind;
  // Anonymous head counts.
  Column<uint32_t> hc_key, hc_day, hc_count;

  // Establishments.
  Column<core::Uuid> e_id;
  Column<uint32_t> e_key;
  Column<uint8_t> e_kind;  // schema::EstablishmentKind ordinal

  // Inspections.
  Column<core::Uuid> i_id;
  Column<uint32_t> i_key, i_day, i_findings;
  Column<uint8_t> i_sanction, i_parent, i_criminal;
  Column<int64_t> i_fine;

  // Commitments with their status history [mh_begin, mh_end) of (day, status).
  Column<core::Uuid> m_id;
  Column<uint32_t> m_key, m_signed, m_valid_to, m_hbegin, m_hend;
  Column<uint8_t> m_status;
  Column<uint32_t> mh_day;
  Column<uint8_t> mh_status;

  // Funding lines and case-plan service costs.
  Column<uint32_t> g_key, g_day;
  Column<uint8_t> g_kind, g_source;  // SpendKind, schema::FundingSource ordinal
  Column<int64_t> g_amount;

  std::vector<std::string> rule_sets;  // rule sets used to classify, "VN-LC2019@2026.1"
  DatasetStats stats;

  size_t person_count() const { return p_id.size(); }
};

struct DatasetOptions {
  const rules::RuleRegistry* registry = nullptr;  // null = rules::RuleRegistry::Default()
};

// An empty cache for Dataset::resolved (a Dataset filled by hand needs one, or none: Compute
// then resolves keys on every call).
std::shared_ptr<KeyResolutionCache> NewKeyResolutionCache();

// Builds the columns. Fails only on a broken snapshot (e.g. duplicate person ids).
absl::StatusOr<Dataset> BuildDataset(schema::Snapshot::Reader snapshot,
                                     const core::AdminUnits& units,
                                     const DatasetOptions& options = DatasetOptions());

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_DATASET_H_
