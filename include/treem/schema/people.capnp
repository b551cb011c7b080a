# treem people: households (hộ gia đình) and persons, children among them (trẻ em), with
# schooling, disability, the Law on Children Art 10 special-circumstance groups and consent.
# All of it is sensitive personal data (Decree 13/2023/NĐ-CP): never log it, never put it in
# error messages. Part of the public contract: evolve only by adding fields and enumerants.
@0xf3a126e9dc9a12aa;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;
using Uuid = Common.Uuid;
using Sex = Common.Sex;
using BirthDate = Common.BirthDate;
using Actor = Common.Actor;

# ---------------------------------------------------------------------------------------------
# Households

enum PovertyStatus {
  # Household living-standard class from the commune's annual poverty review (RD-7).
  unknown @0;   # not reviewed or not recorded
  poor @1;      # hộ nghèo
  nearPoor @2;  # hộ cận nghèo
  average @3;   # hộ có mức sống trung bình (Decree 07/2021 band; [U] under Decree 351/2025)
  none @4;      # reviewed and in none of the classes above (không thuộc diện)
}

enum PovertyStandard {
  # The legal standard a poverty status was assessed under.
  unknown @0;            # not recorded
  decision59of2015 @1;   # Quyết định 59/2015/QĐ-TTg, period 2016-2021
  decree07of2021 @2;     # Nghị định 07/2021/NĐ-CP, 2022-2025, extended to 2026 by Decree 351/2025
  decree351of2025 @3;    # Nghị định 351/2025/NĐ-CP, 2027-2030
  provincial @4;         # a higher local standard set by the province
}

enum Residence {
  # Khu vực: rural or urban; decides the income line of the poverty standard.
  unknown @0;  # not recorded
  rural @1;    # nông thôn
  urban @2;    # thành thị
}

struct PovertyAssessment {
  # One poverty classification of a household (danh sách hộ nghèo, cận nghèo) for one year.
  status @0 :PovertyStatus;      # the class
  standard @1 :PovertyStandard;  # the standard applied
  year @2 :UInt16;               # review year the status applies to, e.g. 2024
  residence @3 :Residence;       # rural or urban income line used
  decidedOn @4 :Date;            # date of the commune decision recognising the list
  deprivations @5 :UInt8;        # number of basic-social-service deprivations counted (0..12)
}

enum Relationship {
  # Relationship of a household member to the head of household (quan hệ với chủ hộ).
  unknown @0;        # not recorded
  head @1;           # chủ hộ
  spouse @2;         # vợ / chồng
  child @3;          # con đẻ
  stepChild @4;      # con riêng của vợ / chồng
  adoptedChild @5;   # con nuôi
  grandchild @6;     # cháu nội / ngoại
  parent @7;         # bố / mẹ
  parentInLaw @8;    # bố / mẹ vợ hoặc chồng
  grandparent @9;    # ông / bà
  sibling @10;       # anh / chị / em
  otherRelative @11; # họ hàng khác (aunt, uncle, cousin, niece, nephew)
  nonRelative @12;   # người không có quan hệ họ hàng (e.g. a lodger or domestic worker)
  fosterChild @13;   # trẻ em được nhận chăm sóc thay thế (alternative care, not adopted)
}

struct HouseholdMember {
  # A person's membership of a household over a period.
  personId @0 :Uuid;               # the Person
  relationship @1 :Relationship;   # relationship to the head
  linkedFrom @2 :Date;             # first day of membership; unset = unknown / since birth
  linkedTo @3 :Date;               # first day no longer a member (exclusive); unset = still a member
  isCarer @4 :Bool;                # main carer of the household's children (người chăm sóc)
}

