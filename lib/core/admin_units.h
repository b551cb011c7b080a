// Administrative units of Vietnam, effective-dated, with the lineage of the 1 July 2025 reform.
//
// Before 2025-07-01 there were three tiers: province (2-digit code), district (3 digits) and
// commune (5 digits). From 2025-07-01 there are two: province (2 digits) and commune (5 digits);
// districts are abolished. Codes are reused across the reform (a new province keeps the code of
// the old province hosting its seat; many new communes keep the code of one predecessor), so a
// code alone does not identify a unit: a code plus a date does. Every unit is therefore stored
// as one or more *versions*, each valid over a closed date interval, and versions are linked by
// lineage (predecessor -> successor, whole or partial). See docs/admin-units.md.
//
// The registry is loaded from the three official files (DOMAIN.md section 8, RD-8):
//   units-before-2025-07-01.csv    the pre-reform province/district/commune list (GSO);
//   conversion-2025-07-01.csv      the official old -> new commune conversion table;
//   communes-from-2025-07-01.json  the post-reform commune list.
// Irregularities in these files are handled explicitly and reported in a LoadReport.
//
// An AdminUnits object is an immutable, cheaply copyable handle (shared, read-only data): it is
// safe to query from many threads. Every std::string_view returned by it points into that shared
// data and stays valid as long as any AdminUnits handle to the same data is alive.
#ifndef TREEM_LIB_CORE_ADMIN_UNITS_H_
#define TREEM_LIB_CORE_ADMIN_UNITS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/date.h"

namespace treem::core {

// The tier of a unit. kVillage (thôn, tổ dân phố) is not an administrative tier; callers may add
// villages inside a commune (VillageSpec) so that records can be rolled up from them.
enum class UnitLevel : uint8_t { kProvince = 0, kDistrict = 1, kCommune = 2, kVillage = 3 };
// "province", "district", "commune", "village".
const char* UnitLevelName(UnitLevel level);

// Dense index of one unit *version*: 0 .. AdminUnits::size()-1. Stable for the same input files
// and villages; not stable across different editions of the files.
using UnitIndex = uint32_t;
inline constexpr UnitIndex kNoUnit = 0xFFFFFFFFu;

// 2025-07-01, the first day of the two-tier map.
Date ReformDate();

// Where a unit version comes from.
enum class UnitSource : uint8_t {
  kBeforeList = 0,    // units-before-2025-07-01.csv
  kCommunesList = 1,  // communes-from-2025-07-01.json
  kConversion = 2,    // post-reform provinces: code and name from the conversion table / json
  kCaller = 3,        // villages added by the caller
};

// A read-only view of one unit version.
struct UnitVersion {
  UnitIndex index = kNoUnit;
  std::string_view code;          // "38", "399", "15928", village "15865-0012"
  std::string_view name;          // Vietnamese, UTF-8 NFC, whitespace normalised
  std::string_view english_name;  // empty when the list has none
  std::string_view kind;  // "Tỉnh", "Thành phố", "Huyện", "Quận", "Thị xã", "Xã",
                          // "Phường", "Thị trấn", "Đặc khu"; empty if unknown and
                          // for villages
  UnitLevel level = UnitLevel::kProvince;
  UnitIndex parent = kNoUnit;  // the containing version (kNoUnit for provinces)
  std::string_view parent_code;
  Date valid_from;               // first day (inclusive)
  std::optional<Date> valid_to;  // last day (inclusive); nullopt = still valid
  UnitSource source = UnitSource::kBeforeList;

