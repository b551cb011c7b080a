# treem work records: employers (Establishment) and what a child does (WorkActivity), the
# inputs of legal (Labour Code) and statistical (ILO / SDG 8.7.1) classification.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal).
@0xb3c02f9b91c0e4e0;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Date = import "/treem/schema/common.capnp".Date;
using Uuid = import "/treem/schema/common.capnp".Uuid;

enum EstablishmentKind {
  # Loại hình cơ sở sử dụng lao động (DOMAIN.md section 2).
  unknown @0;                # not recorded
  enterprise @1;             # doanh nghiệp (large or unspecified size)
  sme @2;                    # doanh nghiệp nhỏ và vừa
  cooperative @3;            # hợp tác xã
  householdBusiness @4;      # hộ kinh doanh
  craftVillageHousehold @5;  # hộ gia đình trong làng nghề
  individual @6;             # cá nhân sử dụng lao động
}

struct Establishment {
  # An employer or workplace operator (cơ sở sử dụng lao động) that may employ minors.
  id @0 :Uuid;                   # record id (random v4 or name-based v5)
  kind @1 :EstablishmentKind;    # legal form of the employer
  sector @2 :Text;               # economic sector code (VSIC 2018, e.g. "C13"), free text if unknown
  communeCode @3 :Text;          # 5-digit commune code (mã xã) of the registered address
  craftVillageName @4 :Text;     # làng nghề name when the establishment belongs to one, else empty
  name @5 :Text;                 # trade name (tên cơ sở); an employer, not personal data of a child
}

struct TimeOfDay {
  # A local wall-clock time (Vietnam, UTC+7) within one day.
  hour @0 :UInt8;    # 0..23
  minute @1 :UInt8;  # 0..59
}

enum PaymentKind {
  # Whether and how the child is paid for the work (hình thức trả công).
  unknown @0;       # not recorded
  paid @1;          # paid in cash or kind (có trả công)
  unpaidFamily @2;  # unpaid work in the family farm or business (lao động gia đình không hưởng lương)
  unpaidOther @3;   # unpaid work for someone else (e.g. "apprenticeship" without pay)
}

struct WorstFormFlags {
  # Unconditional worst forms of child labour (ILO C182 Art 3(a)-(c); Law on Children Art 6).
  # Any flag set makes the activity a worst form at any age under 18.
  trafficking @0 :Bool;                     # mua bán người (Criminal Code Arts 150-151)
  forcedLabour @1 :Bool;                    # cưỡng bức lao động, debt bondage (LC Art 8.2, Art 3.7)
  commercialSexualExploitation @2 :Bool;    # bóc lột tình dục vì mục đích thương mại
  illicitActivities @3 :Bool;               # hoạt động bất hợp pháp (e.g. drug production, trafficking)
}

struct ComplianceFacts {
  # Employer obligations found in place at the observation (false = not in place or not shown).
  parentConsent @0 :Bool;             # consent of the father, mother or guardian (LC Art 144.3)
  writtenContract @1 :Bool;           # written labour contract (LC Art 145.1.a, Art 18.4)
  representativeCoSigned @2 :Bool;    # legal representative co-signed (under 15) or consented in writing (15-17)
  healthCertificate @3 :Bool;         # health certificate fit for the job before starting (LC Art 145.1.c)
  healthCheck6Monthly @4 :Bool;       # periodic health check at least every 6 months (OSH Law Art 21.1)
  registerKept @5 :Bool;              # separate register of minor workers kept (sổ theo dõi riêng, LC Art 144.3)
  provincialApprovalUnder13 @6 :Bool; # written approval of the provincial labour department for an under-13 (TT09 Arts 5-7)
}

struct WorkActivity {
  # One work engagement of a child as observed (by a visit, survey or inspection). Legal
  # classification uses the child's age on the activity date: `observedOn` when set, else the
  # last day of the reference week (`referenceWeekStart` + 6 days).
  id @0 :Uuid;                       # record id of this activity
  childId @1 :Uuid;                  # the child (Person.id)
  establishmentId @2 :Uuid;          # the employer; all-zero (unset) means the child's own family
  observedOn @3 :Date;               # date the work was observed (ngày ghi nhận); zero = not set
  referenceWeekStart @4 :Date;       # first day of the 7-day reference week (survey practice); zero = not set
  jobCode @5 :Text;                  # job code (code lists: "TT09-A2-04", "ART147-1-a", "TT09-A3-12", "ARTS_SPORT", "OTHER")
  workplaceCode @6 :Text;            # workplace code ("ART147-2-b", "TT09-A4-03"); empty = none of the listed
  hoursPerDay @7 :Float64;           # usual hours worked per working day (economic activity)
  hoursPerWeek @8 :Float64;          # hours worked in the week (economic activity, incl. unpaid family work)
  nightWork @9 :Bool;                # any work between 22:00 and 06:00 (LC Art 106), as reported
  workStart @10 :TimeOfDay;          # usual start time, when known (null = unknown)
  workEnd @11 :TimeOfDay;            # usual end time, when known; an end at or before the start means the next day
  overtime @12 :Bool;                # work beyond normal hours (làm thêm giờ)
  duringSchoolHours @13 :Bool;       # the work takes place during the child's school hours
  payment @14 :PaymentKind;          # paid / unpaid family work
  choreHoursPerWeek @15 :Float64;    # unpaid household chores in the child's own household, hours in the week
  worstForms @16 :WorstFormFlags;    # unconditional worst forms (null = none)
  compliance @17 :ComplianceFacts;   # employer compliance facts (null = none shown)
  hazardousConditions @18 :Bool;     # other hazardous conditions observed (heavy loads, dangerous tools, heights, chemicals, abuse; 18th ICLS)
  hazardousChores @19 :Bool;         # chores in unhealthy or dangerous conditions (hazardous unpaid household services, 18th ICLS)
}
