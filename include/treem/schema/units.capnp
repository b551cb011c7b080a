# treem administrative units (đơn vị hành chính): provinces, districts (before 2025-07-01),
# communes and villages, effective-dated, with merge/split lineage across the 2025 reform.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal). See docs/schema.md.
@0xf5edd6abed223e1b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;

enum AdminLevel {
  # Tier of an administrative unit (cấp hành chính).
  unspecified @0;  # not given (invalid in a stored unit)
  province @1;     # cấp tỉnh: province or centrally-run city; code 2 digits
  district @2;     # cấp huyện: abolished on 2025-07-01; code 3 digits
  commune @3;      # cấp xã: commune, ward, townlet or special zone; code 5 digits
  village @4;      # thôn / tổ dân phố: a sub-unit of a commune, not an administrative tier
  national @5;     # trung ương: the country (ministries); used for organisers and plans, not for units
}

enum AdminUnitKind {
  # The legal kind of a unit (loại đơn vị hành chính), as printed in the official lists.
  unknown @0;           # not given
  centralCity @1;       # thành phố trực thuộc trung ương (province level)
  province @2;          # tỉnh
  urbanDistrict @3;     # quận (district level, before 2025-07-01)
  ruralDistrict @4;     # huyện (district level, before 2025-07-01)
  districtTown @5;      # thị xã (district level, before 2025-07-01)
  provincialCity @6;    # thành phố thuộc tỉnh (district level, before 2025-07-01)
  cityInCity @7;        # thành phố thuộc thành phố trực thuộc trung ương, e.g. Thủ Đức
  ward @8;              # phường (commune level)
  ruralCommune @9;      # xã (commune level)
  townlet @10;          # thị trấn (commune level, before 2025-07-01)
  specialZone @11;      # đặc khu (commune level, from 2025-07-01)
  village @12;          # thôn, làng, ấp, bản, buôn, sóc (village level)
  residentialGroup @13; # tổ dân phố, khu phố (village level, in wards and townlets)
}

enum LineageKind {
  # How a unit relates to a predecessor or successor (conversion table column "Ghi chú").
  unknown @0;    # not stated in the source
  whole @1;      # nhập toàn bộ: the whole area passed to the other unit
  partial @2;    # nhập một phần (diện tích): only part of the area passed
  unchanged @3;  # giữ nguyên: same area, possibly under a new code or name
}

struct UnitLink {
  # One edge of the merge/split lineage graph.
  code @0 :Text;          # code of the other unit (mã đơn vị), e.g. "15928"
  level @1 :AdminLevel;   # tier of the other unit (before the reform a commune's parent may differ)
  kind @2 :LineageKind;   # whole or partial transfer of area
  effectiveOn @3 :Date;   # the day the change took effect, e.g. 2025-07-01
  basis @4 :Text;         # legal basis, e.g. "Nghị quyết 1686/NQ-UBTVQH15"
  note @5 :Text;          # free text from the source table
}

struct AdminUnit {
  # One administrative unit version. Codes are unique per tier and never reused at the same
  # tier (Decision 19/2025/QĐ-TTg); a village code is unique only within its commune, so a
  # village is identified by (parentCode, code).
  code @0 :Text;                  # mã: province "38", district "399", commune "15928", village local code
  name @1 :Text;                  # Vietnamese name with its kind prefix, e.g. "Xã Hoằng Đức"
  englishName @2 :Text;           # English name when the official list gives one ("Tên Tiếng Anh")
  level @3 :AdminLevel;           # tier
  kind @4 :AdminUnitKind;         # legal kind (xã, phường, ...)
  parentCode @5 :Text;            # the unit one tier up (district before 2025-07-01, province after); empty for provinces
  validFrom @6 :Date;             # first day the unit exists in this form; unset = since before records began
  validTo @7 :Date;               # first day the unit NO LONGER exists (exclusive), e.g. 2025-07-01; unset = still valid
  predecessors @8 :List(UnitLink);  # units this one was formed from (đơn vị cũ)
  successors @9 :List(UnitLink);    # units this one became (đơn vị mới)
  provinceCode @10 :Text;         # the province containing the unit (commune codes do not embed it)
  codename @11 :Text;             # ASCII slug from the NSO list, e.g. "phuong_ba_dinh"
}

struct AdminUnitList {
  # A list of units as loaded from one official source, e.g. the NSO list of 2025-07-01.
  units @0 :List(AdminUnit);  # the units, any order
  source @1 :Text;            # where the list came from, e.g. "danhmuchanhchinh.nso.gov.vn"
  asOf @2 :Date;              # date the list describes
  version @3 :Text;           # version label of the source list, e.g. "v2026-02-21"
  containment @4 :List(Containment);
  # For answers to "which units contain unit X on date D": one entry per element of `units`,
  # same order, saying how that unit contains X. Empty for plain lists.
}

struct Containment {
  # How a unit contains another on a date (answer of treem_units_containing).
  partial @0 :Bool;     # only part of the queried unit lies in this unit (a split or partial merge)
  viaLineage @1 :Bool;  # reached through the reform lineage (the queried unit had ended by then),
                        # rather than being an ancestor in that day's hierarchy
}
