# treem common types: dates, instants, identifiers, actors and code enums shared by every
# record, command and report. Part of the public contract: evolve only by adding fields and
# enumerants (never renumber, retype or reuse an ordinal).
@0xc2aaff24c139598b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

struct Date {
  # A calendar date (Gregorian). All three fields zero means "not set".
  year @0 :Int16;   # e.g. 2025
  month @1 :UInt8;  # 1..12
  day @2 :UInt8;    # 1..31, valid for the month
}

struct Timestamp {
  # An instant: microseconds since 1970-01-01T00:00:00Z (UTC). Vietnam local time is UTC+7;
  # deadlines counted in hours (e.g. the 12-hour emergency rule) use instants.
  micros @0 :Int64;
}

struct Uuid {
  # A 128-bit identifier (RFC 4122), big-endian: `hi` holds bytes 0..7, `lo` bytes 8..15.
  # Random (v4) for new records, name-based (v5) for deterministic imports. In JSON it is
  # rendered as the canonical 8-4-4-4-12 hex text.
  hi @0 :UInt64;
  lo @1 :UInt64;
}

enum Sex {
  # Giới tính.
  unknown @0;
  male @1;    # nam
  female @2;  # nữ
}

struct BirthDate {
  # Ngày sinh. When `estimated` is true the true date is only known to lie within the
  # calendar year of `date` (ages are then reported with their uncertainty).
  date @0 :Date;
  estimated @1 :Bool;
}

enum LegalAgeBand {
  # Labour Code 2019 Art 143 bands by age in completed years (RD-1).
  under13 @0;   # LT13: dưới 13 tuổi
  age13to14 @1; # A13_14: từ đủ 13 đến dưới 15 tuổi
  age15to17 @2; # A15_17: từ đủ 15 đến dưới 18 tuổi
  adult @3;     # 18 and over: not a minor, out of scope
}

enum StatAgeBand {
  # ILO / SDG 8.7.1 statistical bands (RD-1); only 5..17 are in scope.
  under5 @0;
  age5to11 @1;
  age12to14 @2;
  age15to17 @3;
  adult @4;
}

enum DataSource {
  # Where a change came from (nguồn).
  unknown @0;
  api @1;          # a direct library call
  commandLine @2;  # the commune tool
  csvImport @3;    # a bulk import of village survey lists
  merge @4;        # a province merge of commune data
  hotline111 @5;   # Tổng đài 111
  other @6;
}

struct Actor {
  # Who did something (người thực hiện). `userId` is a login or staff id, never a child.
  userId @0 :Text;
  role @1 :Role;
  unitCode @2 :Text;  # the admin unit the actor works for (province 2 digits, commune 5)
}

enum Role {
  # Access roles (DOMAIN.md section 7), each scoped to admin units.
  unknown @0;
  communeWorker @1;   # cán bộ bảo vệ trẻ em cấp xã
  communeChair @2;    # Chủ tịch UBND xã
  provinceOfficer @3; # cán bộ cấp tỉnh
  analyst @4;         # sees de-identified data only
  inspector @5;       # thanh tra lao động
  auditor @6;
  system @7;          # the library itself (derived facts, migrations)
}

struct Money {
  # An amount in Vietnamese đồng (VND has no minor unit in use).
  vnd @0 :Int64;
}

struct MoneyRange {
  # A range of amounts, e.g. an administrative fine (mức phạt) "from 20 to 25 million".
  min @0 :Money;
  max @1 :Money;
}

struct Citation {
  # A legal or statistical source behind a rule, e.g. instrument "Labour Code 2019" and
  # article "Art 146.1". `confidence` follows LEGAL-RULES.md: confirmed / secondary / unconfirmed.
  instrument @0 :Text;   # e.g. "Bộ luật Lao động 2019 (45/2019/QH14)"
  article @1 :Text;      # e.g. "Điều 146 khoản 1"
  confidence @2 :Confidence;
  note @3 :Text;
}

enum Confidence {
  confirmed @0;    # [C] checked against the legal text
  secondary @1;    # [S] from a secondary source
  unconfirmed @2;  # [U] to verify before release
}