struct Household {
  # Hộ gia đình, as registered in the commune.
  id @0 :Uuid;                          # record id
  communeCode @1 :Text;                 # commune (5 digits) as recorded; pre-reform records keep old codes
  villageCode @2 :Text;                 # village (thôn / tổ dân phố) code within the commune
  poverty @3 :List(PovertyAssessment);  # poverty reviews, one per year; the latest one applies
  craftVillage @4 :Bool;                # household in a craft village (hộ làng nghề)
  craftVillageName @5 :Text;            # name of the craft village, when known
  residence @6 :Residence;              # rural or urban
  members @7 :List(HouseholdMember);    # members with their periods
  address @8 :Text;                     # house number and street (personal data)
  householdBusiness @9 :Bool;           # runs a household business (hộ kinh doanh)
  agricultural @10 :Bool;               # main livelihood is agriculture, forestry or fishery
  note @11 :Text;                       # free text (never personal data of third parties)
}

# ---------------------------------------------------------------------------------------------
# Persons and children

enum Ethnicity {
  # Dân tộc. Codes 1..54 are those of the GSO list "Danh mục các thành phần dân tộc Việt Nam"
  # (Quyết định 121-TCTK/PPCĐ, 02/03/1979), still used by many sector databases. The later GSO
  # list (Quyết định 1019/QĐ-TCTK, 12/11/2008) numbers the same 54 groups in another order
  # (e.g. 04 = Mường there, 04 = Hoa here): importers must map by name, not by number.
  unknown @0;       # not recorded
  kinh @1;          # Kinh (Việt)
  tay @2;           # Tày
  thai @3;          # Thái
  hoa @4;           # Hoa (Hán)
  khmer @5;         # Khơ-me
  muong @6;         # Mường
  nung @7;          # Nùng
  hmong @8;         # H'Mông (Mèo)
  dao @9;           # Dao
  giaRai @10;       # Gia-rai
  ngai @11;         # Ngái
  ede @12;          # Ê-đê
  baNa @13;         # Ba-na
  xoDang @14;       # Xơ-đăng
  sanChay @15;      # Sán Chay
  coHo @16;         # Cơ-ho
  cham @17;         # Chăm
  sanDiu @18;       # Sán Dìu
  hre @19;          # Hrê
  mnong @20;        # Mnông
  raGlai @21;       # Ra-glai
  xTieng @22;       # Xtiêng
  bruVanKieu @23;   # Bru-Vân Kiều
  tho @24;          # Thổ
  giay @25;         # Giáy
  coTu @26;         # Cơ-tu
  gieTrieng @27;    # Gié-Triêng
  ma @28;           # Mạ
  khoMu @29;        # Khơ-mú
  co @30;           # Co
  taOi @31;         # Tà-ôi
  choRo @32;        # Chơ-ro
  khang @33;        # Kháng
  xinhMun @34;      # Xinh-mun
  haNhi @35;        # Hà Nhì
  chuRu @36;        # Chu-ru
  lao @37;          # Lào
  laChi @38;        # La Chí
  laHa @39;         # La Ha
  phuLa @40;        # Phù Lá
  laHu @41;         # La Hủ
  lu @42;           # Lự
  loLo @43;         # Lô Lô
  chut @44;         # Chứt
  mang @45;         # Mảng
  paThen @46;       # Pà Thẻn
  coLao @47;        # Cơ Lao
  cong @48;         # Cống
  boY @49;          # Bố Y
  siLa @50;         # Si La
  puPeo @51;        # Pu Péo
  brau @52;         # Brâu
  oDu @53;          # Ơ Đu
  roMam @54;        # Rơ-măm
  foreigner @55;    # người nước ngoài: not one of the 54 groups (foreign national)
}

enum SchoolAttendance {
  # Tình trạng đi học.
  unknown @0;        # not recorded
  enrolled @1;       # đang đi học, attending regularly
  irregular @2;      # đi học không đều / không thường xuyên
  droppedOut @3;     # bỏ học (see SchoolStatus.droppedOutOn)
  neverEnrolled @4;  # chưa từng đi học
  completed @5;      # finished schooling (e.g. after lower- or upper-secondary), not enrolled now
}

enum SchoolLevel {
  # Cấp học of the current or last school.
  unknown @0;              # not recorded
  preschool @1;            # mầm non
  primary @2;              # tiểu học (grades 1-5)
  lowerSecondary @3;       # trung học cơ sở (grades 6-9)
  upperSecondary @4;       # trung học phổ thông (grades 10-12)
  vocational @5;           # giáo dục nghề nghiệp (vocational training)
  continuingEducation @6;  # giáo dục thường xuyên
}