  bool ValidOn(Date d) const { return d >= valid_from && (!valid_to || d <= *valid_to); }
};

// One lineage edge seen from a unit: the other end, whether only part of the predecessor went
// into the successor, and the conversion table's note ("Nhập toàn bộ", "Nhập một phần", ...).
struct LineageLink {
  UnitVersion unit;
  bool partial = false;
  std::string_view note;  // whitespace-normalised note; "" for derived province links
  int source_line = 0;    // line of the conversion table; 0 for derived links
};

struct UnitLineage {
  UnitVersion unit;
  std::vector<LineageLink> predecessors;
  std::vector<LineageLink> successors;
};

// A unit containing (or absorbing) another on a date.
struct Containment {
  UnitVersion unit;
  // True when only part of the queried unit lies in `unit` (a partial merge, or a split
  // across several units).
  bool partial = false;
  // True when `unit` was reached through lineage (the queried unit no longer existed on the
  // date), false when it is an ancestor in the hierarchy of that day.
  bool via_lineage = false;
};

struct LevelCounts {
  int provinces = 0;
  int districts = 0;
  int communes = 0;
  int villages = 0;
};

// A village (thôn / tổ dân phố) added by the caller. Its code is the 5-digit code of its commune,
// '-', and 1 to 6 digits ("15865-12"); the commune is the version of that code valid on
// valid_from. Without valid_from/valid_to the village spans that commune version.
struct VillageSpec {
  std::string code;
  std::string name;
  std::optional<Date> valid_from;  // nullopt: from the commune version's first day
  std::optional<Date> valid_to;    // nullopt: to the commune version's last day
  // When valid_from is nullopt, which commune version: the one valid on this date, or the
  // latest version of the code when this is also nullopt.
  std::optional<Date> commune_on;
};

// The contents of the three official files, with the names used in error messages.
struct AdminUnitsSources {
  std::string_view before_csv;
  std::string_view conversion_csv;
  std::string_view communes_json;
  std::string before_name = "units-before-2025-07-01.csv";
  std::string conversion_name = "conversion-2025-07-01.csv";
  std::string communes_name = "communes-from-2025-07-01.json";
};

struct AdminUnitsOptions {
  // First day covered by the pre-reform list. The GSO list is a snapshot without creation
  // dates, so every pre-reform version is assumed valid from this day to 2025-06-30; queries
  // for earlier days fail with kOutOfRange. Default: 2004-07-08 (Decision 124/2004/QĐ-TTg on
  // the unit code list).
  Date coverage_from = Date(2004, 7, 8);
  std::vector<VillageSpec> villages;
};

// Everything irregular met while loading, counted, with one line per occurrence.
struct LoadReport {
  enum class Kind : uint8_t {
    kBlankRow = 0,            // a CSV row with no content, skipped
    kTextNormalised,          // a name/note with extra, leading, trailing or embedded
                              // line-break whitespace, or a lower-case kind ("xã Bắc Sơn")
    kDecomposedUnicode,       // conversion-table text in NFD (combining marks); compared
                              // after folding, never stored
    kDistrictWithoutCommune,  // pre-reform row for a district with no commune (islands)
    kSeparatorRow,            // conversion-table province heading row, skipped
    kOldCodeRepaired,         // conversion row's old code contradicted its old name; the name
                              // matched exactly one commune of the same district: code fixed
    kOldNameDiffers,          // old name in the conversion table differs from the list; the
                              // code was kept
    kOldCodeUnknown,          // old code neither in the list nor repairable: row not used
    kOldDistrictDiffers,      // conversion row's old district/province disagrees with the list
    kDistrictToCommune,       // old district turned whole into a commune-level unit (đặc khu)
    kAreaWithoutCode,         // a territory without a commune code merged into a new commune
    kNewNameDiffers,          // new commune name differs between the table and the json list
    kUnrecognisedNote,        // note not recognised; treated as a partial merge
    kWholeAndPartialMix,      // an old commune with a "whole" link and other links
    kNoSuccessor,             // pre-reform commune absent from the conversion table
    kNoPredecessor,           // post-reform commune absent from the conversion table
    kNotInCommunesList,       // new commune only in the conversion table: taken from there
    kUnknownKind,             // kind of unit not recognised from its name
  };
  struct Item {
    Kind kind;
    std::string file;
    int line = 0;  // 0 when not tied to a line
    std::string detail;
  };
  std::vector<Item> items;

  int Count(Kind kind) const;
  static const char* KindName(Kind kind);  // "blank_row", "old_code_repaired", ...
};

class AdminUnits {
 public:
  // An empty registry (no units); every query fails with kNotFound.
  AdminUnits();

  // Loads from the three files in `dir` (the official names, see AdminUnitsSources).
  [[nodiscard]] static absl::StatusOr<AdminUnits> LoadDirectory(
      std::string_view dir, const AdminUnitsOptions& options = AdminUnitsOptions());
  // Loads from three file paths.
  [[nodiscard]] static absl::StatusOr<AdminUnits> LoadFiles(
      std::string_view before_csv_path, std::string_view conversion_csv_path,
      std::string_view communes_json_path, const AdminUnitsOptions& options = AdminUnitsOptions());
  // Loads from the contents of the files. Errors read
  // "<file>: line L, column C (<header>): <reason>" (kInvalidArgument).
  [[nodiscard]] static absl::StatusOr<AdminUnits> LoadContents(
      const AdminUnitsSources& sources, const AdminUnitsOptions& options = AdminUnitsOptions());

