# treem prevention records: communication activities (truyền thông), training sessions (tập huấn),
# labour inspections (thanh tra, kiểm tra) with findings and sanctions, and employer commitments
# (cam kết), with their cost and funding. Reach is recorded by id (so a person is counted once
# per indicator) plus anonymous head counts for mass events.
# Part of the public contract: evolve only by adding fields and enumerants (never renumber,
# retype or reuse an ordinal).
@0x88fdf609eef9260e;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("treem::schema");

using Common = import "/treem/schema/common.capnp";
using Date = Common.Date;
using Uuid = Common.Uuid;
using Money = Common.Money;
using MoneyRange = Common.MoneyRange;
using Citation = Common.Citation;
using Actor = Common.Actor;
using AdminLevel = import "/treem/schema/units.capnp".AdminLevel;

# ---------------------------------------------------------------------------------------------
# Funding

enum FundingSource {
  # Nguồn kinh phí.
  unknown @0;             # not recorded
  stateBudget @1;         # ngân sách nhà nước (any level)
  domesticDonor @2;       # domestic organisation, enterprise or individual (xã hội hóa)
  internationalDonor @3;  # international organisation or donor (ILO, UNICEF, NGOs)
  inKind @4;              # in-kind contribution (hiện vật, venue, volunteer time), valued in VND
  other @5;               # any other source
}

struct FundingLine {
  # One part of an activity's cost and where it came from.
  amount @0 :Money;          # cost borne by this source (VND)
  source @1 :FundingSource;  # kind of source
  funder @2 :Text;           # name of the funder or budget line, e.g. "ngân sách xã", "ILO ENHANCE"
}

# ---------------------------------------------------------------------------------------------
# Audiences and reach

enum AudienceGroup {
  # Target groups of communication and training (Decision 782 objectives 2 and 3; P4-P9).
  unknown @0;               # not recorded
  children @1;              # trẻ em (P6)
  parentsAndCarers @2;      # cha mẹ, người chăm sóc trẻ em (P5)
  educationStaff @3;        # cán bộ, giáo viên cơ sở giáo dục và chăm sóc trẻ em (P4)
  employers @4;             # doanh nghiệp, hợp tác xã, hộ gia đình sản xuất, làng nghề (P7, P9)
  provincialOfficials @5;   # cán bộ, công chức, viên chức cấp tỉnh (P8: 90%)
  districtOfficials @6;     # cán bộ, công chức cấp huyện, before 2025-07-01 (P8: 90%)
  communeOfficials @7;      # cán bộ, công chức cấp xã (P8: 70%)
  villageCollaborators @8;  # cộng tác viên, trưởng thôn, child-protection volunteers
  community @9;             # general public, residents (người dân)
  labourInspectors @10;     # thanh tra lao động
  healthWorkers @11;        # cán bộ y tế
  police @12;               # công an
  workers @13;              # adult workers and trade-union members (người lao động)
  other @14;                # any other group
}

struct Participant {
  # A registered person reached, with the group they were reached as.
  personId @0 :Uuid;         # the Person (or staff member registered as a Person)
  group @1 :AudienceGroup;   # the capacity in which they took part
}

struct HeadCount {
  # Anonymous attendance for mass events (counted, not identified).
  group @0 :AudienceGroup;  # who
  count @1 :UInt32;         # how many people
  female @2 :UInt32;        # of whom female, when known (0 = not recorded)
}

enum CommunicationKind {
  # Hình thức truyền thông.
  unknown @0;        # not recorded
  meeting @1;        # community or village meeting (họp thôn, sinh hoạt cộng đồng)
  loudspeaker @2;    # commune loudspeaker broadcast (loa truyền thanh)
  printed @3;        # leaflets, posters, banners (tờ rơi, áp phích, pa-nô, băng rôn)
  school @4;         # session at a school (ngoại khóa, sinh hoạt dưới cờ)
  event @5;          # campaign event or rally (Tháng hành động vì trẻ em, mít tinh)
  homeVisit @6;      # counselling at home (tư vấn tại hộ gia đình)
  massMedia @7;      # newspaper, radio, television
  online @8;         # social media, website, messaging groups
  contest @9;        # contest or performance (hội thi, sân khấu hóa)
  childrenForum @10; # diễn đàn trẻ em
  employerVisit @11; # information visit to an establishment
  other @12;         # any other form
}