struct SchoolStatus {
  # Schooling at a given date.
  attendance @0 :SchoolAttendance;  # enrolled / irregular / dropped out / never enrolled
  grade @1 :UInt8;                  # lớp 1..12 of the current or last grade; 0 = not applicable
  droppedOutOn @2 :Date;            # when attendance is droppedOut: date (or best estimate) of leaving
  level @3 :SchoolLevel;            # level of the current or last school
  schoolName @4 :Text;              # name of the school or training centre
  asOf @5 :Date;                    # date this status was observed
}

enum DisabilityLevel {
  # Mức độ khuyết tật (Law on Persons with Disabilities 2010, Art 3).
  unknown @0;           # not recorded
  none @1;              # không khuyết tật
  mild @2;              # nhẹ
  severe @3;            # nặng
  especiallySevere @4;  # đặc biệt nặng
}

enum SpecialGroup {
  # Children in special circumstances (trẻ em có hoàn cảnh đặc biệt), Law on Children 2016
  # Art 10, letters a..o, with sub-types in Decree 56/2017/NĐ-CP Arts 3-16 (LEGAL-RULES 3.2).
  unknown @0;                 # not a valid group (default value only)
  orphaned @1;                # a: mồ côi cả cha và mẹ (D56 Art 3)
  abandoned @2;               # b: bị bỏ rơi (D56 Art 4)
  withoutCarer @3;            # c: không nơi nương tựa (D56 Art 5)
  disabled @4;                # d: khuyết tật (D56 Art 6)
  hivAids @5;                 # đ: nhiễm HIV/AIDS (D56 Art 7)
  inConflictWithLaw @6;       # e: vi phạm pháp luật (D56 Art 8)
  drugAddicted @7;            # g: nghiện ma túy (D56 Art 9)
  droppedOutToWork @8;        # h: bỏ học kiếm sống chưa hoàn thành phổ cập THCS (D56 Art 10)
  harmedByViolence @9;        # i: bị tổn hại nghiêm trọng về thể chất và tinh thần do bạo lực (D56 Art 11)
  exploited @10;              # k: bị bóc lột (D56 Art 12); k.1 = child labour
  sexuallyAbused @11;         # l: bị xâm hại tình dục (D56 Art 13)
  trafficked @12;             # m: bị mua bán (D56 Art 14)
  seriouslyIllInPoorHousehold @13;  # n: mắc bệnh hiểm nghèo / phải điều trị dài ngày, hộ nghèo hoặc cận nghèo (D56 Art 15)
  unaccompaniedMigrant @14;   # o: di cư, lánh nạn, tị nạn chưa xác định được cha mẹ / người chăm sóc (D56 Art 16)
}

struct SpecialCircumstance {
  # One special-circumstance group a child belongs to, code "TE-<letter>.<subType>".
  group @0 :SpecialGroup;  # the letter a..o
  subType @1 :UInt8;       # D56 sub-type number within the group, 0 = unspecified. Numbering:
                           # a: 1 no carer, 2 in a care facility, 3 with relatives, 4 in other alternative care;
                           # b: 1 without, 2 with alternative care; c: 1..12 in D56 Art 5 order;
                           # d: 1 especially severe, 2 severe, 3 mild; e: 1..4 in D56 Art 8 order;
                           # g: 1 in a rehabilitation facility, 2 community or family treatment;
                           # h: 1 with no carer, 2 living with parents or carer;
                           # k: 1 forced to work contrary to the labour law, 2 pornography,
                           #    3 sex tourism or prostitution, 4 drugs or banned goods, 5 other profit-making;
                           # m: 1 returned and living with parents, 2 in alternative care.
  since @2 :Date;          # first day known to apply
  until @3 :Date;          # first day it no longer applies (exclusive); unset = still applies
  verifiedOn @4 :Date;     # date the commune confirmed it
  note @5 :Text;           # free text
}