  // True when both handles share the same loaded data (copies of one handle).
  bool SharesData(const AdminUnits& other) const { return data_ == other.data_; }

  // A new registry with these villages added (this one is unchanged). Indices of the existing
  // versions are kept; villages get the next indices.
  [[nodiscard]] absl::StatusOr<AdminUnits> WithVillages(
      std::span<const VillageSpec> villages) const;

  // ---- queries (codes are validated; unknown codes give kNotFound; dates before coverage
  // give kOutOfRange; a known code without a version on that day gives kNotFound) ----

  // The version of `code` valid on `on`.
  [[nodiscard]] absl::StatusOr<UnitVersion> Find(std::string_view code, Date on) const;
  [[nodiscard]] absl::StatusOr<UnitIndex> FindIndex(std::string_view code, Date on) const;
  // All versions of a code, oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<UnitVersion>> Versions(std::string_view code) const;

  // Which units contain the (old) unit `old_code` on `on`. The code is read as a legacy code:
  // its version valid on 2025-06-30 when it has one, else its version valid on `on`.
  //  - if that version is valid on `on`: its ancestors, nearest first (a pre-reform commune on
  //    a pre-reform day gives its district and its province);
  //  - if it ended before `on`: the units its lineage led to that are valid on `on` (a merged
  //    commune gives the new commune; a split commune gives every new commune it went into,
  //    each with partial = true), then their provinces (partial when the units reached lie in
  //    more than one province). A unit without successor links (a district) gives the
  //    provinces that received its children;
  //  - if it started after `on`: kOutOfRange.
  [[nodiscard]] absl::StatusOr<std::vector<Containment>> ContainingUnitOn(std::string_view old_code,
                                                                          Date on) const;
  // The same, with the code read as it was on `code_date` (the day the record was made).
  [[nodiscard]] absl::StatusOr<std::vector<Containment>> ContainingUnitOn(std::string_view code,
                                                                          Date code_date,
                                                                          Date on) const;
  [[nodiscard]] absl::StatusOr<std::vector<Containment>> ContainingUnitOn(UnitIndex unit,
                                                                          Date on) const;

  // The units of `level` under the unit `parent_code` (normally a province) on `on`, ordered
  // by code: the old map before 2025-07-01, the new one from that day. Asking for districts on
  // a day without districts, or for a level not below the parent's, is kInvalidArgument.
  [[nodiscard]] absl::StatusOr<std::vector<UnitVersion>> UnitsUnder(std::string_view parent_code,
                                                                    Date on, UnitLevel level) const;

  // The province of the unit `code` valid on `on` (no lineage is followed: for an old code
  // after the reform use ContainingUnitOn).
  [[nodiscard]] absl::StatusOr<UnitVersion> ProvinceOf(std::string_view code, Date on) const;

  // Predecessors and successors of the version of `code` valid on `on`.
  [[nodiscard]] absl::StatusOr<UnitLineage> Lineage(std::string_view code, Date on) const;
  [[nodiscard]] absl::StatusOr<UnitLineage> Lineage(UnitIndex unit) const;

  // Number of unit versions valid on `on`, per level (kOutOfRange before coverage).
  [[nodiscard]] absl::StatusOr<LevelCounts> CountsOn(Date on) const;

  // ---- dense indices, for callers building columns ----
  size_t size() const;
  [[nodiscard]] absl::StatusOr<UnitVersion> At(UnitIndex unit) const;
  // O(1); kNoUnit when `unit` is out of range or has no parent / no ancestor at that level.
  UnitIndex ParentIndex(UnitIndex unit) const;
  UnitIndex AncestorIndex(UnitIndex unit, UnitLevel level) const;

  Date coverage_from() const;
  const LoadReport& report() const;

  // Opaque shared state (defined in admin_units.cc).
  struct Data;

 private:
  explicit AdminUnits(std::shared_ptr<const Data> data);
  UnitVersion View(UnitIndex i) const;
  absl::Status CheckCovered(Date on) const;
  absl::StatusOr<std::span<const UnitIndex>> VersionsOf(std::string_view code) const;
  std::vector<LineageLink> Links(UnitIndex unit, bool successors) const;

  std::shared_ptr<const Data> data_;
};

}  // namespace treem::core

#endif  // TREEM_LIB_CORE_ADMIN_UNITS_H_