struct CommunicationActivity {
  # One communication activity (hoạt động truyền thông).
  id @0 :Uuid;                            # record id
  date @1 :Date;                          # (first) day held
  endDate @2 :Date;                       # last day for multi-day activities; unset = one day
  unitCode @3 :Text;                      # admin unit where held (commune 5 digits, or province)
  villageCode @4 :Text;                   # village within the commune, when held in one
  kind @5 :CommunicationKind;             # form
  title @6 :Text;                         # title or topic
  audienceGroups @7 :List(AudienceGroup); # groups targeted
  participants @8 :List(Participant);     # registered persons reached, by id
  organisationIds @9 :List(Uuid);         # establishments reached (Establishment.id), P7
  headCounts @10 :List(HeadCount);        # anonymous attendance by group
  funding @11 :List(FundingLine);         # cost and sources
  organiser @12 :Text;                    # organising body, e.g. "UBND xã", "Đoàn Thanh niên"
  planId @13 :Uuid;                       # the ProgrammePlan it implements (unset = none)
  materialsCount @14 :UInt32;             # printed items distributed (leaflets, posters)
  note @15 :Text;                         # free text
}

enum TrainingTopic {
  # Main subject of a training session (nội dung tập huấn).
  unknown @0;                # not recorded
  childProtection @1;        # child protection law and the protection network
  childLabourLaw @2;         # Labour Code rules on minors, hazardous lists, sanctions
  caseManagement @3;         # case management process and forms 01-07 (Decree 56)
  identification @4;         # detecting and screening child labour and at-risk children
  inspection @5;             # inspection of minor-worker rules
  employerCompliance @6;     # employer obligations, occupational safety for minors
  lifeSkills @7;             # life skills and self-protection for children
  parenting @8;              # positive parenting and family support
  dataAndReporting @9;       # records, indicators and reporting
  other @10;                 # any other topic
}

struct TrainingSession {
  # One training or capacity-building session (lớp tập huấn).
  id @0 :Uuid;                            # record id
  date @1 :Date;                          # first day
  endDate @2 :Date;                       # last day; unset = one day
  unitCode @3 :Text;                      # admin unit organising it
  organiserLevel @4 :AdminLevel;          # tier of the organiser (for P8 province vs commune)
  topic @5 :TrainingTopic;                # main subject
  title @6 :Text;                         # course title
  audienceGroups @7 :List(AudienceGroup); # groups targeted
  participants @8 :List(Participant);     # registered trainees, by id
  organisationIds @9 :List(Uuid);         # establishments trained (Establishment.id), P9
  headCounts @10 :List(HeadCount);        # anonymous attendance by group
  hours @11 :Float32;                     # training hours in total
  trainer @12 :Text;                      # trainer or training organisation
  funding @13 :List(FundingLine);         # cost and sources
  planId @14 :Uuid;                       # the ProgrammePlan it implements (unset = none)
  certificateIssued @15 :Bool;            # participants received a certificate
  note @16 :Text;                         # free text
}

# ---------------------------------------------------------------------------------------------
# Inspections

enum InspectionKind {
  # Hình thức thanh tra, kiểm tra.
  unknown @0;      # not recorded
  periodic @1;     # theo kế hoạch (scheduled)
  unannounced @2;  # đột xuất
  followUp @3;     # re-inspection to check remedies (tái kiểm tra)
  complaint @4;    # on a complaint or report (theo đơn, tin báo)
}

struct Finding {
  # One violation found (kết luận vi phạm).
  code @0 :Text;              # violation code of the classification rules, e.g. "EXCESS_HOURS_U15"
  childId @1 :Uuid;           # the child concerned, when identified (unset = not identified)
  workActivityId @2 :Uuid;    # the WorkActivity recorded for it, if any
  childrenAffected @3 :UInt32;# number of children concerned (at least 1 when childId is set)
  note @4 :Text;              # description
}

enum SanctionStatus {
  # Where the administrative sanction stands.
  unknown @0;     # not recorded
  none @1;        # no sanction (warning only or no violation)
  proposed @2;    # đề nghị xử phạt
  decided @3;     # quyết định xử phạt issued
  paid @4;        # fine paid
  appealed @5;    # under complaint or appeal (khiếu nại)
  cancelled @6;   # annulled
}