enum ConsentPurpose {
  # What a consent covers (Decree 13/2023 requires a purpose per consent).
  unknown @0;           # not recorded
  dataProcessing @1;    # recording and processing the child's personal data
  caseManagement @2;    # opening and running a support or intervention case
  referral @3;          # referring the child to a service provider (DOMAIN 5)
  sharing @4;           # sharing data with another agency or provider
  photoOrMedia @5;      # photos, recordings, media use
  followUpVisits @6;    # home and school follow-up visits
}

enum ConsentGiver {
  # Who gave the consent.
  unknown @0;     # not recorded
  child @1;       # the child (children aged 7 and over are asked, Law on Children 2016)
  parent @2;      # cha / mẹ
  guardian @3;    # người giám hộ
  carer @4;       # người chăm sóc (other carer)
  authority @5;   # a competent authority deciding in the child's best interest
}

enum ConsentForm {
  # How the consent was captured.
  unknown @0;  # not recorded
  written @1;  # bằng văn bản (signed form)
  verbal @2;   # bằng lời, recorded by the worker
  digital @3;  # electronic signature or app confirmation
}

struct ConsentRecord {
  # A consent record (sự đồng ý). Named ConsentRecord because cases.capnp has a Consent.
  id @0 :Uuid;                  # record id
  purpose @1 :ConsentPurpose;   # what is consented to
  givenBy @2 :ConsentGiver;     # role of the person consenting
  giverPersonId @3 :Uuid;       # the Person who consented, when registered
  givenOn @4 :Date;             # date given
  withdrawnOn @5 :Date;         # date withdrawn; unset = still in force
  form @6 :ConsentForm;         # written / verbal / digital
  recordedBy @7 :Actor;         # the worker who recorded it
  childViewsHeard @8 :Bool;     # the child's own views were sought and recorded
  refused @9 :Bool;             # the consent was asked for and refused
  scope @10 :Text;              # free text: which provider, which data
}

struct Person {
  # Any person: a child (under 18, in scope 5-17), a parent, a carer. A Child is a Person.
  id @0 :Uuid;                                        # record id
  fullName @1 :Text;                                  # họ và tên
  sex @2 :Sex;                                        # giới tính
  birthDate @3 :BirthDate;                            # ngày sinh, possibly estimated
  ethnicity @4 :Ethnicity;                            # dân tộc
  nationalId @5 :Text;                                # số định danh cá nhân (12 digits); empty when unknown
  householdId @6 :Uuid;                               # current household; unset = none recorded
  school @7 :SchoolStatus;                            # schooling
  disability @8 :DisabilityLevel;                     # disability level
  specialCircumstances @9 :List(SpecialCircumstance); # LoC Art 10 groups
  consents @10 :List(ConsentRecord);                        # consent records
  communeCode @11 :Text;                              # commune of residence as recorded (5 digits)
  villageCode @12 :Text;                              # village within the commune
  migrant @13 :Bool;                                  # the child or a parent is a migrant (di cư)
  leftBehind @14 :Bool;                               # child left behind by migrant parents
  livesWithoutParents @15 :Bool;                      # not living with either parent
  deceasedOn @16 :Date;                               # date of death; unset = alive
  note @17 :Text;                                     # free text (sensitive)
  roles @18 :List(PersonRole);                        # capacities that make the person part of a
                                                      # prevention target population (P4, P5, P8);
                                                      # empty = none recorded
}

enum PersonRole {
  # A capacity in which an adult belongs to a target population of Decision 782 (the
  # denominators of indicators P4, P5 and P8). Added for the indicators engine (issue 6).
  unknown @0;             # not a valid role (default value only)
  educationStaff @1;      # cán bộ, giáo viên of an education or childcare facility (P4)
  parentOrCarer @2;       # cha mẹ, người chăm sóc trẻ em (P5; also derived from HouseholdMember.isCarer)
  communeOfficial @3;     # cán bộ, công chức cấp xã concerned with child labour (P8, 70%)
  districtOfficial @4;    # cán bộ, công chức cấp huyện, before 2025-07-01 (P8, 90%)
  provincialOfficial @5;  # cán bộ, công chức, viên chức cấp tỉnh (P8, 90%)
}