struct Sanction {
  # Administrative sanction and criminal referral resulting from an inspection.
  status @0 :SanctionStatus;          # where it stands
  decisionNo @1 :Text;                # number of the sanction decision
  decidedOn @2 :Date;                 # date of the decision
  fineRange @3 :MoneyRange;           # applicable fine range (e.g. 20-25 million VND)
  fineImposed @4 :Money;              # fine actually imposed
  legalBasis @5 :List(Citation);      # articles applied (e.g. Decree 12/2022 Art 29)
  warning @6 :Bool;                   # a warning (cảnh cáo) was given
  criminalReferral @7 :Bool;          # referred for criminal prosecution (e.g. Criminal Code Art 296)
  criminalReferralOn @8 :Date;        # date of the referral
  criminalArticle @9 :Text;           # article of the Criminal Code, e.g. "Điều 296"
  remedialMeasures @10 :Text;         # biện pháp khắc phục hậu quả ordered
}

enum RemedyStatus {
  # Whether the establishment remedied the violations.
  unknown @0;       # not checked
  pending @1;       # deadline not yet reached
  remedied @2;      # fixed
  notRemedied @3;   # not fixed by the deadline
  partially @4;     # partly fixed
}

struct InspectionFollowUp {
  # Follow-up of an inspection's conclusions.
  dueOn @0 :Date;                # deadline to remedy
  checkedOn @1 :Date;            # day the remedy was checked
  status @2 :RemedyStatus;       # outcome
  nextInspectionId @3 :Uuid;     # the re-inspection, if any
  commitmentId @4 :Uuid;         # the commitment signed as a result, if any
  childrenWithdrawn @5 :UInt32;  # children removed from the work
  note @6 :Text;                 # free text
}

struct Inspection {
  # One labour inspection or check of an establishment.
  id @0 :Uuid;                       # record id
  establishmentId @1 :Uuid;          # the establishment (Establishment.id)
  date @2 :Date;                     # day of the inspection
  kind @3 :InspectionKind;           # periodic / unannounced / ...
  unitCode @4 :Text;                 # commune (or province) where it took place
  agency @5 :Text;                   # inspecting body, e.g. "Thanh tra Sở Nội vụ", "đoàn kiểm tra liên ngành xã"
  inspectors @6 :List(Actor);        # inspectors
  minorsFound @7 :UInt32;            # minors found working
  findings @8 :List(Finding);        # violations
  sanction @9 :Sanction;             # sanction and criminal referral
  followUp @10 :InspectionFollowUp;  # follow-up
  funding @11 :List(FundingLine);    # cost and sources
  planId @12 :Uuid;                  # the ProgrammePlan it implements (unset = none)
  note @13 :Text;                    # free text
  subject @14 :InspectionSubject;    # who was inspected and sanctioned (default: the establishment)
  subjectPersonId @15 :Uuid;         # for subject parentOrCarer: the Person sanctioned (unset otherwise)
}

enum InspectionSubject {
  # Whose compliance an inspection checked and who bears its sanction (added for issue 6).
  establishment @0;  # the establishment in `establishmentId` (cơ sở sử dụng lao động)
  parentOrCarer @1;  # a parent or carer of the child (xử phạt cha mẹ, người chăm sóc trẻ em)
}

# ---------------------------------------------------------------------------------------------
# Commitments

enum CommitmentStatus {
  # Tình trạng cam kết.
  unknown @0;   # not recorded
  active @1;    # in force
  breached @2;  # vi phạm cam kết
  expired @3;   # past its end without renewal
  renewed @4;   # replaced by a renewed commitment (see renewedById)
  withdrawn @5; # cancelled (e.g. the establishment closed)
}

struct CommitmentStatusChange {
  # One change in a commitment's status.
  status @0 :CommitmentStatus;  # new status
  on @1 :Date;                  # day of the change
  inspectionId @2 :Uuid;        # inspection that found a breach, if any
  reason @3 :Text;              # why
}

struct Commitment {
  # An establishment's written commitment not to use child labour (bản cam kết).
  id @0 :Uuid;                                 # record id
  establishmentId @1 :Uuid;                    # the establishment
  signedOn @2 :Date;                           # day signed
  validTo @3 :Date;                            # first day no longer in force (exclusive); unset = open-ended
  status @4 :CommitmentStatus;                 # current status
  history @5 :List(CommitmentStatusChange);    # status changes, oldest first
  previousId @6 :Uuid;                         # the commitment this one renews, if any
  renewedById @7 :Uuid;                        # the commitment that renewed this one, if any
  unitCode @8 :Text;                           # commune that holds it
  terms @9 :Text;                              # what was committed
  signatoryRole @10 :Text;                     # role of the employer's signatory (e.g. "chủ hộ", "giám đốc")
}
