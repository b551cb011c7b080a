#!/usr/bin/env python3
"""Demo data for treem: a fictional but realistic commune year in Hoằng Đức (Hoằng Hóa, Thanh Hóa).

The story runs from the commune's plan of April 2023 to the end of September 2025, across the
administrative reform of 1 July 2025, when Hoằng Đức (commune code 15928, district Hoằng Hóa 399)
was merged into the new commune Hoằng Hóa (15865). Records made before 2025-07-01 carry the old
code, records made from that day the new one. See README.md beside this file.

Outputs (into --out, default ./data beside this script):
  households.csv, children.csv   village survey lists (UTF-8) as of SURVEY_DATE
  people.jsonl                   the same lists as upsertHousehold / upsertPerson commands
  events.jsonl                   the commune's commands in chronological order (JSON, one a line)
  expected.json                  figures computed by this script from what it generated

Python 3 standard library only. Deterministic: same bytes on every run (fixed seed, no clock, no
hash-order dependence). The working-day calendar is read from the repository's
data/calendar/vn-public-holidays.csv (the same file the library embeds).
"""

import argparse
import csv
import datetime as dt
import io
import json
import random
import uuid
from pathlib import Path

SEED = 20230315
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HOLIDAYS_CSV = REPO / "data" / "calendar" / "vn-public-holidays.csv"
RISK_SCREEN_CSV = REPO / "data" / "rules" / "risk-screen-rd9.csv"

# ---------------------------------------------------------------------------------------------
# CSV headers: the ONE place to change them. They are the canonical column names of
# docs/exchange.md (section 1). Values: codes in the snake_case spelling of docs/exchange.md
# (near_poor, dropped_out, lower_secondary), ethnicity by GSO name (Kinh, Mường), booleans
# "true"/"false", dates YYYY-MM-DD, special groups "TE-<letter>.<subType>" separated by ';'.
HOUSEHOLD_COLUMNS = [
    "household_key", "commune_code", "village", "poverty_status", "poverty_standard",
    "poverty_year", "residence", "craft_village", "craft_village_name",
]
CHILD_COLUMNS = [
    "child_key", "household_key", "full_name", "sex", "birth_date", "birth_date_estimated",
    "ethnicity", "national_id", "school_status", "grade", "school_level", "dropped_out_on",
    "disability", "special_groups", "relationship", "migrant", "left_behind",
    "lives_without_parents",
]

# ---------------------------------------------------------------------------------------------
# Identifiers: name-based (v5) UUIDs in the treem namespace (lib/core/ids.h kTreemNamespace), named
# after record keys (never after personal data). The ONE place to change the naming convention.
TREEM_NAMESPACE = uuid.UUID("db840281-529e-4ada-98eb-34b463012220")
ID_PREFIX = "demo.hoang-duc"


def rid(kind, key):
    """Id of a demo record: uuid5(treem namespace, 'demo.hoang-duc/<kind>/<key>')."""
    return str(uuid.uuid5(TREEM_NAMESPACE, f"{ID_PREFIX}/{kind}/{key}"))


def csv_household_id(commune, key):
    """The id the CSV importer gives a household row (exchange::HouseholdIdFor)."""
    return str(uuid.uuid5(TREEM_NAMESPACE, f"csv/household|{commune}|{key}"))


def csv_person_id(commune, key):
    """The id the CSV importer gives a child row (exchange::PersonIdFor)."""
    return str(uuid.uuid5(TREEM_NAMESPACE, f"csv/person|{commune}|{key}"))


# ---------------------------------------------------------------------------------------------
# Places and dates
OLD_COMMUNE = "15928"  # Xã Hoằng Đức, until 2025-06-30
NEW_COMMUNE = "15865"  # Xã Hoằng Hóa, from 2025-07-01 (absorbed Hoằng Đức)
DISTRICT = "399"       # Huyện Hoằng Hóa (abolished 2025-07-01)
PROVINCE = "38"        # Tỉnh Thanh Hóa
MERGER = dt.date(2025, 7, 1)
MOHA_TAKEOVER = dt.date(2025, 3, 1)  # labour inspection moves from Sở LĐTBXH to Sở Nội vụ
SURVEY_DATE = dt.date(2024, 1, 15)   # village survey lists (rà soát) as of this day
STORY_START = dt.date(2023, 4, 27)
REF_2024 = dt.date(2024, 12, 31)
REF_H1_2025 = dt.date(2025, 6, 30)
CRAFT_VILLAGE = "Làng nghề dệt chiếu cói Phú Khê"
PLAN_KEY = "KH-HD-2023"

VILLAGES = [  # fictional villages (thôn) of the commune: code, name, households
    ("T01", "Thôn Phú Khê", 78),
    ("T02", "Thôn Đức Thịnh", 66),
    ("T03", "Thôn Trung Hòa", 62),
    ("T04", "Thôn Bái Đông", 58),
    ("T05", "Thôn Nghĩa Sơn", 60),
    ("T06", "Thôn Thái Lai", 56),
    ("T07", "Thôn Cao Xá", 62),
    ("T08", "Thôn Hồng Phúc", 58),
]

EPOCH_ORD = dt.date(1970, 1, 1).toordinal()
US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000
VN_OFFSET = 7 * US_PER_HOUR


def local_us(day, hour=0, minute=0):
    """Instant (µs since the epoch, UTC) of a Vietnam local wall-clock time (UTC+7)."""
    return (day.toordinal() - EPOCH_ORD) * US_PER_DAY + hour * US_PER_HOUR + minute * 60_000_000 - VN_OFFSET


def T(y, mo, d, h=8, mi=0):
    return local_us(dt.date(y, mo, d), h, mi)


def local_date(us):
    return dt.date.fromordinal(EPOCH_ORD + (us + VN_OFFSET) // US_PER_DAY)


def end_of_local_day(day):
    return local_us(day + dt.timedelta(days=1)) - 1


MERGER_US = local_us(MERGER)
STORY_END_US = T(2025, 9, 30, 17, 0)


def age_on(birth, day):
    """Age in completed years (Civil Code 2015 Arts 147-148; 29 February -> 28 February)."""
    bm, bd = birth.month, birth.day
    years = day.year - birth.year
    if bm == 2 and bd == 29:
        leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
        if not leap:
            bd = 28
    if (day.month, day.day) < (bm, bd):
        years -= 1
    return years


def stat_band(age):
    if age < 5:
        return "under5"
    if age <= 11:
        return "age5to11"
    if age <= 14:
        return "age12to14"
    if age <= 17:
        return "age15to17"
    return "adult"


class WorkingCalendar:
    """Weekends + Labour Code Art 112 holidays, substitute days and make-up Saturdays."""

    def __init__(self, path):
        self.off, self.makeup = set(), set()
        header_seen = False
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(line for line in f if line.strip() and not line.startswith("#")):
                if not header_seen:
                    header_seen = True
                    continue
                day = dt.date.fromisoformat(row[0])
                if row[1] == "makeup_workday":
                    self.makeup.add(day)
                else:
                    self.off.add(day)

    def working(self, day):
        if day in self.makeup:
            return True
        return day.weekday() < 5 and day not in self.off

    def add_working_days(self, day, n):
        while n > 0:
            day += dt.timedelta(days=1)
            if self.working(day):
                n -= 1
        return day


# ---------------------------------------------------------------------------------------------
# Names (Vietnamese, Thanh Hóa flavour: many Lê)
SURNAMES = [("Lê", 30), ("Nguyễn", 22), ("Trần", 8), ("Hoàng", 6), ("Phạm", 6), ("Đỗ", 4),
            ("Vũ", 3), ("Bùi", 3), ("Đặng", 2), ("Ngô", 3), ("Hồ", 2), ("Mai", 2), ("Trịnh", 3),
            ("Cao", 2), ("Lương", 2), ("Đinh", 2)]
MIDDLE_M = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Đình", "Xuân", "Anh", "Thành",
            "Trọng", "Gia", "Ngọc", "Bá"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Phương", "Khánh", "Bảo", "Minh", "Hải", "Thanh",
            "Thùy", "Mai", "Hồng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang",
           "Khôi", "Kiên", "Lâm", "Long", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
           "Sơn", "Tài", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Bảo", "Đạt",
           "Đức", "Hưng", "Lộc", "Tùng", "Khoa", "Nhật", "Quý"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan",
           "Linh", "Loan", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo",
           "Trang", "Tú", "Uyên", "Vân", "Vy", "Yến", "Hiền", "Diệp", "Nga", "Thương", "Hiên",
           "Thủy", "Lụa"]


# ---------------------------------------------------------------------------------------------
# Actors
ACTORS = {
    "cb-ldtbxh-01": ("communeWorker", None),   # cán bộ Lao động - TB&XH xã (child protection)
    "ct-ubnd": ("communeChair", None),         # Chủ tịch UBND xã
    "tt-ld-01": ("inspector", PROVINCE),       # thanh tra lao động (province)
    "cb-tinh-01": ("provinceOfficer", PROVINCE),  # child-protection desk of the province (hotline 111 relay)
}
WORKER, CHAIR, INSPECTOR, PROVINCE_OFFICER = "cb-ldtbxh-01", "ct-ubnd", "tt-ld-01", "cb-tinh-01"


def commune_at(us):
    return OLD_COMMUNE if us < MERGER_US else NEW_COMMUNE


def actor(user, us):
    role, unit = ACTORS[user]
    return {"userId": user, "role": role, "unitCode": unit or commune_at(us)}


def ts(us):
    return {"micros": str(us)}


def d(day):
    return day.isoformat()


def money(v):
    return {"vnd": str(v)}


# ---------------------------------------------------------------------------------------------
# Risk screen (weights read from the library's data file; result computed here)


def load_risk_screen(path):
    screen = {"factors": []}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "screen":
                screen["id"], screen["version"] = row["key"], row["value"]
            elif row["kind"] == "threshold":
                screen[row["key"]] = int(row["value"])
            elif row["kind"] == "factor":
                screen["factors"].append((row["key"], row["group"], int(row["value"])))
    return screen


# ---------------------------------------------------------------------------------------------
# The generator


class Demo:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.cal = WorkingCalendar(HOLIDAYS_CSV)
        self.screen = load_risk_screen(RISK_SCREEN_CSV)
        self.commands = []  # (at, order, user, source, payload_name, body, note)
        self.households = []
        self.children = []
        self.child_by_key = {}
        self.staff = []  # registered adults: (id, group, record)
        self.establishments = {}
        self.activities = []  # dicts with "record", "intended", "sdgEconomic", "date"
        self.used_children = set()
        self.cases = []
        self.comms = []
        self.trainings = []
        self.inspections = {}
        self.commitments = {}
        self.risk = []
        self.plan_id = rid("plan", PLAN_KEY)

    # -- commands -----------------------------------------------------------------------------
    def emit(self, at, user, source, name, body, note=None):
        self.commands.append((at, len(self.commands), user, source, name, body, note))

    # -- people -------------------------------------------------------------------------------
    def name(self, sex, surname=None):
        r = self.rng
        surname = surname or r.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        if sex == "male":
            return f"{surname} {r.choice(MIDDLE_M)} {r.choice(GIVEN_M)}"
        return f"{surname} {r.choice(MIDDLE_F)} {r.choice(GIVEN_F)}"

    def make_people(self):
        r = self.rng
        window_start = dt.date(SURVEY_DATE.year - 18, SURVEY_DATE.month, SURVEY_DATE.day) + dt.timedelta(days=1)
        span = (SURVEY_DATE - window_start).days
        for vcode, _vname, count in VILLAGES:
            for i in range(1, count + 1):
                hkey = f"HD-{vcode}-{i:04d}"
                craft = vcode == "T01" and r.random() < 0.55 or vcode == "T02" and r.random() < 0.12
                u = r.random()
                status = ("poor" if u < 0.04 else "nearPoor" if u < 0.11 else "average" if u < 0.19
                          else "unknown" if u < 0.21 else "none")
                surname = r.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
                hh = {
                    "key": hkey, "id": csv_household_id(OLD_COMMUNE, hkey), "village": vcode, "poverty": status,
                    "craft": craft, "surname": surname, "agricultural": not craft or r.random() < 0.3,
                    "business": craft and r.random() < 0.5, "members": [],
                }
                self.households.append(hh)
                n = r.choices([1, 2, 3, 4, 5, 6], [14, 28, 27, 18, 9, 4])[0]
                births = []
                for _ in range(40):
                    cand = sorted(window_start + dt.timedelta(days=r.randrange(span + 1)) for _ in range(n))
                    if all((b - a).days >= 420 for a, b in zip(cand, cand[1:])):
                        births = cand
                        break
                if not births:
                    births = [window_start + dt.timedelta(days=r.randrange(span + 1))]
                minority = r.random() < 0.012
                for j, birth in enumerate(births, 1):
                    self.add_child(hh, j, birth, minority)

    def add_child(self, hh, j, birth, minority):
        r = self.rng
        sex = "male" if r.random() < 0.53 else "female"
        estimated = r.random() < 0.02
        if estimated:
            birth = dt.date(birth.year, 7, 1)
        age = age_on(birth, SURVEY_DATE)
        ckey = f"{hh['key']}-{j:02d}"
        nid = ""
        if not estimated and r.random() < 0.93:
            nid = f"038{'2' if sex == 'male' else '3'}{birth.year % 100:02d}{r.randrange(10**6):06d}"
        # School status as of the survey (school year starting September 2023).
        grade = 2023 - birth.year - 5
        school = {"attendance": "unknown", "grade": 0, "level": "unknown", "droppedOutOn": None,
                  "schoolName": ""}
        if age >= 3 and grade < 1:
            school.update(attendance="enrolled", level="preschool", schoolName="Trường Mầm non Hoằng Đức")
        elif 1 <= grade <= 12:
            level = "primary" if grade <= 5 else "lowerSecondary" if grade <= 9 else "upperSecondary"
            name = {"primary": "Trường Tiểu học Hoằng Đức", "lowerSecondary": "Trường THCS Hoằng Đức",
                    "upperSecondary": "Trường THPT Hoằng Hóa 4"}[level]
            school.update(attendance="enrolled", grade=grade, level=level, schoolName=name)
            u = r.random()
            if grade >= 10 and u < 0.14:
                school.update(attendance="completed", grade=9, level="lowerSecondary",
                              schoolName="Trường THCS Hoằng Đức")
            elif grade >= 10 and u < 0.20:
                school.update(level="vocational", grade=9,
                              schoolName="Trung tâm GDNN-GDTX huyện Hoằng Hóa")
            elif grade >= 6 and u < 0.22 + (0.03 if hh["poverty"] in ("poor", "nearPoor") else 0) and u >= 0.20:
                out = dt.date(2023, r.choice([5, 6, 8, 9, 10, 11]), r.randrange(1, 28))
                school.update(attendance="droppedOut", grade=max(grade - 1, 1), droppedOutOn=out)
            elif grade >= 4 and 0.5 < u < 0.515:
                school.update(attendance="irregular")
        elif grade > 12:
            school.update(attendance="completed", grade=12, level="upperSecondary",
                          schoolName="Trường THPT Hoằng Hóa 4")
        disability = "none"
        groups = []
        u = r.random()
        if u < 0.008:
            disability = "severe"
            groups.append(("disabled", 2))
        elif u < 0.025:
            disability = "mild"
            groups.append(("disabled", 3))
        if r.random() < 0.004:
            groups.append(("orphaned", 3))
        if school["attendance"] == "droppedOut" and age >= 11:
            groups.append(("droppedOutToWork", 2))
        child = {
            "key": ckey, "id": csv_person_id(OLD_COMMUNE, ckey), "household": hh, "sex": sex,
            "name": self.name(sex, hh["surname"]), "birth": birth, "estimated": estimated,
            "ethnicity": "muong" if minority else "kinh", "nid": nid, "school": school,
            "disability": disability, "groups": groups, "relationship": "child" if r.random() < 0.93 else "grandchild",
            "leftBehind": r.random() < 0.03, "migrant": False,
        }
        hh["members"].append(child)
        self.children.append(child)
        self.child_by_key[ckey] = child

    def pick(self, on, lo, hi, sex=None, village=None, craft=None, poor=None, dropout=None, pred=None):
        """An unused child aged lo..hi on `on` with an exact birth date (deterministic)."""
        pool = []
        for c in self.children:
            if c["key"] in self.used_children or c["estimated"]:
                continue
            a = age_on(c["birth"], on)
            if not lo <= a <= hi:
                continue
            if sex and c["sex"] != sex:
                continue
            if village and c["household"]["village"] != village:
                continue
            if craft is not None and c["household"]["craft"] != craft:
                continue
            if poor is not None and (c["household"]["poverty"] in ("poor", "nearPoor")) != poor:
                continue
            if dropout is not None and (c["school"]["attendance"] == "droppedOut") != dropout:
                continue
            if pred is not None and not pred(c):
                continue
            pool.append(c)
        if not pool:
            raise RuntimeError(f"no child aged {lo}-{hi} on {on} ({sex}, {village}, craft={craft})")
        c = self.rng.choice(pool)
        self.used_children.add(c["key"])
        return c

    def make_staff(self):
        """Commune officials, teachers, village heads and collaborators, health workers."""
        r = self.rng
        groups = ([("communeOfficials", "CB", 14), ("educationStaff", "GV-TH", 22),
                   ("educationStaff", "GV-THCS", 24), ("villageCollaborators", "TT", 8),
                   ("villageCollaborators", "CTV", 8), ("healthWorkers", "YT", 3)])
        for group, prefix, n in groups:
            for i in range(1, n + 1):
                key = f"{prefix}-{i:02d}"
                sex = "female" if (r.random() < (0.8 if prefix.startswith("GV") else 0.4)) else "male"
                birth = dt.date(r.randrange(1966, 1999), r.randrange(1, 13), r.randrange(1, 29))
                village = VILLAGES[(i - 1) % len(VILLAGES)][0] if prefix in ("TT", "CTV") else ""
                rec = {"id": rid("person", key), "fullName": self.name(sex), "sex": sex,
                       "birthDate": {"date": d(birth), "estimated": False}, "ethnicity": "kinh",
                       "communeCode": OLD_COMMUNE}
                if village:
                    rec["villageCode"] = village
                role = {"CB": "communeOfficial", "GV-TH": "educationStaff", "GV-THCS": "educationStaff"}.get(prefix)
                if role:
                    rec["roles"] = [role]
                rec["note"] = {"CB": "cán bộ, công chức xã", "GV-TH": "giáo viên Trường Tiểu học",
                               "GV-THCS": "giáo viên Trường THCS", "TT": "trưởng thôn",
                               "CTV": "cộng tác viên bảo vệ trẻ em thôn", "YT": "nhân viên Trạm Y tế xã"}[prefix]
                self.staff.append({"key": key, "id": rec["id"], "group": group, "prefix": prefix,
                                   "village": village, "record": rec})
                self.emit(T(2023, 4, 28, 9, 0) + len(self.staff) * 60_000_000, WORKER, "commandLine",
                          "upsertPerson", rec, "đăng ký cán bộ, giáo viên, cộng tác viên tham gia hoạt động truyền thông, tập huấn")

    def make_carers(self):
        """One registered carer (người chăm sóc chính) per household, for reach by id (P5)."""
        r = self.rng
        self.carers = {}
        at = T(2023, 6, 10, 8, 0)
        for i, h in enumerate(self.households):
            sex = "female" if r.random() < 0.8 else "male"
            birth = dt.date(r.randrange(1972, 1999), r.randrange(1, 13), r.randrange(1, 29))
            rec = {"id": rid("person", f"carer-{h['key']}"),
                   "fullName": self.name(sex, h["surname"] if sex == "male" else None), "sex": sex,
                   "birthDate": {"date": d(birth), "estimated": False}, "ethnicity": "kinh",
                   "householdId": h["id"], "communeCode": OLD_COMMUNE, "villageCode": h["village"],
                   "roles": ["parentOrCarer"]}
            self.carers[h["key"]] = rec
            self.emit(at + i * 1_000_000, WORKER, "commandLine", "upsertPerson", rec,
                      "đăng ký người chăm sóc trẻ em của hộ (danh sách truyền thông)")

    def staff_of(self, *prefixes):
        return [s for s in self.staff if s["prefix"] in prefixes]

    # -- establishments, providers, plan ------------------------------------------------------
    def make_establishments(self):
        r = self.rng
        craft_hh = [h for h in self.households if h["craft"] and h["village"] == "T01"]
        owners = r.sample(craft_hh, 10)
        rows = []
        for i, h in enumerate(owners, 1):
            owner = self.name("male" if r.random() < 0.6 else "female", h["surname"])
            rows.append((f"E{i:02d}", "craftVillageHousehold", "C1629", CRAFT_VILLAGE,
                         f"Hộ dệt chiếu {owner}", "T01"))
        rows += [
            ("E11", "cooperative", "C1629", CRAFT_VILLAGE, "Hợp tác xã dệt chiếu cói Phú Khê", "T01"),
            ("E12", "householdBusiness", "C1020", "", "Cơ sở sơ chế, phơi khô hải sản Hồng Phúc", "T08"),
            ("E13", "householdBusiness", "C2392", "", "Lò gạch thủ công Đức Thịnh", "T02"),
            ("E14", "sme", "C1410", "", "Công ty TNHH May mặc Hoằng Phát", "T03"),
            ("E15", "householdBusiness", "R9329", "", "Karaoke Ánh Dương", "T04"),
            ("E16", "householdBusiness", "I5610", "", "Quán ăn Hương Quê", "T04"),
            ("E17", "enterprise", "F4100", "", "Công ty CP Xây dựng Hoằng Long", "T07"),
            ("E18", "householdBusiness", "C1071", "", "Cơ sở bánh gai Đức Tiến", "T05"),
        ]
        at = T(2023, 5, 3, 9, 0)
        for key, kind, sector, cv, name, village in rows:
            rec = {"id": rid("establishment", key), "kind": kind, "sector": sector,
                   "communeCode": OLD_COMMUNE, "craftVillageName": cv, "name": name}
            self.establishments[key] = {"record": rec, "village": village, "key": key}
            self.emit(at, WORKER, "commandLine", "upsertEstablishment", rec,
                      "rà soát cơ sở sản xuất, kinh doanh có sử dụng lao động trên địa bàn")
            at += 5 * 60_000_000

    def est(self, key):
        return self.establishments[key]["record"]["id"]

    def make_providers(self):
        rows = [
            ("P01", "Trường THCS Hoằng Đức", "school", OLD_COMMUNE, ["generalEducation", "reEnrolment"]),
            ("P02", "Trường Tiểu học Hoằng Đức", "school", OLD_COMMUNE, ["generalEducation", "reEnrolment"]),
            ("P03", "Trung tâm GDNN-GDTX huyện Hoằng Hóa", "vocationalCentre", PROVINCE,
             ["vocationalTraining", "generalEducation"]),
            ("P04", "Trường Trung cấp nghề Thanh Hóa (cơ sở đào tạo điện dân dụng)", "vocationalCentre",
             PROVINCE, ["vocationalTraining"]),
            ("P05", "Trạm Y tế xã Hoằng Đức", "healthFacility", OLD_COMMUNE, ["medical"]),
            ("P06", "Bệnh viện Đa khoa huyện Hoằng Hóa", "healthFacility", PROVINCE, ["medical", "psychological"]),
            ("P07", "Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Thanh Hóa", "legalAidCentre", PROVINCE, ["legalAid"]),
            ("P08", "UBND xã Hoằng Đức - bộ phận Lao động, Thương binh và Xã hội", "socialAssistanceOffice",
             OLD_COMMUNE, ["cashAssistance", "povertyProgramme", "livelihood"]),
            ("P09", "Trung tâm Công tác xã hội tỉnh Thanh Hóa", "socialProtectionCentre", PROVINCE,
             ["psychological", "alternativeCare"]),
            ("P10", "Công an xã Hoằng Đức", "police", OLD_COMMUNE, ["policeTrafficking"]),
            ("P11", "Phòng giao dịch Ngân hàng Chính sách xã hội huyện Hoằng Hóa", "other", PROVINCE, ["livelihood"]),
        ]
        self.providers = {}
        at = T(2023, 5, 4, 9, 0)
        for key, name, kind, unit, services in rows:
            rec = {"id": rid("provider", key), "name": name, "kind": kind, "unitCode": unit,
                   "services": services, "contact": "liên hệ qua UBND xã"}
            self.providers[key] = rec
            self.emit(at, WORKER, "commandLine", "upsertServiceProvider", rec, "danh bạ dịch vụ hỗ trợ trẻ em")
            at += 2 * 60_000_000
        # The reform: commune-level providers now serve the new commune under new names.
        at = T(2025, 7, 1, 8, 30)
        renamed = {"P05": "Trạm Y tế Hoằng Đức (xã Hoằng Hóa)",
                   "P08": "UBND xã Hoằng Hóa - Phòng Văn hóa - Xã hội",
                   "P10": "Công an xã Hoằng Hóa"}
        for key in ("P05", "P08", "P10"):
            rec = dict(self.providers[key], name=renamed[key], unitCode=NEW_COMMUNE)
            self.emit(at, WORKER, "commandLine", "upsertServiceProvider", rec,
                      "sắp xếp đơn vị hành chính: cập nhật đơn vị phục vụ")
            at += 2 * 60_000_000

    def prov(self, key):
        return self.providers[key]["id"]

    def make_plan(self):
        def target(ind, value, direction, year, printed, scope="", level=None, note=""):
            t = {"indicatorId": ind, "value": value, "direction": direction, "byYear": year,
                 "printed": printed}
            if scope:
                t["scope"] = scope
            if level:
                t["scopeLevel"] = level
            if note:
                t["note"] = note
            return t

        plan = {
            "id": self.plan_id,
            "number": "",
            "title": ("Kế hoạch triển khai, thực hiện Chương trình phòng ngừa, giảm thiểu trẻ em lao động "
                      "trái quy định của pháp luật, giai đoạn 2021 - 2025 và định hướng đến năm 2030 trên "
                      "địa bàn xã Hoằng Đức"),
            "issuingUnitCode": OLD_COMMUNE,
            "issuingLevel": "commune",
            "issuedOn": "2023-04-27",
            "period": {"kind": "custom", "year": 0, "index": 0, "start": "2021-01-01", "end": "2030-12-31"},
            "parentReference": ("Kế hoạch số 81/KH-UBND ngày 24/4/2023 của UBND huyện Hoằng Hóa; "
                                "Quyết định 782/QĐ-TTg ngày 27/5/2021"),
            "targets": [
                target("P1", 0.0, "atMost", 2030, "xuống 0%",
                       note="định hướng đến năm 2030: tỷ lệ lao động trẻ em và người chưa thành niên 5-17 tuổi"),
                target("P2", 100.0, "atLeast", 2025, "100%"),
                target("P3", 100.0, "atLeast", 2025, "Trên 100%",
                       note="printed 'over 100%' in the plan, an impossible percentage: loaded as 100%"),
                target("P4", 100.0, "atLeast", 2025, "100%", scope="cán bộ, giáo viên trong các cơ sở giáo dục"),
                target("P5", 70.0, "atLeast", 2025, "70%", scope="cha mẹ, người chăm sóc trẻ em"),
                target("P6", 100.0, "atLeast", 2025, "100%", scope="trẻ em"),
                target("P7", 100.0, "atLeast", 2025, "100%",
                       scope="doanh nghiệp, hợp tác xã, hộ gia đình trong các làng nghề"),
                target("P8", 100.0, "atLeast", 2025, "100%", scope="cán bộ, công chức cấp xã", level="commune"),
                target("P9", 100.0, "atLeast", 2025, "100%",
                       scope="doanh nghiệp, hợp tác xã, hộ gia đình trong các làng nghề"),
                target("P10", 0.0, "minimise", 2030, "Giảm tối đa",
                       note="tỷ lệ lao động trẻ em làm công việc nặng nhọc, độc hại, nguy hiểm"),
            ],
            "note": "Nơi nhận: Phòng LĐTBXH huyện; Đảng ủy, TT HĐND xã; các đoàn thể; các thôn, 2 nhà trường, trạm y tế",
        }
        self.plan = plan
        self.emit(T(2023, 4, 27, 17, 36), CHAIR, "commandLine", "loadPlan", plan,
                  "ban hành kế hoạch của UBND xã")

    # -- work activities ----------------------------------------------------------------------
    def activity(self, child, on, job, hday, hweek, *, est=None, workplace="", night=False,
                 hours=None, overtime=False, school=False, payment="unpaidFamily", chores=0.0,
                 worst=None, compliance=None, hazardous=False, intended="notChildLabour",
                 week=False, user=WORKER, at=None, source="commandLine", legal_hazard=False,
                 label=""):
        key = f"WA{len(self.activities) + 1:03d}"
        rec = {"id": rid("work-activity", key), "childId": child["id"]}
        if est:
            rec["establishmentId"] = self.est(est)
        if week:
            start = on - dt.timedelta(days=on.weekday())  # the Monday of the survey week
            rec["referenceWeekStart"] = d(start)
            activity_date = start + dt.timedelta(days=6)
        else:
            rec["observedOn"] = d(on)
            activity_date = on
        if job:
            rec["jobCode"] = job
        if workplace:
            rec["workplaceCode"] = workplace
        rec["hoursPerDay"] = float(hday)
        rec["hoursPerWeek"] = float(hweek)
        rec["nightWork"] = night
        if hours:
            rec["workStart"] = {"hour": hours[0], "minute": 0}
            rec["workEnd"] = {"hour": hours[1], "minute": 0}
        rec["overtime"] = overtime
        rec["duringSchoolHours"] = school
        if job or hweek:
            rec["payment"] = payment
        rec["choreHoursPerWeek"] = float(chores)
        if worst:
            rec["worstForms"] = {k: k in worst for k in ("trafficking", "forcedLabour",
                                                          "commercialSexualExploitation", "illicitActivities")}
        if compliance is not None:
            rec["compliance"] = compliance
        rec["hazardousConditions"] = hazardous
        rec["hazardousChores"] = False
        age = age_on(child["birth"], activity_date)
        assert 5 <= age <= 17, (key, age)
        band = stat_band(age)
        work = bool(job) or hweek > 0
        econ = (work and ((band == "age5to11" and hweek >= 1) or (band == "age12to14" and hweek >= 14)
                          or (band == "age15to17" and hweek >= 43)
                          or legal_hazard or hazardous or night)) or bool(worst)
        record_day = activity_date + dt.timedelta(days=1) if week else on
        when = at if at is not None else local_us(record_day, 16, 0) + (len(self.activities) % 60) * 60_000_000
        self.emit(when, user, source, "recordWorkActivity", rec, label or None)
        a = {"key": key, "record": rec, "child": child, "date": activity_date, "age": age,
             "intended": intended, "sdgEconomic": "yes" if econ else "no", "at": when,
             "year": activity_date.year}
        self.activities.append(a)
        return a

    @staticmethod
    def compliance(full=True, **missing):
        c = {"parentConsent": True, "writtenContract": True, "representativeCoSigned": True,
             "healthCertificate": True, "healthCheck6Monthly": True, "registerKept": True,
             "provincialApprovalUnder13": False}
        if not full:
            c = {k: False for k in c}
        c.update(missing)
        return c

    # -- risk screening -----------------------------------------------------------------------
    def screen_child(self, child, on, extra=(), outcome="notChildLabour", stat_cl=False, user=WORKER, at=None):
        hh = child["household"]
        age = age_on(child["birth"], on)
        yes = set(extra)
        att = child["school"]["attendance"]
        if att == "droppedOut":
            yes.add("school.dropped_out")
        if att == "irregular":
            yes.add("school.irregular")
        if hh["poverty"] == "poor":
            yes.add("household.poor")
        if hh["poverty"] == "nearPoor":
            yes.add("household.near_poor")
        if hh["craft"]:
            yes.add("household.craft_or_informal")
        if hh["agricultural"]:
            yes.add("household.agriculture")
        if 12 <= age <= 17:
            yes.add("child.age_12_17")
        if child["sex"] == "male":
            yes.add("child.male")
        if child["ethnicity"] != "kinh":
            yes.add("child.ethnic_minority")
        if child["disability"] in ("mild", "severe"):
            yes.add("child.disability")
        if child["leftBehind"]:
            yes.add("mobility.left_behind")
        unknown = {"household.debt_or_shock", "community.disadvantaged_region"} - yes
        answers, contributions, score, max_score, unanswered = [], [], 0, 0, 0
        for factor, group, weight in self.screen["factors"]:
            ans = "yes" if factor in yes else "unknown" if factor in unknown else "no"
            if ans != "unknown":
                answers.append({"factor": factor, "answer": ans})
            else:
                unanswered += 1
            contrib = weight if ans == "yes" else 0
            score += contrib
            max_score += weight
            contributions.append({"factor": factor, "group": group, "answer": ans, "weight": weight,
                                  "contribution": contrib})
        level = "high" if score >= self.screen["high"] else "medium" if score >= self.screen["medium"] else "low"
        if outcome in ("childLabour", "hazardousChildLabour", "worstForm") or stat_cl:
            protection = "intervention"
        else:
            protection = "prevention" if level == "low" else "support"
        key = f"RA{len(self.risk) + 1:03d}"
        rec = {
            "id": rid("risk-assessment", key), "childId": child["id"], "date": d(on),
            "assessor": actor(user, local_us(on, 10)),
            "request": {"screenId": self.screen["id"], "answers": answers,
                        "classificationOutcome": outcome, "statisticalChildLabour": stat_cl},
            "result": {"screenId": self.screen["id"], "version": self.screen["version"], "score": score,
                       "maxScore": max_score, "level": level, "protectionLevel": protection,
                       "contributions": contributions, "unanswered": unanswered,
                       "mediumThreshold": self.screen["medium"], "highThreshold": self.screen["high"]},
        }
        when = at if at is not None else local_us(on, 10, 30)
        self.emit(when, user, "commandLine", "recordRiskAssessment", rec)
        self.risk.append({"record": rec, "level": level, "score": score, "protection": protection})
        return rec

    # -- communication, training ---------------------------------------------------------------
    def pupils(self, on, lo_grade, hi_grade):
        year = on.year if on.month >= 9 else on.year - 1
        out = []
        for c in self.children:
            g = year - c["birth"].year - 5
            if lo_grade <= g <= hi_grade and c["school"]["attendance"] in ("enrolled", "irregular") \
                    and c["school"]["level"] in ("primary", "lowerSecondary", "preschool", "unknown"):
                out.append(c)
        return out

    def comm(self, on, kind, title, groups, *, unit=None, village="", persons=(), orgs=(), heads=(),
             cost=0, funder="ngân sách xã", materials=0, organiser="UBND xã", end=None, user=WORKER, note=""):
        key = f"TT{len(self.comms) + 1:03d}"
        at = local_us(end or on, 17, 0)
        rec = {"id": rid("communication", key), "date": d(on)}
        if end:
            rec["endDate"] = d(end)
        rec.update({"unitCode": unit or commune_at(local_us(on, 8)), "kind": kind, "title": title,
                    "audienceGroups": groups})
        if village:
            rec["villageCode"] = village
        if persons:
            rec["participants"] = [{"personId": pid, "group": g} for pid, g in persons]
        if orgs:
            rec["organisationIds"] = [self.est(k) for k in orgs]
        if heads:
            rec["headCounts"] = [{"group": g, "count": n, "female": f} for g, n, f in heads]
        if cost:
            rec["funding"] = [{"amount": money(cost), "source": "stateBudget", "funder": funder}]
        rec["organiser"] = organiser
        rec["planId"] = self.plan_id
        rec["materialsCount"] = materials
        if note:
            rec["note"] = note
        self.emit(at, user, "commandLine", "recordCommunication", rec)
        self.comms.append(rec)

    def training(self, on, topic, title, groups, hours, trainer, *, level="commune", unit=None,
                 persons=(), orgs=(), heads=(), cost=0, certificate=False, end=None, user=WORKER):
        key = f"TH{len(self.trainings) + 1:03d}"
        last = end or on
        rec = {"id": rid("training", key), "date": d(on)}
        if end:
            rec["endDate"] = d(end)
        rec.update({"unitCode": unit or commune_at(local_us(on, 8)), "organiserLevel": level, "topic": topic,
                    "title": title, "audienceGroups": groups})
        if persons:
            rec["participants"] = [{"personId": pid, "group": g} for pid, g in persons]
        if orgs:
            rec["organisationIds"] = [self.est(k) for k in orgs]
        if heads:
            rec["headCounts"] = [{"group": g, "count": n, "female": f} for g, n, f in heads]
        rec["hours"] = float(hours)
        rec["trainer"] = trainer
        if cost:
            rec["funding"] = [{"amount": money(cost), "source": "stateBudget", "funder": "ngân sách xã"}]
        rec["planId"] = self.plan_id
        rec["certificateIssued"] = certificate
        self.emit(local_us(last, 17, 30), user, "commandLine", "recordTraining", rec)
        self.trainings.append(rec)

    # -- inspections, commitments -------------------------------------------------------------
    def inspection(self, key, est_key, on, kind, findings, sanction, follow=None, minors=None, note="",
                   at=None):
        us = at if at is not None else local_us(on, 16, 30)
        agency = ("Thanh tra Sở Lao động - Thương binh và Xã hội tỉnh Thanh Hóa" if on < MOHA_TAKEOVER
                  else "Thanh tra Sở Nội vụ tỉnh Thanh Hóa")
        rec = {"id": rid("inspection", key), "establishmentId": self.est(est_key), "date": d(on),
               "kind": kind, "unitCode": commune_at(us), "agency": agency + "; đoàn kiểm tra liên ngành xã",
               "inspectors": [actor(INSPECTOR, us), actor(WORKER, us)],
               "minorsFound": minors if minors is not None else len({f.get("childId") for f in findings if f.get("childId")}),
               "findings": findings, "sanction": sanction}
        if follow:
            rec["followUp"] = follow
        rec["funding"] = [{"amount": money(1_500_000), "source": "stateBudget", "funder": "kinh phí kiểm tra"}]
        rec["planId"] = self.plan_id
        if note:
            rec["note"] = note
        self.inspections[key] = {"record": rec, "est": est_key}
        self.emit(us, INSPECTOR, "api", "recordInspection", rec)
        return rec

    def update_inspection(self, key, at, **changes):
        rec = json.loads(json.dumps(self.inspections[key]["record"]))
        for path, value in changes.items():
            node = rec
            parts = path.split("__")
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = value
        self.inspections[key]["record"] = rec
        self.emit(at, INSPECTOR, "api", "recordInspection", rec, "cập nhật kết quả xử lý sau kiểm tra")

    @staticmethod
    def finding(code, activity=None, note="", n=1):
        f = {"code": code}
        if activity:
            f["childId"] = activity["record"]["childId"]
            f["workActivityId"] = activity["record"]["id"]
        f["childrenAffected"] = n
        if note:
            f["note"] = note
        return f

    @staticmethod
    def sanction(status, *, fine=None, imposed=0, decision="", on=None, warning=False, articles=(),
                 criminal=None, remedial=""):
        s = {"status": status}
        if decision:
            s["decisionNo"] = decision
        if on:
            s["decidedOn"] = d(on)
        if fine:
            s["fineRange"] = {"min": money(fine[0]), "max": money(fine[1])}
        s["fineImposed"] = money(imposed)
        basis = [{"instrument": "Nghị định 12/2022/NĐ-CP", "article": "Điều 29", "confidence": "unconfirmed"}]
        basis += [{"instrument": "Bộ luật Lao động 2019 (45/2019/QH14)", "article": a, "confidence": "confirmed"}
                  for a in articles]
        s["legalBasis"] = basis
        s["warning"] = warning
        s["criminalReferral"] = bool(criminal)
        if criminal:
            s["criminalReferralOn"] = d(criminal[0])
            s["criminalArticle"] = criminal[1]
        if remedial:
            s["remedialMeasures"] = remedial
        return s

    def commitment(self, key, est_key, signed, valid_to, terms, role, previous=None):
        us = local_us(signed, 15, 0)
        rec = {"id": rid("commitment", key), "establishmentId": self.est(est_key), "signedOn": d(signed),
               "validTo": d(valid_to), "status": "active",
               "history": [{"status": "active", "on": d(signed), "reason": "ký cam kết"}],
               "unitCode": commune_at(us), "terms": terms, "signatoryRole": role}
        if previous:
            rec["previousId"] = self.commitments[previous]["record"]["id"]
        self.commitments[key] = {"record": rec, "status": "active", "est": est_key}
        self.emit(us, WORKER, "commandLine", "upsertCommitment", rec)

    def commitment_status(self, key, on, status, reason, inspection=None, renewed_by=None):
        change = {"status": status, "on": d(on), "reason": reason}
        if inspection:
            change["inspectionId"] = self.inspections[inspection]["record"]["id"]
        body = {"commitmentId": self.commitments[key]["record"]["id"], "change": change}
        if renewed_by:
            body["renewedById"] = self.commitments[renewed_by]["record"]["id"]
        self.commitments[key]["status"] = status
        self.emit(local_us(on, 16, 0), WORKER, "commandLine", "updateCommitmentStatus", body)


# ---------------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, demo, key, child, kind, level, source, received, summary, *, unit=None,
                 opened=None, user=WORKER, trigger=None, envelope_source=None, story=""):
        self.demo, self.key, self.child = demo, key, child
        self.id = rid("case", key)
        self.last = 0
        self.referrals = {}
        self.unit = unit or commune_at(received)
        self.story = story
        self.kind = kind
        demo.cases.append(self)
        notification = {"source": source, "receivedAt": ts(received),
                        "receivedBy": actor(user, received), "summary": summary}
        body = {"caseId": self.id, "childId": child["id"], "unitCode": self.unit, "kind": kind,
                "notification": notification, "level": level}
        if trigger:
            body["trigger"] = {"childId": child["id"], "outcome": trigger[0], "risk": trigger[1],
                               "at": ts(received), "unitCode": self.unit}
        src = envelope_source or ("hotline111" if source == "hotline111" else "commandLine")
        self.cmd(opened or received + 20 * 60_000_000, user, "openCase", body, "tiếp nhận thông tin (mẫu 01)", src)

    def cmd(self, at, user, name, body, reason="", source="commandLine"):
        assert at >= self.last, (self.key, name)
        self.last = at
        self.demo.emit(at, user, source, "caseCommand", {"caseId": self.id, "reason": reason, "body": {name: body}})

    def forward(self, at, to, user=PROVINCE_OFFICER):
        self.cmd(at, user, "forward", {"toUnitCode": to}, "chuyển thông tin về UBND xã nơi xảy ra vụ việc")

    def initial(self, at, level="intervention", emergency=False, serious=False, carer=False, no_need=False,
                summary="đánh giá ban đầu: chưa cần biện pháp khẩn cấp"):
        a = {"seriousHarm": serious, "carerIsPerpetrator": carer, "emergencyNeeded": emergency,
             "level": level, "summary": summary, "noProtectionNeed": no_need}
        self.cmd(at, WORKER, "initialAssessment", {"assessment": a}, "đánh giá ban đầu (mẫu 02)")

    def emergency(self, at, measures):
        self.cmd(at, WORKER, "startEmergency", {"measures": measures}, "áp dụng biện pháp khẩn cấp")

    def separate(self, at, ref, care):
        self.cmd(at, CHAIR, "separate", {"decisionRef": ref, "alternativeCare": care},
                 "quyết định tạm thời cách ly trẻ em (mẫu 07)")

    def extend_separation(self, at, new_end, request):
        self.cmd(at, WORKER, "extendSeparation", {"newEndsBy": ts(new_end), "authorityRequest": request},
                 "gia hạn cách ly theo đề nghị của cơ quan có thẩm quyền")

    def end_separation(self, at, reason):
        self.cmd(at, WORKER, "endSeparation", {"reason": reason}, "chấm dứt cách ly")

    def needs(self, at, concern="medium", services=(), carers_safe=True):
        def f(text, c=concern):
            return {"concern": c, "finding": text}
        a = {"physicalPsychological": f("sức khỏe bình thường, mệt mỏi do làm việc nhiều giờ", "low"),
             "family": f("gia đình khó khăn về kinh tế, cha mẹ chưa nhận thức đầy đủ quy định"),
             "riskFactors": f("nguy cơ tiếp tục lao động trái quy định"),
             "learningSelfProtection": f("kết quả học tập giảm, kỹ năng tự bảo vệ hạn chế"),
             "community": f("cộng đồng hỗ trợ, trưởng thôn theo dõi", "low"),
             "serviceNeeds": f("cần hỗ trợ giáo dục, sinh kế"),
             "childViews": f("trẻ mong muốn được đi học", "none"),
             "carerViews": f("cha mẹ đồng ý phối hợp", "low"),
             "servicesNeeded": list(services), "carersSafe": carers_safe}
        self.cmd(at, WORKER, "needsAssessment", {"assessment": a}, "đánh giá nhu cầu (mẫu 03)")

    def conference(self, at, measures="thống nhất các biện pháp hỗ trợ, can thiệp"):
        c = {"chair": actor(CHAIR, at),
             "participants": ["Chủ tịch UBND xã", "cán bộ LĐTBXH xã", "trưởng thôn", "giáo viên chủ nhiệm",
                              "cha mẹ hoặc người chăm sóc"],
             "agreedMeasures": measures}
        self.cmd(at, WORKER, "conference", {"conference": c}, "họp nhóm công tác liên ngành")

    def draft(self, at, services, goals="trẻ em thôi lao động trái quy định, đi học đều"):
        plan = {"services": [
            {"service": s, "description": desc, "start": d(a), "end": d(b), "responsible": resp,
             **({"providerId": self.demo.prov(p)} if p else {}), "cost": money(cost)}
            for s, desc, a, b, resp, p, cost in services], "goals": goals}
        self.cmd(at, WORKER, "draftPlan", {"plan": plan}, "xây dựng kế hoạch hỗ trợ, can thiệp (mẫu 04)")

    def approve(self, at, ref):
        self.cmd(at, CHAIR, "approvePlan", {"decisionRef": ref}, "phê duyệt kế hoạch (mẫu 05)")

    def start(self, at, note="gửi quyết định và kế hoạch cho các bên thực hiện"):
        self.cmd(at, WORKER, "startPlan", {"note": note}, "tổ chức thực hiện kế hoạch")

    def review(self, at, risk_remains=False, stable=True, findings="trẻ đã thôi lao động, đi học đều"):
        r = {"riskRemains": risk_remains, "childStable": stable, "findings": findings}
        self.cmd(at, WORKER, "review", {"review": r}, "theo dõi, đánh giá (mẫu 06)")

    def replan(self, at, reason):
        self.cmd(at, WORKER, "replan", {"reason": reason}, "điều chỉnh kế hoạch")

    def follow_up(self, at, out=True, school=True, findings="trẻ không còn lao động, đi học đều"):
        f = {"outOfChildLabour": out, "inSchool": school, "findings": findings}
        self.cmd(at, WORKER, "followUp", {"followUp": f}, "thăm gia đình, theo dõi")

    def court(self, at, ground, request):
        self.cmd(at, CHAIR, "referToCourt", {"ground": ground, "request": request},
                 "đề nghị Tòa án (Điều 52.3 Luật Trẻ em)")

    def close(self, at, reason, note=""):
        body = {"reason": reason}
        if note:
            body["note"] = note
        self.cmd(at, CHAIR, "close", body, "đóng hồ sơ")

    def refer(self, at, rkey, service, provider, due, consent_by="mẹ", override="", re_of=None):
        ref_id = rid("referral", f"{self.key}-{rkey}")
        consent = ({"given": True, "givenBy": consent_by, "at": ts(at)} if not override
                   else {"given": False, "overrideReason": override})
        body = {"referralId": ref_id, "service": service, "providerId": self.demo.prov(provider),
                "dueBy": d(due), "consent": consent}
        if re_of:
            body["reReferralOf"] = self.referrals[re_of]["id"]
        self.referrals[rkey] = {"id": ref_id, "service": service, "status": "requested"}
        self.cmd(at, WORKER, "requestReferral", body, "chuyển gửi dịch vụ")

    def update(self, at, rkey, status, note=""):
        self.referrals[rkey]["status"] = status
        self.cmd(at, WORKER, "updateReferral", {"referralId": self.referrals[rkey]["id"], "status": status,
                                                 "note": note}, "cập nhật chuyển gửi")


# ---------------------------------------------------------------------------------------------
# The story


def build_story(g):
    r = g.rng
    g.make_plan()
    g.make_staff()
    g.make_carers()
    g.make_establishments()
    g.make_providers()
    C = Demo.compliance
    dm = dt.date

    # ---- cases with their child-labour findings -------------------------------------------
    # C01: a 12-year-old girl weaving mats for a neighbour's craft household, reported by the
    # school; closed as resolved after two clean follow-ups (CLMRS).
    c = g.pick(dm(2023, 5, 10), 12, 12, sex="female", village="T01")
    c["school"].update(attendance="enrolled")
    wa01 = g.activity(c, dm(2023, 5, 10), "TT09-A2-04", 5, 30, est="E03", payment="paid", school=True,
                      intended="childLabour", at=T(2023, 5, 10, 11, 0), label="phát hiện qua nhà trường")
    g.screen_child(c, dm(2023, 5, 10), extra=["activity.non_family_employer", "activity.near_threshold"],
                   outcome="childLabour", stat_cl=True, at=T(2023, 5, 10, 11, 30))
    k = Case(g, "C01", c, "childLabour", "intervention", "school", T(2023, 5, 10, 8, 30),
             "giáo viên chủ nhiệm báo học sinh nghỉ học nhiều buổi để dệt chiếu thuê", opened=T(2023, 5, 10, 9, 0),
             story="closed as resolved after two clean follow-ups")
    k.initial(T(2023, 5, 10, 15, 0))
    k.needs(T(2023, 5, 15, 9), services=["reEnrolment", "povertyProgramme"])
    k.conference(T(2023, 5, 18, 14))
    k.draft(T(2023, 5, 22, 10), [
        ("reEnrolment", "hỗ trợ trở lại lớp, học bù hè", dm(2023, 6, 1), dm(2023, 9, 15), "giáo viên chủ nhiệm", "P01", 500_000),
        ("povertyProgramme", "đề nghị xét hỗ trợ hộ cận nghèo", dm(2023, 6, 1), dm(2023, 12, 31), "cán bộ LĐTBXH xã", "P08", 0)])
    k.approve(T(2023, 5, 23, 15), "45/QĐ-UBND")
    k.start(T(2023, 5, 24, 9))
    k.refer(T(2023, 5, 24, 10), "R1", "reEnrolment", "P01", dm(2023, 9, 5))
    k.refer(T(2023, 5, 24, 10, 30), "R2", "povertyProgramme", "P08", dm(2023, 7, 31), consent_by="cha")
    k.update(T(2023, 5, 26, 9), "R1", "accepted", "nhà trường tiếp nhận")
    k.update(T(2023, 6, 5, 9), "R2", "accepted", "đưa vào danh sách xét duyệt")
    k.update(T(2023, 7, 20, 9), "R2", "completed", "hộ được hỗ trợ sinh kế theo chương trình giảm nghèo")
    k.update(T(2023, 9, 5, 9), "R1", "completed", "trẻ đã nhập học lớp 7")
    k.follow_up(T(2023, 10, 12, 15))
    g.activity(c, dm(2023, 10, 12), "", 0, 0, chores=8, at=T(2023, 10, 12, 16), label="theo dõi sau can thiệp")
    k.follow_up(T(2023, 12, 14, 15))
    k.review(T(2023, 12, 28, 9))
    k.close(T(2024, 1, 8, 10), "resolved")

    # C02: a 16-year-old boy carrying bricks at the kiln (hazardous), found at an unannounced
    # inspection; vocational referral declined, re-referred; closed as resolved.
    c = g.pick(dm(2023, 11, 8), 16, 16, sex="male", craft=False)
    c["school"].update(attendance="enrolled", level="vocational", grade=9,
                       schoolName="Trường Trung cấp nghề Thanh Hóa")
    c["groups"].append(("exploited", 1))
    wa02 = g.activity(c, dm(2023, 11, 8), "ART147-1-a", 8, 48, est="E13", payment="paid",
                      compliance=C(False, parentConsent=True), hazardous=True, legal_hazard=True,
                      intended="hazardousChildLabour", user=INSPECTOR, at=T(2023, 11, 8, 15, 30),
                      source="api", label="phát hiện qua kiểm tra đột xuất")
    g.inspection("I02", "E13", dm(2023, 11, 8), "unannounced", [
        g.finding("PROHIBITED_JOB", wa02, "bốc xếp gạch mộc, gạch nung"),
        g.finding("EXCESS_HOURS_15_17", wa02), g.finding("NO_REP_CONSENT", wa02),
        g.finding("NO_HEALTH_CHECK", wa02), g.finding("NO_REGISTER", wa02)],
        g.sanction("decided", fine=(50_000_000, 75_000_000), imposed=60_000_000, decision="112/QĐ-XPHC",
                   on=dm(2023, 11, 20), articles=["Điều 147 khoản 1", "Điều 146 khoản 2"],
                   remedial="chấm dứt sử dụng người chưa thành niên làm công việc bốc xếp"),
        follow={"dueOn": d(dm(2023, 12, 8)), "checkedOn": d(dm(2023, 12, 7)), "status": "remedied",
                "childrenWithdrawn": 1, "commitmentId": rid("commitment", "CK-E13-2023")},
        at=T(2023, 11, 8, 16, 0))
    g.screen_child(c, dm(2023, 11, 8), extra=["activity.non_family_employer", "community.prohibited_workplaces"],
                   outcome="hazardousChildLabour", stat_cl=True, at=T(2023, 11, 8, 16, 2))
    k = Case(g, "C02", c, "childLabour", "intervention", "screening", T(2023, 11, 8, 16, 0),
             "phân loại: lao động trẻ em nguy hiểm (công việc cấm)", opened=T(2023, 11, 8, 16, 5),
             trigger=("hazardousChildLabour", "medium"), story="declined referral re-referred; closed as resolved")
    g.commitment("CK-E13-2023", "E13", dm(2023, 11, 20), dm(2025, 11, 20),
                 "không sử dụng người dưới 18 tuổi làm công việc bốc xếp, vận hành lò", "chủ cơ sở")
    k.initial(T(2023, 11, 8, 17, 30))
    k.needs(T(2023, 11, 13, 9), services=["medical", "vocationalTraining", "livelihood"])
    k.conference(T(2023, 11, 16, 14))
    k.draft(T(2023, 11, 21, 10), [
        ("medical", "khám sức khỏe", dm(2023, 11, 27), dm(2023, 11, 30), "trạm y tế xã", "P05", 300_000),
        ("vocationalTraining", "học nghề điện dân dụng", dm(2023, 12, 1), dm(2024, 5, 31), "cán bộ LĐTBXH xã", "P03", 4_500_000),
        ("livelihood", "vay vốn sinh kế cho hộ", dm(2023, 12, 1), dm(2024, 3, 31), "cán bộ LĐTBXH xã", "P11", 0)])
    k.approve(T(2023, 11, 22, 15), "98/QĐ-UBND")
    k.start(T(2023, 11, 23, 9))
    k.refer(T(2023, 11, 23, 10), "R1", "medical", "P05", dm(2023, 11, 30))
    k.refer(T(2023, 11, 23, 10, 15), "R2", "vocationalTraining", "P03", dm(2023, 12, 15))
    k.refer(T(2023, 11, 23, 10, 30), "R3", "livelihood", "P11", dm(2024, 3, 31), consent_by="cha")
    k.update(T(2023, 11, 28, 9), "R1", "accepted", "lịch khám 28/11")
    k.update(T(2023, 11, 28, 11), "R1", "completed", "sức khỏe bình thường")
    k.update(T(2023, 11, 30, 9), "R2", "declined", "khóa điện dân dụng đã đủ học viên; khóa sau tháng 3/2024")
    k.refer(T(2023, 12, 1, 9), "R4", "vocationalTraining", "P04", dm(2024, 1, 15), consent_by="mẹ", re_of="R2")
    k.update(T(2023, 12, 5, 9), "R4", "accepted", "nhận vào khóa tháng 1/2024")
    k.update(T(2024, 1, 2, 9), "R4", "inProgress", "bắt đầu học")
    k.update(T(2024, 1, 12, 9), "R3", "accepted", "hồ sơ vay vốn được duyệt")
    k.follow_up(T(2024, 2, 20, 15), findings="trẻ đang học nghề, không làm ở lò gạch")
    k.update(T(2024, 3, 20, 9), "R3", "completed", "hộ nhận vốn vay chăn nuôi")
    g.activity(c, dm(2024, 4, 18), "OTHER", 3, 12, payment="unpaidFamily", at=T(2024, 4, 18, 16, 30),
               label="theo dõi: phụ giúp gia đình cấy lúa")
    k.follow_up(T(2024, 4, 18, 15), findings="trẻ học nghề, phụ giúp gia đình ngoài giờ học")
    k.update(T(2024, 5, 31, 9), "R4", "completed", "hoàn thành khóa học nghề 6 tháng")
    k.review(T(2024, 5, 31, 15), findings="trẻ hoàn thành học nghề, không quay lại lò gạch")
    k.close(T(2024, 6, 5, 10), "resolved")

    # C03: a 17-year-old girl serving at a karaoke bar (prohibited workplace, night); she turned 18
    # before a second follow-up: closed as childTurned18 with a note.
    c = g.pick(dm(2024, 6, 18), 17, 17, sex="female",
               pred=lambda x: dm(2006, 9, 1) <= x["birth"] <= dm(2006, 10, 15))
    wa03 = g.activity(c, dm(2024, 6, 18), "OTHER", 6, 36, est="E15", workplace="ART147-2-d", night=True,
                      hours=(18, 0), payment="paid", compliance=C(False, parentConsent=True),
                      legal_hazard=True, intended="hazardousChildLabour", user=INSPECTOR,
                      at=T(2024, 6, 18, 23, 30), source="api", label="kiểm tra đột xuất ban đêm")
    g.inspection("I05", "E15", dm(2024, 6, 18), "unannounced", [
        g.finding("PROHIBITED_WORKPLACE", wa03), g.finding("OT_NIGHT_NOT_ALLOWED", wa03),
        g.finding("NO_REP_CONSENT", wa03), g.finding("NO_REGISTER", wa03), g.finding("NO_HEALTH_CHECK", wa03)],
        g.sanction("decided", fine=(50_000_000, 75_000_000), imposed=55_000_000, decision="61/QĐ-XPHC",
                   on=dm(2024, 6, 28), articles=["Điều 147 khoản 2", "Điều 146 khoản 2"]),
        at=T(2024, 6, 18, 23, 45))
    k = Case(g, "C03", c, "childLabour", "intervention", "police", T(2024, 6, 18, 23, 0),
             "đoàn kiểm tra liên ngành phát hiện trẻ phục vụ tại quán karaoke", opened=T(2024, 6, 19, 7, 30),
             story="closed: the child turned 18")
    g.commitment("CK-E15-2024", "E15", dm(2024, 6, 20), dm(2026, 6, 20),
                 "không sử dụng người dưới 18 tuổi làm việc tại cơ sở", "chủ hộ kinh doanh")
    k.initial(T(2024, 6, 19, 8, 30))
    k.needs(T(2024, 6, 24, 9), services=["psychological", "vocationalTraining"])
    k.conference(T(2024, 6, 27, 14))
    k.draft(T(2024, 7, 2, 10), [
        ("psychological", "tư vấn tâm lý", dm(2024, 7, 8), dm(2024, 8, 30), "cán bộ LĐTBXH xã", "P09", 0),
        ("vocationalTraining", "học nghề may", dm(2024, 8, 1), dm(2024, 9, 30), "cán bộ LĐTBXH xã", "P03", 3_000_000)])
    k.approve(T(2024, 7, 3, 15), "77/QĐ-UBND")
    k.start(T(2024, 7, 4, 9))
    k.refer(T(2024, 7, 4, 10), "R1", "psychological", "P09", dm(2024, 8, 30))
    k.update(T(2024, 7, 8, 9), "R1", "accepted", "")
    k.follow_up(T(2024, 8, 20, 15), findings="không còn làm tại quán karaoke")
    k.update(T(2024, 8, 30, 9), "R1", "completed", "hoàn thành 6 buổi tư vấn")
    k.review(T(2024, 9, 30, 15), findings="trẻ ổn định, đang tìm việc phù hợp")
    k.close(T(2024, 10, 18, 10), "childTurned18",
             "người được hỗ trợ đã đủ 18 tuổi; chuyển bộ phận việc làm của xã tiếp tục hỗ trợ")
    c3 = c

    # C04: a 13-year-old boy washing dishes at night at a roadside eatery, reported by the village
    # on 27 December 2024; assessed only on 3 January (emergency decision overdue at 2024-12-31).
    c = g.pick(dm(2025, 1, 3), 13, 13, sex="male")
    k = Case(g, "C04", c, "childLabour", "intervention", "village", T(2024, 12, 27, 19, 0),
             "trưởng thôn báo trẻ rửa bát thuê buổi tối tại quán ăn", opened=T(2024, 12, 27, 19, 30),
             story="emergency decision overdue at 2024-12-31 (met late); closed as resolved")
    wa04 = g.activity(c, dm(2025, 1, 3), "OTHER", 5, 30, est="E16", night=True, hours=(18, 23), payment="paid",
                      compliance=C(False, parentConsent=True), intended="childLabour", at=T(2025, 1, 3, 16, 0))
    k.initial(T(2025, 1, 3, 10), summary="đánh giá ban đầu chậm do nghỉ Tết Dương lịch; chưa cần khẩn cấp")
    g.screen_child(c, dm(2025, 1, 3), extra=["activity.non_family_employer"], outcome="childLabour",
                   stat_cl=True, at=T(2025, 1, 3, 16, 10))
    k.needs(T(2025, 1, 6, 9), services=["reEnrolment"])
    k.conference(T(2025, 1, 9, 14))
    k.draft(T(2025, 1, 14, 10), [
        ("reEnrolment", "học phụ đạo, đi học đều", dm(2025, 1, 20), dm(2025, 5, 31), "giáo viên chủ nhiệm", "P01", 0)])
    k.approve(T(2025, 1, 15, 15), "09/QĐ-UBND")
    k.start(T(2025, 1, 16, 9))
    k.refer(T(2025, 1, 16, 10), "R1", "reEnrolment", "P01", dm(2025, 2, 28))
    k.update(T(2025, 1, 20, 9), "R1", "accepted", "")
    k.update(T(2025, 2, 26, 9), "R1", "completed", "trẻ đi học đều trở lại")
    k.follow_up(T(2025, 3, 20, 15))
    g.activity(c, dm(2025, 3, 20), "", 0, 0, chores=10, at=T(2025, 3, 20, 16, 0), label="theo dõi sau can thiệp")
    k.follow_up(T(2025, 5, 22, 15))
    k.review(T(2025, 5, 30, 15))
    k.close(T(2025, 6, 4, 10), "resolved")

    # C05: a hotline report found unfounded: a 10-year-old only helps with chores.
    c = g.pick(dm(2024, 8, 12), 10, 10)
    k = Case(g, "C05", c, "childLabour", "support", "hotline111", T(2024, 8, 12, 9, 40),
             "Tổng đài 111 chuyển tin trẻ phải làm việc nặng", opened=T(2024, 8, 12, 10, 0),
             story="closed: no protection need")
    g.activity(c, dm(2024, 8, 12), "", 0, 0, chores=9, at=T(2024, 8, 12, 15, 0), label="xác minh tin báo")
    k.initial(T(2024, 8, 12, 16), level="prevention", no_need=True,
              summary="xác minh: trẻ chỉ phụ giúp việc nhà vừa sức; không cần bảo vệ")
    k.close(T(2024, 8, 13, 9), "noProtectionNeed")

    # C06: a 14-year-old at risk (dropped out, poor household); the family moved away.
    c = g.pick(dm(2024, 3, 5), 14, 14, poor=True)
    c["school"].update(attendance="droppedOut", droppedOutOn=dm(2023, 12, 15), grade=c["school"]["grade"] or 8)
    ra = g.screen_child(c, dm(2024, 3, 5), extra=["household.debt_or_shock", "family.parents_unable"],
                        at=T(2024, 3, 5, 10, 30))
    k = Case(g, "C06", c, "atRisk", "support", "screening", T(2024, 3, 5, 10, 31),
             "sàng lọc: nguy cơ cao trở thành lao động trẻ em", opened=T(2024, 3, 5, 11, 0),
             trigger=("notChildLabour", ra["result"]["level"]), story="closed: moved away")
    k.initial(T(2024, 3, 5, 15), level="support")
    k.needs(T(2024, 3, 11, 9), services=["reEnrolment", "cashAssistance"])
    k.conference(T(2024, 3, 14, 14))
    k.draft(T(2024, 3, 19, 10), [
        ("reEnrolment", "vận động trở lại trường", dm(2024, 3, 25), dm(2024, 6, 30), "giáo viên chủ nhiệm", "P01", 0),
        ("cashAssistance", "trợ cấp xã hội đột xuất", dm(2024, 3, 25), dm(2024, 4, 30), "cán bộ LĐTBXH xã", "P08", 1_000_000)])
    k.approve(T(2024, 3, 20, 15), "31/QĐ-UBND")
    k.start(T(2024, 3, 21, 9))
    k.refer(T(2024, 3, 21, 10), "R1", "cashAssistance", "P08", dm(2024, 4, 30))
    k.refer(T(2024, 3, 21, 10, 30), "R2", "reEnrolment", "P01", dm(2024, 5, 31))
    k.update(T(2024, 3, 28, 9), "R1", "accepted", "")
    k.update(T(2024, 4, 2, 9), "R2", "accepted", "")
    k.update(T(2024, 4, 10, 9), "R1", "completed", "đã chi trợ cấp")
    k.update(T(2024, 6, 28, 9), "R2", "revoked", "gia đình chuyển vào tỉnh Bình Dương")
    k.review(T(2024, 6, 28, 15), risk_remains=True, stable=False, findings="gia đình chuyển đi nơi khác")
    k.close(T(2024, 7, 2, 10), "movedAway", "gia đình chuyển nơi cư trú; đã thông báo địa phương nơi đến")

    # C07: a 12-year-old weaving mats 25 h a week for her own family; the plan was drafted late
    # (plan draft overdue at 2024-12-31); closed after the reform by the new commune's chair.
    c = g.pick(dm(2024, 11, 20), 12, 12, sex="female", village="T01", craft=True)
    g.activity(c, dm(2024, 11, 20), "TT09-A2-04", 4, 25, payment="unpaidFamily", intended="childLabour",
               at=T(2024, 11, 20, 16), label="cộng tác viên thôn báo")
    g.screen_child(c, dm(2024, 11, 20), extra=["activity.near_threshold"], outcome="childLabour",
                   stat_cl=True, at=T(2024, 11, 20, 16, 20))
    k = Case(g, "C07", c, "childLabour", "intervention", "village", T(2024, 11, 21, 8, 0),
             "cộng tác viên báo trẻ dệt chiếu nhiều giờ cho gia đình", opened=T(2024, 11, 21, 8, 30),
             story="plan draft overdue at 2024-12-31 (met late); closed after the reform")
    k.initial(T(2024, 11, 21, 14))
    k.needs(T(2024, 11, 28, 9), services=["generalEducation", "livelihood"])
    k.conference(T(2024, 12, 9, 14))
    k.draft(T(2025, 1, 8, 10), [
        ("generalEducation", "học phụ đạo miễn phí", dm(2025, 1, 13), dm(2025, 5, 30), "giáo viên chủ nhiệm", "P01", 0),
        ("livelihood", "vay vốn mua khung dệt cải tiến, thuê lao động người lớn", dm(2025, 1, 13), dm(2025, 6, 27), "cán bộ LĐTBXH xã", "P11", 0)])
    k.approve(T(2025, 1, 9, 15), "05/QĐ-UBND")
    k.start(T(2025, 1, 10, 9))
    k.refer(T(2025, 1, 10, 10), "R1", "livelihood", "P11", dm(2025, 4, 30), consent_by="cha")
    k.refer(T(2025, 1, 10, 10, 30), "R2", "generalEducation", "P01", dm(2025, 5, 30))
    k.update(T(2025, 1, 15, 9), "R2", "accepted", "")
    k.update(T(2025, 2, 18, 9), "R1", "accepted", "")
    k.follow_up(T(2025, 3, 18, 15))
    k.update(T(2025, 4, 25, 9), "R1", "completed", "hộ nhận vốn vay 50 triệu đồng")
    k.follow_up(T(2025, 5, 27, 15))
    k.update(T(2025, 5, 30, 9), "R2", "completed", "hoàn thành học phụ đạo")
    k.review(T(2025, 6, 27, 9))
    k.close(T(2025, 7, 8, 10), "resolved")

    # C08: a 15-year-old girl working 48 h a week at the garment company; approval overdue at
    # 2024-12-31; vocational referral overdue at 2025-06-30; review overdue at the end.
    c = g.pick(dm(2024, 9, 18), 15, 15, sex="female")
    wa08 = g.activity(c, dm(2024, 9, 18), "OTHER", 8, 48, est="E14", overtime=True, payment="paid",
                      compliance=C(True, writtenContract=False, representativeCoSigned=False),
                      intended="childLabour", user=INSPECTOR, at=T(2024, 9, 18, 15, 0), source="api")
    g.inspection("I06", "E14", dm(2024, 9, 18), "periodic", [
        g.finding("EXCESS_HOURS_15_17", wa08), g.finding("OT_NIGHT_NOT_ALLOWED", wa08), g.finding("NO_REP_CONSENT", wa08)],
        g.sanction("decided", fine=(20_000_000, 25_000_000), imposed=20_000_000, decision="88/QĐ-XPHC",
                   on=dm(2024, 9, 30), articles=["Điều 146 khoản 2"]),
        at=T(2024, 9, 18, 15, 10))
    k = Case(g, "C08", c, "childLabour", "intervention", "screening", T(2024, 9, 18, 15, 10),
             "phân loại: lao động trẻ em (quá giờ, làm thêm giờ)", opened=T(2024, 9, 18, 15, 30),
             trigger=("childLabour", "none"), story="approval overdue at 2024-12-31; referral overdue at 2025-06-30; in progress")
    g.commitment("CK-E14-2024", "E14", dm(2024, 9, 25), dm(2026, 9, 25),
                 "không bố trí người chưa thành niên làm quá 8 giờ/ngày, 40 giờ/tuần, làm thêm giờ", "giám đốc")
    k.initial(T(2024, 9, 18, 17, 0))
    k.needs(T(2024, 11, 25, 9), services=["vocationalTraining"])
    k.conference(T(2024, 12, 12, 14))
    k.draft(T(2024, 12, 17, 10), [
        ("vocationalTraining", "học nghề may công nghiệp có chứng chỉ", dm(2025, 2, 10), dm(2025, 8, 31), "cán bộ LĐTBXH xã", "P03", 3_500_000)])
    k.approve(T(2025, 1, 6, 15), "02/QĐ-UBND")
    k.start(T(2025, 1, 7, 9))
    k.refer(T(2025, 1, 7, 10), "R1", "vocationalTraining", "P03", dm(2025, 3, 31))
    k.update(T(2025, 1, 20, 9), "R1", "accepted", "")
    k.update(T(2025, 2, 10, 9), "R1", "inProgress", "")
    k.follow_up(T(2025, 4, 15, 15), findings="trẻ học nghề, không làm tại công ty")
    k.update(T(2025, 8, 29, 9), "R1", "completed", "hoàn thành khóa may công nghiệp")
    k.follow_up(T(2025, 9, 12, 15), findings="trẻ đã tốt nghiệp khóa nghề")

    # C09: a 14-year-old boy forced by his father to carry loads on a building site, reported by
    # the police at night; emergency within 12 h, separation, court referral (after the reform).
    c = g.pick(dm(2025, 8, 4), 14, 14, sex="male")
    g.activity(c, dm(2025, 8, 4), "ART147-1-a", 9, 54, workplace="ART147-2-b", payment="unpaidOther",
               hazardous=True, legal_hazard=True, intended="hazardousChildLabour", at=T(2025, 8, 4, 21, 0))
    k = Case(g, "C09", c, "abuse", "intervention", "police", T(2025, 8, 4, 20, 0),
             "công an xã báo trẻ bị cha đánh, ép bốc vác tại công trình", opened=T(2025, 8, 4, 20, 30),
             story="emergency within 12 h; separated; court referral")
    k.initial(T(2025, 8, 4, 22, 0), emergency=True, serious=True, carer=True,
              summary="trẻ bị thương nhẹ, người gây hại là cha: cần biện pháp khẩn cấp")
    k.emergency(T(2025, 8, 5, 6, 30), "công an ngăn chặn hành vi; sơ cứu tại trạm y tế; đưa trẻ đến nơi an toàn")
    k.separate(T(2025, 8, 5, 7, 30), "12/QĐ-UBND", "chăm sóc thay thế tạm thời tại gia đình bà nội")
    k.refer(T(2025, 8, 6, 9), "R1", "psychological", "P09", dm(2025, 10, 31),
            override="người chăm sóc (cha) là người gây hại; mẹ đi làm xa chưa liên lạc được")
    k.needs(T(2025, 8, 7, 9), concern="high", services=["psychological", "legalAid", "alternativeCare"],
            carers_safe=False)
    k.refer(T(2025, 8, 12, 9), "R2", "legalAid", "P07", dm(2025, 9, 30), consent_by="bà nội (người chăm sóc thay thế)")
    k.update(T(2025, 8, 12, 14), "R1", "accepted", "")
    k.court(T(2025, 8, 14, 10), "carerPerpetrator",
            "hạn chế quyền của cha đối với con chưa thành niên; giao trẻ cho bà nội chăm sóc")
    k.update(T(2025, 8, 15, 9), "R2", "accepted", "")
    k.extend_separation(T(2025, 8, 18, 9), T(2025, 9, 19, 7, 30),
                        "văn bản đề nghị của Tòa án nhân dân có thẩm quyền trong thời gian giải quyết yêu cầu")
    k.update(T(2025, 8, 20, 9), "R1", "inProgress", "")
    k.end_separation(T(2025, 9, 16, 10), "Tòa án áp dụng biện pháp khẩn cấp tạm thời: giao trẻ cho bà nội chăm sóc")
    k.update(T(2025, 9, 26, 9), "R2", "completed", "trợ giúp pháp lý tại Tòa án")

    # C10: the worst form: a 15-year-old boy in debt bondage at the same kiln; the emergency
    # measures came after the 12 hours; vocational referral overdue at 2025-06-30; in progress.
    c = g.pick(dm(2025, 1, 15), 15, 15, sex="male", poor=True)
    c["school"].update(attendance="droppedOut", droppedOutOn=dm(2023, 9, 5))
    c["groups"] = [x for x in c["groups"] if x[0] != "droppedOutToWork"] + [("droppedOutToWork", 2)]
    wa10 = g.activity(c, dm(2025, 1, 15), "ART147-1-a", 10, 60, est="E13", night=True, hours=(4, 14),
                      payment="unpaidOther", worst=("forcedLabour",), compliance=C(False),
                      hazardous=True, legal_hazard=True, intended="worstForm", user=INSPECTOR,
                      at=T(2025, 1, 15, 14, 30), source="api", label="kiểm tra đột xuất lò gạch")
    g.inspection("I07", "E13", dm(2025, 1, 15), "unannounced", [
        g.finding("WFCL", wa10, "làm việc để trừ nợ của gia đình (cưỡng bức lao động)"),
        g.finding("PROHIBITED_JOB", wa10), g.finding("EXCESS_HOURS_15_17", wa10),
        g.finding("OT_NIGHT_NOT_ALLOWED", wa10), g.finding("NO_PARENT_CONSENT", wa10),
        g.finding("NO_REGISTER", wa10), g.finding("NO_HEALTH_CHECK", wa10), g.finding("NO_REP_CONSENT", wa10)],
        g.sanction("proposed", criminal=(dm(2025, 1, 20), "Điều 297 Bộ luật Hình sự (cưỡng bức lao động)"),
                   articles=["Điều 8 khoản 2", "Điều 147 khoản 1"]),
        follow={"dueOn": d(dm(2025, 4, 30)), "status": "pending", "childrenWithdrawn": 1},
        at=T(2025, 1, 15, 15, 0))
    g.commitment_status("CK-E13-2023", dm(2025, 1, 15), "breached", "phát hiện cưỡng bức lao động trẻ em",
                        inspection="I07")
    g.screen_child(c, dm(2025, 1, 15), extra=["activity.non_family_employer", "household.debt_or_shock"],
                   outcome="worstForm", stat_cl=True, at=T(2025, 1, 15, 15, 2))
    k = Case(g, "C10", c, "childLabour", "intervention", "screening", T(2025, 1, 15, 15, 0),
             "phân loại: hình thức lao động trẻ em tồi tệ nhất (cưỡng bức lao động)", opened=T(2025, 1, 15, 15, 30),
             trigger=("worstForm", "high"), story="worst form; emergency measures after 12 h; in progress")
    k.initial(T(2025, 1, 15, 17, 0), emergency=True, serious=True,
              summary="trẻ bị ép làm việc trừ nợ: cần biện pháp khẩn cấp")
    k.emergency(T(2025, 1, 16, 9, 0), "công an và cán bộ xã đưa trẻ khỏi lò gạch, về nhà bác ruột")
    k.needs(T(2025, 1, 17, 9), concern="high", services=["policeTrafficking", "psychological", "vocationalTraining"])
    k.conference(T(2025, 1, 21, 14))
    k.draft(T(2025, 1, 24, 10), [
        ("policeTrafficking", "điều tra hành vi cưỡng bức lao động", dm(2025, 1, 24), dm(2025, 3, 31), "công an xã", "P10", 0),
        ("psychological", "hỗ trợ tâm lý", dm(2025, 2, 3), dm(2025, 4, 30), "cán bộ LĐTBXH xã", "P09", 0),
        ("vocationalTraining", "học nghề hàn/điện", dm(2025, 3, 1), dm(2025, 12, 31), "cán bộ LĐTBXH xã", "P03", 5_000_000)])
    k.approve(T(2025, 1, 24, 16), "11/QĐ-UBND")
    k.refer(T(2025, 1, 24, 16, 30), "R1", "policeTrafficking", "P10", dm(2025, 1, 31), consent_by="mẹ")
    k.update(T(2025, 1, 30, 9), "R1", "accepted", "")
    k.update(T(2025, 1, 30, 10), "R1", "completed", "đã khởi tố vụ án")
    k.start(T(2025, 2, 3, 9))
    k.refer(T(2025, 2, 3, 10), "R2", "psychological", "P09", dm(2025, 3, 31))
    k.refer(T(2025, 2, 3, 10, 30), "R3", "vocationalTraining", "P03", dm(2025, 5, 31))
    k.update(T(2025, 2, 5, 9), "R2", "accepted", "")
    k.update(T(2025, 2, 10, 9), "R3", "accepted", "")
    k.update(T(2025, 3, 3, 9), "R3", "inProgress", "")
    k.update(T(2025, 3, 28, 9), "R2", "completed", "")
    k.follow_up(T(2025, 4, 10, 15), findings="trẻ không quay lại lò gạch, đang học nghề")
    g.inspection("I08", "E13", dm(2025, 4, 22), "followUp", [], g.sanction("none"),
                 follow={"dueOn": d(dm(2025, 4, 30)), "checkedOn": d(dm(2025, 4, 22)), "status": "remedied",
                         "nextInspectionId": rid("inspection", "I07")}, minors=0,
                 note="tái kiểm tra: không phát hiện người chưa thành niên làm việc")
    k.update(T(2025, 7, 15, 9), "R3", "completed", "hoàn thành khóa sơ cấp nghề hàn")
    k.follow_up(T(2025, 7, 24, 15), findings="trẻ đi làm thợ hàn học việc có hợp đồng, đủ 16 tuổi")

    # C11: a 14-year-old girl wrapping bánh gai 26 h a week; review overdue at 2024-12-31; risk
    # remained (back at work before Tết): re-planned, then closed.
    c = g.pick(dm(2024, 4, 10), 14, 14, sex="female")
    wa11 = g.activity(c, dm(2024, 4, 10), "TT09-A2-07", 4, 26, est="E18", payment="paid",
                      compliance=C(True, registerKept=False, healthCheck6Monthly=False), intended="childLabour",
                      at=T(2024, 4, 10, 16), label="nhà trường báo")
    k = Case(g, "C11", c, "childLabour", "intervention", "school", T(2024, 4, 10, 9, 0),
             "giáo viên báo học sinh gói bánh thuê nhiều giờ", opened=T(2024, 4, 10, 9, 30),
             story="review overdue at 2024-12-31; re-planned; closed")
    g.inspection("I04", "E18", dm(2024, 4, 16), "complaint", [
        g.finding("EXCESS_HOURS_U15", wa11), g.finding("NO_REGISTER", wa11), g.finding("NO_HEALTH_CHECK", wa11)],
        g.sanction("decided", fine=(20_000_000, 25_000_000), imposed=20_000_000, decision="40/QĐ-XPHC",
                   on=dm(2024, 4, 26), articles=["Điều 146 khoản 1"]))
    k.initial(T(2024, 4, 10, 15))
    k.needs(T(2024, 4, 16, 9), services=["medical", "livelihood"])
    k.conference(T(2024, 4, 22, 14))
    k.draft(T(2024, 4, 25, 10), [
        ("medical", "khám sức khỏe", dm(2024, 5, 6), dm(2024, 5, 10), "trạm y tế xã", "P05", 0),
        ("livelihood", "hỗ trợ sinh kế cho mẹ", dm(2024, 5, 15), dm(2024, 11, 30), "cán bộ LĐTBXH xã", "P08", 2_000_000)])
    k.approve(T(2024, 4, 26, 15), "42/QĐ-UBND")
    k.start(T(2024, 5, 2, 9))
    k.refer(T(2024, 5, 2, 10), "R1", "medical", "P05", dm(2024, 5, 10))
    k.refer(T(2024, 5, 2, 10, 30), "R2", "livelihood", "P08", dm(2024, 11, 30))
    k.update(T(2024, 5, 6, 9), "R1", "accepted", "")
    k.update(T(2024, 5, 8, 9), "R1", "completed", "")
    k.update(T(2024, 5, 20, 9), "R2", "accepted", "")
    k.follow_up(T(2024, 8, 14, 15))
    k.update(T(2024, 11, 29, 9), "R2", "completed", "mẹ được hỗ trợ con giống")
    g.activity(c, dm(2025, 1, 10), "TT09-A2-07", 6, 30, est="E18", payment="paid",
               compliance=C(True, registerKept=False), intended="childLabour", at=T(2025, 1, 10, 16),
               label="theo dõi: trẻ quay lại gói bánh dịp Tết")
    k.follow_up(T(2025, 1, 10, 15), out=False, findings="trẻ gói bánh thuê nhiều giờ dịp chuẩn bị Tết")
    k.review(T(2025, 1, 14, 9), risk_remains=True, stable=True, findings="nguy cơ còn: trẻ quay lại làm thuê")
    k.replan(T(2025, 1, 14, 10), "trẻ quay lại làm thuê quá giờ")
    k.draft(T(2025, 1, 17, 10), [
        ("cashAssistance", "trợ cấp dịp Tết để trẻ không phải làm thuê", dm(2025, 1, 20), dm(2025, 2, 28), "cán bộ LĐTBXH xã", "P08", 1_500_000),
        ("generalEducation", "học phụ đạo", dm(2025, 2, 10), dm(2025, 6, 30), "giáo viên chủ nhiệm", "P01", 0)])
    k.approve(T(2025, 1, 20, 15), "07/QĐ-UBND")
    k.start(T(2025, 1, 21, 9))
    k.refer(T(2025, 1, 21, 10), "R3", "cashAssistance", "P08", dm(2025, 2, 28))
    k.update(T(2025, 1, 22, 9), "R3", "accepted", "")
    k.update(T(2025, 1, 24, 9), "R3", "completed", "đã chi trợ cấp")
    k.follow_up(T(2025, 5, 15, 15))
    k.follow_up(T(2025, 6, 20, 15))
    k.review(T(2025, 6, 27, 10))
    k.close(T(2025, 7, 3, 10), "resolved")

    # C12: a 13-year-old boy herding buffalo 24 h a week in school hours; reviewed, waiting for
    # the second follow-up.
    c = g.pick(dm(2025, 3, 11), 13, 13, sex="male", craft=False)
    g.activity(c, dm(2025, 3, 11), "TT09-A2-10", 4, 24, payment="unpaidFamily", school=True,
               intended="childLabour", at=T(2025, 3, 11, 16), label="nhà trường báo")
    k = Case(g, "C12", c, "childLabour", "intervention", "school", T(2025, 3, 12, 8, 0),
             "giáo viên báo học sinh nghỉ học chăn trâu", opened=T(2025, 3, 12, 8, 30), story="reviewed")
    k.initial(T(2025, 3, 12, 14))
    k.needs(T(2025, 3, 17, 9), services=["generalEducation"])
    k.conference(T(2025, 3, 20, 14))
    k.draft(T(2025, 3, 25, 10), [
        ("generalEducation", "học phụ đạo, theo dõi chuyên cần", dm(2025, 3, 31), dm(2025, 8, 29), "giáo viên chủ nhiệm", "P01", 0)])
    k.approve(T(2025, 3, 26, 15), "27/QĐ-UBND")
    k.start(T(2025, 3, 27, 9))
    k.refer(T(2025, 3, 27, 10), "R1", "generalEducation", "P01", dm(2025, 5, 30), consent_by="cha")
    k.update(T(2025, 3, 31, 9), "R1", "accepted", "")
    k.update(T(2025, 5, 29, 9), "R1", "completed", "đi học đều")
    k.follow_up(T(2025, 7, 10, 15))
    k.review(T(2025, 8, 29, 9))

    # C13..C20: cases still early at the end of the story (after the reform, new commune code).
    c = g.pick(dm(2025, 9, 8), 15, 15, poor=True)
    c["leftBehind"] = True
    ra = g.screen_child(c, dm(2025, 9, 8), extra=["mobility.left_behind", "family.without_parents",
                                                  "household.debt_or_shock"], at=T(2025, 9, 8, 10, 30))
    k = Case(g, "C13", c, "atRisk", "support", "screening", T(2025, 9, 8, 10, 31),
             "sàng lọc: trẻ ở với ông bà, cha mẹ đi làm xa, nguy cơ bỏ học", opened=T(2025, 9, 8, 11, 0),
             trigger=("notChildLabour", ra["result"]["level"]), story="plan approved")
    k.initial(T(2025, 9, 8, 15), level="support")
    k.needs(T(2025, 9, 15, 9), services=["cashAssistance"])
    k.conference(T(2025, 9, 22, 14))
    k.draft(T(2025, 9, 25, 10), [
        ("cashAssistance", "trợ cấp học tập", dm(2025, 10, 1), dm(2025, 12, 31), "cán bộ Văn hóa - Xã hội xã", "P08", 1_200_000)])
    k.approve(T(2025, 9, 29, 15), "215/QĐ-UBND")
    k.refer(T(2025, 9, 29, 16), "R1", "cashAssistance", "P08", dm(2025, 10, 31), consent_by="bà ngoại")

    c = g.pick(dm(2025, 9, 10), 16, 16, sex="male")
    wa14 = g.activity(c, dm(2025, 9, 10), "OTHER", 6, 36, est="E16", night=True, hours=(17, 23), payment="paid",
                      compliance=C(True, registerKept=False, healthCheck6Monthly=False), intended="childLabour",
                      user=INSPECTOR, at=T(2025, 9, 10, 22, 30), source="api")
    g.inspection("I09", "E16", dm(2025, 9, 10), "complaint", [
        g.finding("OT_NIGHT_NOT_ALLOWED", wa14), g.finding("NO_REGISTER", wa14), g.finding("NO_HEALTH_CHECK", wa14)],
        g.sanction("proposed", fine=(20_000_000, 25_000_000), articles=["Điều 146 khoản 2", "Điều 106"]),
        at=T(2025, 9, 10, 22, 45))
    k = Case(g, "C14", c, "childLabour", "intervention", "screening", T(2025, 9, 10, 22, 45),
             "phân loại: lao động trẻ em (làm việc ban đêm)", opened=T(2025, 9, 11, 7, 30),
             trigger=("childLabour", "none"), story="plan drafted")
    k.initial(T(2025, 9, 11, 9))
    k.needs(T(2025, 9, 18, 9), services=["generalEducation"])
    k.conference(T(2025, 9, 25, 14))
    k.draft(T(2025, 9, 30, 10), [
        ("generalEducation", "bố trí học bổ túc buổi tối thay cho làm thêm", dm(2025, 10, 6), dm(2026, 1, 30), "cán bộ Văn hóa - Xã hội xã", "P03", 0)])

    c = g.pick(dm(2025, 4, 8), 14, 14, sex="male", village="T01", craft=True)
    g.activity(c, dm(2025, 4, 8), "TT09-A2-06", 4, 24, payment="unpaidFamily", school=True,
               intended="childLabour", at=T(2025, 4, 8, 16), label="cộng tác viên thôn báo")
    k = Case(g, "C15", c, "childLabour", "intervention", "village", T(2025, 4, 9, 7, 0),
             "trẻ nghỉ học phụ gia đình đan cói", opened=T(2025, 4, 9, 7, 30), story="re-planned")
    k.initial(T(2025, 4, 9, 9))
    k.needs(T(2025, 4, 14, 9), services=["reEnrolment", "livelihood"])
    k.conference(T(2025, 4, 17, 14))
    k.draft(T(2025, 4, 22, 10), [
        ("reEnrolment", "đi học đều, học phụ đạo", dm(2025, 4, 28), dm(2025, 9, 19), "giáo viên chủ nhiệm", "P01", 0)])
    k.approve(T(2025, 4, 23, 15), "38/QĐ-UBND")
    k.start(T(2025, 4, 24, 9))
    k.follow_up(T(2025, 6, 12, 15))
    g.activity(c, dm(2025, 9, 18), "TT09-A2-06", 4, 22, payment="unpaidFamily", intended="childLabour",
               at=T(2025, 9, 18, 16), label="theo dõi: trẻ đan cói quá giờ")
    k.follow_up(T(2025, 9, 18, 15), out=False, findings="trẻ đan cói hơn 20 giờ/tuần")
    k.review(T(2025, 9, 19, 10), risk_remains=True, stable=True, findings="nguy cơ còn")
    k.replan(T(2025, 9, 24, 10), "gia đình chưa giảm giờ làm của trẻ; cần hỗ trợ sinh kế")

    c = g.pick(dm(2025, 9, 17), 15, 15, sex="female", poor=True)
    k = Case(g, "C16", c, "atRisk", "support", "school", T(2025, 9, 17, 8, 0),
             "nhà trường báo học sinh không đến lớp đầu năm học", opened=T(2025, 9, 17, 8, 30), story="needs assessed")
    k.initial(T(2025, 9, 17, 15), level="support")
    g.screen_child(c, dm(2025, 9, 17), extra=["school.irregular", "household.debt_or_shock"], at=T(2025, 9, 17, 16))
    k.needs(T(2025, 9, 26, 9), services=["reEnrolment", "cashAssistance"])

    c = g.pick(dm(2025, 9, 28), 13, 13, sex="female")
    k = Case(g, "C17", c, "childLabour", "intervention", "hotline111", T(2025, 9, 28, 21, 10),
             "Tổng đài 111: trẻ bị chủ quán đánh khi làm thuê buổi tối", opened=T(2025, 9, 28, 21, 30),
             story="emergency measures within 12 h")
    k.initial(T(2025, 9, 29, 7, 30), emergency=True, serious=True, summary="trẻ bị đánh: cần biện pháp khẩn cấp")
    k.emergency(T(2025, 9, 29, 8, 30), "đưa trẻ đi khám tại trạm y tế, công an lập biên bản, trẻ về với mẹ")
    g.activity(c, dm(2025, 9, 29), "OTHER", 4, 20, night=True, hours=(18, 22), payment="paid",
               intended="childLabour", at=T(2025, 9, 29, 10, 0), label="xác minh tin báo 111")

    c = g.pick(dm(2025, 9, 24), 12, 12, sex="male", poor=True)
    ra = g.screen_child(c, dm(2025, 9, 24), extra=["school.over_age", "family.domestic_violence",
                                                   "household.debt_or_shock", "school.irregular"],
                        at=T(2025, 9, 24, 9, 0))
    k = Case(g, "C18", c, "atRisk", "support", "screening", T(2025, 9, 24, 9, 1),
             "sàng lọc: nguy cơ cao", opened=T(2025, 9, 24, 9, 30), trigger=("notChildLabour", ra["result"]["level"]),
             story="initial assessment done")
    k.initial(T(2025, 9, 24, 15), level="support")

    # C19: a hotline report relayed by the province's child-protection desk and forwarded to the
    # commune; review overdue at 2024-12-31; referral overdue at 2024-12-31; closed.
    c = g.pick(dm(2024, 10, 7), 11, 11, craft=True)
    k = Case(g, "C19", c, "childLabour", "intervention", "hotline111", T(2024, 10, 7, 9, 15),
             "Tổng đài 111 nhận tin trẻ dệt chiếu thuê ở xã Hoằng Đức", unit=OLD_COMMUNE, opened=T(2024, 10, 7, 9, 40),
             user=PROVINCE_OFFICER, story="forwarded by the province; overdue review and referral at 2024-12-31; closed")
    k.forward(T(2024, 10, 7, 9, 50), OLD_COMMUNE)
    wa19 = g.activity(c, dm(2024, 10, 7), "TT09-A2-04", 4, 21, est="E07", payment="paid",
               compliance=C(False, parentConsent=True), intended="childLabour", at=T(2024, 10, 7, 15, 0))
    k.initial(T(2024, 10, 7, 16, 0))
    k.needs(T(2024, 10, 14, 9), services=["reEnrolment"])
    k.conference(T(2024, 10, 17, 14))
    k.draft(T(2024, 10, 22, 10), [
        ("reEnrolment", "đi học đều", dm(2024, 10, 28), dm(2024, 12, 15), "giáo viên chủ nhiệm", "P02", 0)])
    k.approve(T(2024, 10, 23, 15), "101/QĐ-UBND")
    k.start(T(2024, 10, 24, 9))
    k.refer(T(2024, 10, 24, 10), "R1", "reEnrolment", "P02", dm(2024, 12, 15))
    k.update(T(2024, 10, 28, 9), "R1", "accepted", "")
    k.follow_up(T(2024, 11, 28, 15))
    k.update(T(2025, 1, 10, 9), "R1", "completed", "trẻ đi học đều")
    k.follow_up(T(2025, 1, 10, 15))
    k.review(T(2025, 1, 10, 16))
    k.close(T(2025, 1, 13, 10), "resolved")
    g.inspection("I13", "E07", dm(2024, 10, 9), "complaint", [
        g.finding("UNDERAGE_LT13", wa19), g.finding("EXCESS_HOURS_U15", wa19),
        g.finding("U15_CONTRACT_HEALTH", wa19), g.finding("NO_REGISTER", wa19), g.finding("NO_HEALTH_CHECK", wa19)],
        g.sanction("decided", fine=(50_000_000, 75_000_000), imposed=50_000_000, decision="97/QĐ-XPHC",
                   on=dm(2024, 10, 21), articles=["Điều 143 khoản 4", "Điều 145 khoản 3"]))

    c = g.pick(dm(2025, 9, 30), 12, 12)
    k = Case(g, "C20", c, "atRisk", "support", "village", T(2025, 9, 30, 8, 40),
             "trưởng thôn báo trẻ bốc hàng ở chợ trong giờ học", opened=T(2025, 9, 30, 9, 0), story="report received only")

    # C21: a 13-year-old weaving mats for a craft household; plan draft overdue at 2025-06-30,
    # drafted after the reform.
    c = g.pick(dm(2025, 5, 26), 13, 13, village="T01")
    wa21 = g.activity(c, dm(2025, 5, 26), "TT09-A2-04", 5, 28, est="E05", payment="paid",
                      compliance=C(False, parentConsent=True), intended="childLabour", at=T(2025, 5, 26, 16))
    k = Case(g, "C21", c, "childLabour", "intervention", "village", T(2025, 5, 27, 7, 0),
             "cộng tác viên báo trẻ dệt chiếu thuê quá giờ", opened=T(2025, 5, 27, 7, 30),
             story="plan draft overdue at 2025-06-30; in progress")
    k.initial(T(2025, 5, 27, 9))
    k.needs(T(2025, 6, 5, 9), services=["reEnrolment"])
    k.conference(T(2025, 6, 16, 14))
    k.draft(T(2025, 7, 8, 10), [
        ("reEnrolment", "học hè, đi học đều năm học mới", dm(2025, 7, 14), dm(2025, 12, 31), "giáo viên chủ nhiệm", "P01", 0)])
    k.approve(T(2025, 7, 10, 15), "18/QĐ-UBND")
    k.start(T(2025, 7, 11, 9))
    k.refer(T(2025, 7, 11, 10), "R1", "reEnrolment", "P01", dm(2025, 9, 5))
    k.update(T(2025, 7, 14, 9), "R1", "accepted", "")
    k.update(T(2025, 9, 5, 9), "R1", "completed", "trẻ vào lớp 8")
    k.follow_up(T(2025, 9, 18, 15))
    g.inspection("I12", "E05", dm(2025, 5, 28), "complaint", [
        g.finding("EXCESS_HOURS_U15", wa21), g.finding("U15_CONTRACT_HEALTH", wa21),
        g.finding("NO_REGISTER", wa21), g.finding("NO_HEALTH_CHECK", wa21)],
        g.sanction("decided", fine=(20_000_000, 25_000_000), imposed=20_000_000, decision="52/QĐ-XPHC",
                   on=dm(2025, 6, 9), articles=["Điều 146 khoản 1"]))

    # C22: a 16-year-old girl at the karaoke bar again; approval overdue at 2025-06-30, approved
    # by the new commune's chair.
    c = g.pick(dm(2025, 5, 20), 16, 16, sex="female")
    wa22 = g.activity(c, dm(2025, 5, 20), "OTHER", 5, 30, est="E15", workplace="ART147-2-d", night=True,
                      hours=(19, 0), payment="paid", compliance=C(False), legal_hazard=True,
                      intended="hazardousChildLabour", user=INSPECTOR, at=T(2025, 5, 20, 23, 30), source="api")
    g.inspection("I11", "E15", dm(2025, 5, 20), "unannounced", [
        g.finding("PROHIBITED_WORKPLACE", wa22), g.finding("OT_NIGHT_NOT_ALLOWED", wa22),
        g.finding("NO_PARENT_CONSENT", wa22), g.finding("NO_REP_CONSENT", wa22)],
        g.sanction("decided", fine=(50_000_000, 75_000_000), imposed=70_000_000, decision="49/QĐ-XPHC",
                   on=dm(2025, 6, 2), articles=["Điều 147 khoản 2"]),
        at=T(2025, 5, 20, 23, 45))
    g.commitment_status("CK-E15-2024", dm(2025, 5, 21), "breached", "tái phạm sử dụng người chưa thành niên",
                        inspection="I11")
    k = Case(g, "C22", c, "childLabour", "intervention", "screening", T(2025, 5, 20, 23, 45),
             "phân loại: lao động trẻ em nguy hiểm (nơi làm việc bị cấm)", opened=T(2025, 5, 21, 7, 30),
             trigger=("hazardousChildLabour", "none"), story="approval overdue at 2025-06-30; in progress")
    k.initial(T(2025, 5, 21, 9))
    k.needs(T(2025, 6, 2, 9), services=["psychological", "vocationalTraining"])
    k.conference(T(2025, 6, 19, 14))
    k.draft(T(2025, 6, 24, 10), [
        ("psychological", "tư vấn tâm lý", dm(2025, 7, 7), dm(2025, 8, 29), "cán bộ Văn hóa - Xã hội xã", "P09", 0),
        ("vocationalTraining", "học nghề làm đẹp", dm(2025, 9, 1), dm(2025, 12, 31), "cán bộ Văn hóa - Xã hội xã", "P04", 4_000_000)])
    k.approve(T(2025, 7, 3, 15), "03/QĐ-UBND")
    k.start(T(2025, 7, 4, 9))
    k.refer(T(2025, 7, 4, 10), "R1", "psychological", "P09", dm(2025, 8, 29))
    k.refer(T(2025, 7, 4, 10, 30), "R2", "vocationalTraining", "P04", dm(2025, 12, 31))
    k.update(T(2025, 7, 7, 9), "R1", "accepted", "")
    k.update(T(2025, 8, 25, 9), "R2", "accepted", "")
    k.update(T(2025, 8, 28, 9), "R1", "completed", "")
    k.follow_up(T(2025, 9, 15, 15), findings="trẻ không còn làm tại quán karaoke")

    # C01's employer: complaint inspection after the school's report.
    g.inspection("I01", "E03", dm(2023, 5, 16), "complaint", [
        g.finding("UNDERAGE_LT13", wa01), g.finding("EXCESS_HOURS_U15", wa01),
        g.finding("SCHOOL_CONFLICT_U15", wa01), g.finding("U15_CONTRACT_HEALTH", wa01),
        g.finding("NO_REGISTER", wa01), g.finding("NO_HEALTH_CHECK", wa01)],
        g.sanction("decided", fine=(50_000_000, 75_000_000), imposed=50_000_000, decision="38/QĐ-XPHC",
                   on=dm(2023, 5, 26), articles=["Điều 143 khoản 4", "Điều 145 khoản 3"]),
        follow={"dueOn": d(dm(2023, 6, 15)), "checkedOn": d(dm(2023, 6, 12)), "status": "remedied",
                "childrenWithdrawn": 1})
    g.update_inspection("I01", T(2023, 7, 10, 10), sanction__status="paid")
    g.update_inspection("I02", T(2023, 12, 15, 10), sanction__status="paid")
    g.update_inspection("I05", T(2024, 8, 5, 10), sanction__status="paid")
    g.update_inspection("I06", T(2024, 10, 20, 10), sanction__status="paid")

    # ---- background work activities (not child labour, or procedural only) -----------------
    background(g)

    # ---- prevention: inspections without cases, commitments, communication, training -------
    prevention(g, c3)


def background(g):
    r = g.rng
    C = Demo.compliance
    dm = dt.date

    def rand_day(y0, y1):
        start, end = dm(y0[0], y0[1], 1), dm(y1[0], y1[1], 28)
        return start + dt.timedelta(days=r.randrange((end - start).days + 1))

    craft_est = [f"E{i:02d}" for i in range(1, 11)] + ["E11"]

    def when(week):
        """A day of the story and the activity date it gives (survey weeks end on Sunday)."""
        on = rand_day((2023, 6), (2025, 8))
        if week:
            on -= dt.timedelta(days=on.weekday())
            return on, on + dt.timedelta(days=6)
        return on, on

    # A: chores only (no economic work), 5-12: not work at all (2 of them 21 h or more: child
    # labour in the SDG "with chores" series only).
    for i in range(22):
        on, act = when(i % 3 == 0)
        c = g.pick(act, 5, 12)
        chores = r.choice([4, 6, 7, 8, 10, 12, 14]) if i >= 2 else r.choice([21, 24])
        g.activity(c, on, "", 0, 0, chores=chores, week=i % 3 == 0, label="điều tra hộ gia đình")
    # B: 13-14 light farm work for the family, within the limits (3 of them 14-18 h: legal, but
    # child labour in the SDG economic series).
    for i in range(22):
        on, act = when(i % 2 == 0)
        c = g.pick(act, 13, 14, craft=False)
        hweek = r.choice([6, 8, 9, 10, 12]) if i >= 3 else r.choice([15, 16, 18])
        g.activity(c, on, r.choice(["TT09-A2-09", "TT09-A2-10"]), min(3, hweek / 4), hweek,
                   chores=r.choice([5, 7, 9]), week=i % 2 == 0, label="điều tra hộ gia đình")
    # C: 15-17 family farm work (rice, peanuts), within the limits.
    for i in range(20):
        on, act = when(i % 2 == 1)
        c = g.pick(act, 15, 17, craft=False)
        hweek = r.choice([10, 14, 18, 21, 24, 28, 30])
        g.activity(c, on, "OTHER", min(6, round(hweek / 5, 1)), hweek, chores=r.choice([3, 5, 7]),
                   week=i % 2 == 1, label="điều tra hộ gia đình")
    # D: 15-17 employed in the craft village with every obligation in place.
    for i in range(8):
        on, act = when(False)
        c = g.pick(act, 15, 17, village="T01")
        hweek = r.choice([15, 20, 24, 30])
        g.activity(c, on, r.choice(["TT09-A2-04", "TT09-A2-06"]), 4, hweek, est=r.choice(craft_est),
                   payment="paid", compliance=C(), label="kiểm tra làng nghề")
    # E: light work with procedural violations (register, health check, contract); the first is
    # found at the periodic inspection of the seafood business on 2024-03-19.
    first = dm(2024, 3, 19)
    c = g.pick(first, 15, 17)
    seafood = g.activity(c, first, "TT09-A2-11", 4, 20, est="E12", payment="paid",
                         compliance=C(True, registerKept=False, writtenContract=False),
                         intended="permittedWorkWithViolations", user=INSPECTOR, at=T(2024, 3, 19, 15, 0),
                         source="api", label="kiểm tra định kỳ")
    g.inspection("I03", "E12", first, "periodic",
                 [g.finding("NO_REGISTER", seafood), g.finding("NO_REP_CONSENT", seafood)],
                 g.sanction("none", warning=True, remedial="lập sổ theo dõi lao động chưa thành niên"),
                 follow={"dueOn": d(dm(2024, 4, 19)), "checkedOn": d(dm(2024, 4, 16)), "status": "remedied",
                         "commitmentId": rid("commitment", "CK-E12-2024")},
                 at=T(2024, 3, 19, 15, 10))
    for i in range(15):
        on, act = when(False)
        if i % 2 == 0:
            c = g.pick(act, 13, 14, village="T01")
            g.activity(c, on, "TT09-A2-04", 2.5, r.choice([8, 10, 12]), est=r.choice(craft_est), payment="paid",
                       compliance=C(True, registerKept=False, healthCheck6Monthly=False),
                       intended="permittedWorkWithViolations", label="kiểm tra làng nghề")
        else:
            c = g.pick(act, 15, 17)
            est, job = r.choice([("E12", "TT09-A2-11"), ("E18", "TT09-A2-07"), ("E11", "TT09-A2-06")])
            g.activity(c, on, job, 4, r.choice([16, 20, 24]), est=est, payment="paid",
                       compliance=C(True, registerKept=False, writtenContract=False),
                       intended="permittedWorkWithViolations", label="kiểm tra cơ sở")
    # Risk screens of some children with risk factors (dropped out, poor, craft households).
    candidates = [c for c in g.children if 7 <= age_on(c["birth"], dm(2024, 9, 1)) <= 16
                  and (c["school"]["attendance"] in ("droppedOut", "irregular")
                       or c["household"]["poverty"] in ("poor", "nearPoor"))
                  and c["key"] not in g.used_children]
    for c in r.sample(candidates, min(24, len(candidates))):
        on = rand_day((2024, 8), (2024, 11))
        g.screen_child(c, on)


def prevention(g, c3):
    r = g.rng
    dm = dt.date
    officials = [(s["id"], "communeOfficials") for s in g.staff_of("CB")]
    collab = [(s["id"], "villageCollaborators") for s in g.staff_of("TT", "CTV")]
    primary_t = [(s["id"], "educationStaff") for s in g.staff_of("GV-TH")]
    second_t = [(s["id"], "educationStaff") for s in g.staff_of("GV-THCS")]
    health = [(s["id"], "healthWorkers") for s in g.staff_of("YT")]
    craft = [f"E{i:02d}" for i in range(1, 12)]
    all_est = sorted(g.establishments)

    def kids(on, lo, hi):
        return [(c["id"], "children") for c in g.pupils(on, lo, hi)]

    # 2023: launch of the plan.
    g.comm(dm(2023, 5, 5), "loudspeaker", "Phát thanh Kế hoạch phòng ngừa, giảm thiểu lao động trẻ em của xã",
           ["community", "parentsAndCarers"], organiser="Đài truyền thanh xã")
    g.comm(dm(2023, 5, 20), "printed", "Tờ rơi, pa-nô: không sử dụng lao động trẻ em trái quy định",
           ["community", "parentsAndCarers", "employers"], materials=1200, cost=6_000_000)
    g.training(dm(2023, 5, 25), "childLabourLaw", "Tập huấn quy định pháp luật về lao động chưa thành niên",
               ["communeOfficials", "villageCollaborators"], 8, "Phòng LĐTBXH huyện Hoằng Hóa",
               persons=officials + collab, cost=8_000_000, certificate=True)
    g.comm(dm(2023, 6, 1), "event", "Lễ phát động Tháng hành động vì trẻ em năm 2023",
           ["children", "parentsAndCarers", "community"], persons=officials,
           heads=[("children", 350, 171), ("parentsAndCarers", 180, 112), ("community", 120, 60)],
           cost=15_000_000, organiser="UBND xã, Đoàn Thanh niên")
    g.comm(dm(2023, 6, 12), "meeting", "Ngày Thế giới phòng, chống lao động trẻ em 12/6 tại làng nghề",
           ["employers", "parentsAndCarers"], village="T01", orgs=craft,
           heads=[("employers", 11, 5), ("parentsAndCarers", 65, 40)], cost=3_000_000)
    for code, name, _n in g.village_list:
        carers = [(g.carers[h["key"]]["id"], "parentsAndCarers") for h in g.households
                  if h["village"] == code and r.random() < 0.72]
        g.comm(dm(2023, 6, 15) + dt.timedelta(days=3 * int(code[1:])), "meeting",
               f"Sinh hoạt cộng đồng {name}: phòng ngừa lao động trẻ em", ["parentsAndCarers", "community"],
               village=code, persons=[p for p in collab if g.staff_village(p[0]) == code] + carers,
               heads=[("community", r.randrange(10, 30), 0)],
               cost=500_000, organiser="Ban công tác Mặt trận thôn")
    g.training(dm(2023, 7, 20), "employerCompliance", "Tập huấn người sử dụng lao động: nghĩa vụ khi sử dụng lao động chưa thành niên",
               ["employers"], 4, "Thanh tra Sở LĐTBXH", orgs=all_est, heads=[("employers", 26, 11)], cost=6_000_000)
    g.comm(dm(2023, 9, 25), "school", "Ngoại khóa: quyền trẻ em, không lao động trái quy định (THCS)",
           ["children", "educationStaff"], persons=kids(dm(2023, 9, 25), 6, 9) + second_t, organiser="Trường THCS Hoằng Đức")
    g.comm(dm(2023, 9, 27), "school", "Ngoại khóa: em biết tự bảo vệ (Tiểu học)",
           ["children", "educationStaff"], persons=kids(dm(2023, 9, 27), 3, 5) + primary_t, organiser="Trường Tiểu học Hoằng Đức")
    g.comm(dm(2023, 10, 2), "employerVisit", "Tuyên truyền trực tiếp tại hộ sản xuất làng nghề",
           ["employers"], village="T01", orgs=craft, end=dm(2023, 10, 13))
    g.training(dm(2023, 10, 18), "identification", "Tập huấn giáo viên: nhận biết trẻ có nguy cơ và lao động trẻ em",
               ["educationStaff"], 4, "cán bộ LĐTBXH xã", persons=primary_t + second_t, cost=2_000_000)
    # 2024
    g.comm(dm(2024, 3, 4), "online", "Nhóm Zalo các thôn: thông tin về lao động trẻ em", ["parentsAndCarers", "community"],
           end=dm(2024, 3, 29))
    g.training(dm(2024, 4, 16), "caseManagement", "Quản lý trường hợp trẻ em theo Nghị định 56/2017",
               ["communeOfficials", "villageCollaborators", "healthWorkers"], 16, "Phòng LĐTBXH huyện Hoằng Hóa",
               level="district", unit=DISTRICT, persons=officials[:6] + collab[:8] + health, end=dm(2024, 4, 17),
               certificate=True)
    g.comm(dm(2024, 6, 1), "event", "Lễ phát động Tháng hành động vì trẻ em năm 2024",
           ["children", "parentsAndCarers", "community"], persons=officials[:8],
           heads=[("children", 410, 203), ("parentsAndCarers", 150, 95), ("community", 90, 41)], cost=15_000_000)
    g.comm(dm(2024, 6, 12), "contest", "Hội thi tìm hiểu quyền trẻ em và phòng ngừa lao động trẻ em",
           ["children", "educationStaff"], persons=r.sample(kids(dm(2024, 6, 12), 6, 9), 40) + second_t[:6],
           heads=[("children", 220, 118)], cost=10_000_000, organiser="Đoàn Thanh niên, Trường THCS")
    g.training(dm(2024, 7, 11), "employerCompliance", "Tập huấn an toàn lao động và sử dụng lao động chưa thành niên tại làng nghề",
               ["employers", "workers"], 4, "Thanh tra Sở LĐTBXH", orgs=craft + ["E12", "E18"],
               heads=[("employers", 14, 6), ("workers", 35, 22)], cost=5_000_000)
    g.comm(dm(2024, 9, 23), "school", "Ngoại khóa đầu năm học 2024-2025 (THCS)", ["children", "educationStaff"],
           persons=kids(dm(2024, 9, 23), 6, 9) + second_t, organiser="Trường THCS Hoằng Đức")
    g.comm(dm(2024, 9, 25), "school", "Ngoại khóa đầu năm học 2024-2025 (Tiểu học)", ["children", "educationStaff"],
           persons=kids(dm(2024, 9, 25), 3, 5) + primary_t, organiser="Trường Tiểu học Hoằng Đức")
    g.comm(dm(2024, 10, 19), "childrenForum", "Diễn đàn trẻ em xã Hoằng Đức năm 2024",
           ["children", "communeOfficials"], persons=r.sample(kids(dm(2024, 10, 19), 7, 9), 40) + officials[:5],
           cost=5_000_000)
    g.training(dm(2024, 11, 14), "parenting", "Kỹ năng làm cha mẹ, không để trẻ bỏ học đi làm",
               ["parentsAndCarers"], 3, "Hội Liên hiệp Phụ nữ xã", heads=[("parentsAndCarers", 38, 31)], cost=2_500_000)
    at_risk_homes = sorted({c["household"]["key"] for c in g.children if c["key"] in g.used_children})
    g.comm(dm(2024, 11, 20), "homeVisit", "Tư vấn tại hộ gia đình có trẻ em có nguy cơ", ["parentsAndCarers"],
           persons=[(g.carers[k]["id"], "parentsAndCarers") for k in at_risk_homes], end=dm(2024, 12, 6))
    # 2025
    g.comm(dm(2025, 3, 3), "loudspeaker", "Phát thanh: quy định mới về lao động chưa thành niên", ["community"],
           organiser="Đài truyền thanh xã", end=dm(2025, 3, 28))
    g.training(dm(2025, 3, 20), "lifeSkills", "Kỹ năng sống và tự bảo vệ cho học sinh THCS", ["children"], 3,
               "Trung tâm Công tác xã hội tỉnh", persons=r.sample(kids(dm(2025, 3, 20), 7, 9), 60), cost=3_000_000)
    g.comm(dm(2025, 5, 12), "printed", "Áp phích, tờ gấp tại các cơ sở sản xuất", ["employers", "workers"],
           orgs=all_est, materials=600, cost=3_600_000)
    g.comm(dm(2025, 6, 2), "event", "Lễ phát động Tháng hành động vì trẻ em năm 2025",
           ["children", "parentsAndCarers", "community"], persons=officials[:8],
           heads=[("children", 380, 190), ("parentsAndCarers", 140, 90), ("community", 80, 38)], cost=15_000_000)
    g.comm(dm(2025, 6, 12), "meeting", "Đối thoại với hộ sản xuất làng nghề nhân ngày 12/6",
           ["employers"], village="T01", orgs=craft, heads=[("employers", 11, 4)])
    # The new commune (from 2025-07-01)
    g.comm(dm(2025, 7, 15), "meeting", "Triển khai công tác bảo vệ trẻ em sau sắp xếp đơn vị hành chính",
           ["communeOfficials", "villageCollaborators"], persons=officials + collab,
           heads=[("communeOfficials", 21, 9), ("villageCollaborators", 36, 12)], organiser="UBND xã Hoằng Hóa")
    g.training(dm(2025, 8, 12), "childProtection", "Tập huấn công tác bảo vệ trẻ em, phòng ngừa lao động trẻ em cho cán bộ xã Hoằng Hóa",
               ["communeOfficials"], 8, "Sở Nội vụ tỉnh Thanh Hóa", persons=officials,
               heads=[("communeOfficials", 24, 10)], cost=10_000_000, certificate=True)
    g.comm(dm(2025, 9, 8), "school", "Ngoại khóa đầu năm học 2025-2026 (THCS)", ["children", "educationStaff"],
           persons=kids(dm(2025, 9, 8), 6, 9) + second_t, organiser="Trường THCS Hoằng Đức")
    g.training(dm(2025, 9, 16), "employerCompliance", "Tập huấn người sử dụng lao động xã Hoằng Hóa",
               ["employers"], 4, "Thanh tra Sở Nội vụ", orgs=all_est, heads=[("employers", 30, 12)], cost=6_000_000)

    # Commitments of the craft village (signed at the 12/6/2023 meeting), renewed after the reform.
    for i, key in enumerate(craft, 1):
        g.commitment(f"CK-{key}-2023", key, dm(2023, 6, 12), dm(2025, 8, 1),
                     "không sử dụng trẻ em dưới 13 tuổi; bảo đảm điều kiện lao động cho người 13-17 tuổi",
                     "chủ hộ" if key != "E11" else "giám đốc hợp tác xã")
    g.commitment("CK-E12-2024", "E12", dm(2024, 3, 25), dm(2026, 3, 25),
                 "lập sổ theo dõi, khám sức khỏe định kỳ cho lao động chưa thành niên", "chủ cơ sở")
    g.commitment("CK-E18-2024", "E18", dm(2024, 4, 26), dm(2026, 4, 26),
                 "không để người dưới 15 tuổi làm quá 4 giờ/ngày, 20 giờ/tuần", "chủ cơ sở")
    for key in craft:
        if key == "E10":
            g.commitment_status(f"CK-{key}-2023", dm(2025, 8, 1), "expired", "hộ ngừng sản xuất chiếu")
            continue
        g.commitment(f"CK-{key}-2025", key, dm(2025, 7, 15), dm(2027, 7, 15),
                     "không sử dụng trẻ em dưới 13 tuổi; bảo đảm điều kiện lao động cho người 13-17 tuổi",
                     "chủ hộ" if key != "E11" else "giám đốc hợp tác xã", previous=f"CK-{key}-2023")
        g.commitment_status(f"CK-{key}-2023", dm(2025, 7, 15), "renewed", "ký lại sau sắp xếp đơn vị hành chính",
                            renewed_by=f"CK-{key}-2025")
    # A periodic inspection of the cooperative in the new commune: nothing found.
    g.inspection("I10", "E11", dm(2025, 8, 20), "periodic", [], g.sanction("none"), minors=2,
                 note="2 lao động 16-17 tuổi, đủ hồ sơ, sổ theo dõi, khám sức khỏe định kỳ")


# ---------------------------------------------------------------------------------------------
# Deadline simulation (mirrors docs/cases.md) for the expected figures


class CaseSim:
    LEGAL = {"emergencyDecision", "separationDecision", "separationMax", "planDraft", "planApproval"}

    def __init__(self, cal):
        self.cal = cal
        self.cases, self.referrals = {}, {}

    def wd_due(self, start, n):
        return end_of_local_day(self.cal.add_working_days(local_date(start), n))

    @staticmethod
    def end(clock, at, meet):
        in_time = at <= clock["due"]
        clock["status"] = ("met" if in_time else "metLate") if meet else ("cancelled" if in_time else "missed")
        clock["closed"] = at

    def meet(self, c, kind, at):
        for clock in reversed(c["clocks"]):
            if clock["kind"] == kind and clock["status"] == "open":
                self.end(clock, at, True)
                return

    def add(self, c, kind, start, due, at):
        for clock in c["clocks"]:
            if clock["kind"] == kind and clock["status"] == "open":
                self.end(clock, at, False)
        c["clocks"].append({"kind": kind, "start": start, "due": due, "status": "open",
                            "legal": kind in self.LEGAL})

    def apply(self, at, cmd):
        (name, b), = cmd["body"].items()
        if name == "openCase":
            rec = b["notification"]["receivedAt"]["micros"]
            rec = int(rec)
            self.cases[b["caseId"]] = {"state": "reported", "clocks": [], "unit": b["unitCode"], "kind": b["kind"],
                                       "received": rec, "plan_end": None, "referrals": []}
            self.add(self.cases[b["caseId"]], "emergencyDecision", rec, rec + 12 * US_PER_HOUR, at)
            return
        c = self.cases[cmd["caseId"]]
        if name == "forward":
            c["unit"], c["state"] = b["toUnitCode"], "forwarded"
        elif name == "initialAssessment":
            if not b["assessment"]["emergencyNeeded"]:
                self.meet(c, "emergencyDecision", at)
            c["state"] = "initialAssessed"
        elif name == "startEmergency":
            self.meet(c, "emergencyDecision", at)
            c["state"] = "emergency"
        elif name == "separate":
            clock = {"kind": "separationDecision", "start": c["received"], "due": c["received"] + 12 * US_PER_HOUR,
                     "status": "open", "legal": True}
            self.end(clock, at, True)
            c["clocks"].append(clock)
            self.add(c, "separationMax", at, at + 15 * US_PER_DAY, at)
            c["state"] = "separated"
        elif name == "extendSeparation":
            for clock in c["clocks"]:
                if clock["kind"] == "separationMax" and clock["status"] == "open":
                    assert at <= clock["due"], "extension after the term is not modelled here"
                    clock["due"] = int(b["newEndsBy"]["micros"])
        elif name == "endSeparation":
            self.meet(c, "separationMax", at)
        elif name == "needsAssessment":
            c["state"] = "needsAssessed"
        elif name == "conference":
            self.add(c, "planDraft", at, self.wd_due(at, 5), at)
            c["state"] = "conferenceHeld"
        elif name == "draftPlan":
            c["plan_end"] = max(dt.date.fromisoformat(s["end"]) for s in b["plan"]["services"])
            self.meet(c, "planDraft", at)
            self.add(c, "planApproval", at, self.wd_due(at, 2), at)
            c["state"] = "planDrafted"
        elif name == "approvePlan":
            self.meet(c, "planApproval", at)
            c["state"] = "planApproved"
        elif name == "startPlan":
            self.add(c, "review", at, end_of_local_day(c["plan_end"]), at)
            c["state"] = "inProgress"
        elif name == "review":
            self.meet(c, "review", at)
            c["state"] = "reviewed"
        elif name == "replan":
            self.add(c, "planDraft", at, self.wd_due(at, 5), at)
            c["state"] = "replan"
        elif name == "referToCourt":
            for clock in c["clocks"]:
                if clock["status"] == "open" and clock["kind"] in ("planDraft", "planApproval", "review"):
                    self.end(clock, at, False)
            c["state"] = "courtReferral"
        elif name == "close":
            for clock in c["clocks"]:
                if clock["status"] == "open":
                    self.end(clock, at, False)
            c["state"] = "closed"
        elif name == "requestReferral":
            self.referrals[b["referralId"]] = {"status": "requested", "due": end_of_local_day(dt.date.fromisoformat(b["dueBy"])),
                                               "service": b["service"], "case": cmd["caseId"],
                                               "consent": b["consent"].get("given", False), "reReferral": "reReferralOf" in b}
            c["referrals"].append(b["referralId"])
        elif name == "updateReferral":
            self.referrals[b["referralId"]]["status"] = b["status"]
        elif name == "followUp":
            pass
        else:
            raise ValueError(name)

    def overdue(self, t):
        items = []
        for cid, c in self.cases.items():
            for clock in c["clocks"]:
                if clock["status"] == "open" and clock["due"] < t:
                    items.append((cid, clock["kind"]))
            for rid_ in c["referrals"]:
                ref = self.referrals[rid_]
                if ref["status"] not in ("declined", "completed", "revoked") and ref["due"] < t:
                    items.append((cid, "referralDue"))
        return items

    def in_time(self, cid, t):
        for clock in self.cases[cid]["clocks"]:
            if not clock["legal"]:
                continue
            if clock["status"] in ("metLate", "missed"):
                return False
            if clock["status"] == "open" and t > clock["due"]:
                return False
        return True


# ---------------------------------------------------------------------------------------------
# Output


def finalize(g):
    cmds = sorted(g.commands, key=lambda c: (c[0], c[1]))
    out = []
    for i, (at, _order, user, source, name, body, note) in enumerate(cmds, 1):
        cmd = {"at": ts(at), "actor": actor(user, at), "source": source,
               "commandId": rid("command", f"{i:05d}")}
        if note:
            cmd["note"] = note
        cmd["payload"] = {name: body}
        out.append(cmd)
    return out


def person_record(c):
    s = c["school"]
    school = {"attendance": s["attendance"], "grade": s["grade"], "level": s["level"], "asOf": d(SURVEY_DATE)}
    if s["droppedOutOn"]:
        school["droppedOutOn"] = d(s["droppedOutOn"])
    if s["schoolName"]:
        school["schoolName"] = s["schoolName"]
    hh = c["household"]
    rec = {"id": c["id"], "fullName": c["name"], "sex": c["sex"],
           "birthDate": {"date": d(c["birth"]), "estimated": c["estimated"]}, "ethnicity": c["ethnicity"],
           "nationalId": c["nid"], "householdId": hh["id"], "school": school, "disability": c["disability"]}
    if c["groups"]:
        rec["specialCircumstances"] = [{"group": gname, "subType": sub, "verifiedOn": d(SURVEY_DATE)}
                                       for gname, sub in c["groups"]]
    rec.update({"communeCode": OLD_COMMUNE, "villageCode": hh["village"], "migrant": c["migrant"],
                "leftBehind": c["leftBehind"], "livesWithoutParents": c["relationship"] == "grandchild"})
    return rec


SPECIAL_LETTER = {"orphaned": "a", "abandoned": "b", "withoutCarer": "c", "disabled": "d", "hivAids": "đ",
                  "inConflictWithLaw": "e", "drugAddicted": "g", "droppedOutToWork": "h", "harmedByViolence": "i",
                  "exploited": "k", "sexuallyAbused": "l", "trafficked": "m", "seriouslyIllInPoorHousehold": "n",
                  "unaccompaniedMigrant": "o"}


def snake(name):
    """Schema enumerant name -> the snake_case code of docs/exchange.md (nearPoor -> near_poor)."""
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


ETHNICITY_NAME = {"kinh": "Kinh", "muong": "Mường"}


def write_csvs(g, out):
    def dump(path, columns, rows):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([row[k] for k in columns])
        path.write_text(buf.getvalue(), encoding="utf-8")

    hrows = [{"household_key": h["key"], "commune_code": OLD_COMMUNE, "village": h["village"],
              "poverty_status": snake(h["poverty"]) if h["poverty"] != "unknown" else "",
              "poverty_standard": "decree07of2021" if h["poverty"] != "unknown" else "",
              "poverty_year": "2024" if h["poverty"] != "unknown" else "", "residence": "rural",
              "craft_village": "true" if h["craft"] else "false",
              "craft_village_name": CRAFT_VILLAGE if h["craft"] else ""} for h in g.households]
    crows = []
    for c in g.children:
        s = c["school"]
        crows.append({
            "child_key": c["key"], "household_key": c["household"]["key"], "full_name": c["name"], "sex": c["sex"],
            "birth_date": d(c["birth"]), "birth_date_estimated": "true" if c["estimated"] else "false",
            "ethnicity": ETHNICITY_NAME[c["ethnicity"]], "national_id": c["nid"],
            "school_status": snake(s["attendance"]) if s["attendance"] != "unknown" else "",
            "grade": str(s["grade"]) if s["grade"] else "",
            "school_level": snake(s["level"]) if s["level"] != "unknown" else "",
            "dropped_out_on": d(s["droppedOutOn"]) if s["droppedOutOn"] else "", "disability": c["disability"],
            "special_groups": ";".join(f"TE-{SPECIAL_LETTER[gname]}.{sub}" for gname, sub in c["groups"]),
            "relationship": snake(c["relationship"]), "migrant": "true" if c["migrant"] else "false",
            "left_behind": "true" if c["leftBehind"] else "false",
            "lives_without_parents": "true" if c["relationship"] == "grandchild" else "false"})
    dump(out / "households.csv", HOUSEHOLD_COLUMNS, hrows)
    dump(out / "children.csv", CHILD_COLUMNS, crows)


def write_people(g, out):
    at = local_us(SURVEY_DATE, 9, 0)
    lines = []
    n = 0
    for h in g.households:
        hh = {"id": h["id"], "communeCode": OLD_COMMUNE, "villageCode": h["village"]}
        if h["poverty"] != "unknown":
            hh["poverty"] = [{"status": h["poverty"], "standard": "decree07of2021", "year": 2024,
                              "residence": "rural", "decidedOn": "2023-12-20", "deprivations": 0}]
        hh.update({"craftVillage": h["craft"], "craftVillageName": CRAFT_VILLAGE if h["craft"] else "",
                   "residence": "rural",
                   "members": [{"personId": c["id"], "relationship": c["relationship"]} for c in h["members"]],
                   "householdBusiness": h["business"], "agricultural": h["agricultural"]})
        for payload, body in [("upsertHousehold", hh)] + [("upsertPerson", person_record(c)) for c in h["members"]]:
            n += 1
            cmd = {"at": ts(at + n), "actor": actor(WORKER, at), "source": "csvImport",
                   "commandId": rid("import-command", f"{n:05d}"), "payload": {payload: body}}
            lines.append(json.dumps(cmd, ensure_ascii=False, separators=(",", ":")))
    (out / "people.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def payload_counts(cmds):
    counts = {}
    for c in cmds:
        for name in c["payload"]:
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def expected(g, cmds):
    def ref_end(day):
        return end_of_local_day(day)

    # Children 5-17 on 2024-12-31.
    pop = {}
    for c in g.children:
        band = stat_band(age_on(c["birth"], REF_2024))
        if band in ("under5", "adult"):
            continue
        pop.setdefault(c["sex"], {}).setdefault(band, 0)
        pop[c["sex"]][band] += 1
    bands = ["age5to11", "age12to14", "age15to17"]
    pop_table = {sex: {b: pop.get(sex, {}).get(b, 0) for b in bands} for sex in ("female", "male")}
    for sex in pop_table:
        pop_table[sex]["total"] = sum(pop_table[sex][b] for b in bands)
    pop_table["total"] = {b: pop_table["female"][b] + pop_table["male"][b] for b in bands + ["total"]}

    # Work activities.
    by_outcome, by_year, sdg = {}, {}, {"yes": 0, "no": 0}
    for a in g.activities:
        by_outcome[a["intended"]] = by_outcome.get(a["intended"], 0) + 1
        by_year[str(a["year"])] = by_year.get(str(a["year"]), 0) + 1
        sdg[a["sdgEconomic"]] += 1
    cl_children_2024 = sorted({a["child"]["id"] for a in g.activities if a["year"] == 2024
                               and a["intended"] in ("childLabour", "hazardousChildLabour", "worstForm")})
    sdg_children_2024 = sorted({a["child"]["id"] for a in g.activities if a["year"] == 2024
                                and a["sdgEconomic"] == "yes"})

    # Cases: replay the case commands in order.
    sim = CaseSim(g.cal)
    snapshots = {}
    points = {"2024-12-31": ref_end(REF_2024), "2025-06-30": ref_end(REF_H1_2025), "end": STORY_END_US}
    pending = sorted(points.items(), key=lambda kv: kv[1])
    for cmd in cmds:
        at = int(cmd["at"]["micros"])
        while pending and at > pending[0][1]:
            label, t = pending.pop(0)
            snapshots[label] = sim.overdue(t)
        if "caseCommand" in cmd["payload"]:
            sim.apply(at, cmd["payload"]["caseCommand"])
    for label, t in pending:
        snapshots[label] = sim.overdue(t)
    key_of = {k.id: k.key for k in g.cases}
    overdue = {}
    for label, items in snapshots.items():
        kinds = {}
        for _cid, kind in items:
            kinds[kind] = kinds.get(kind, 0) + 1
        overdue[label] = {"instant_micros": str(points[label]), "total": len(items),
                          "legal": sum(1 for _c, k in items if k in CaseSim.LEGAL),
                          "byKind": dict(sorted(kinds.items())),
                          "items": sorted(f"{key_of[c]}:{k}" for c, k in items)}
    states, kinds = {}, {}
    for c in sim.cases.values():
        states[c["state"]] = states.get(c["state"], 0) + 1
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    ref_status, ref_service = {}, {}
    for ref in sim.referrals.values():
        ref_status[ref["status"]] = ref_status.get(ref["status"], 0) + 1
        ref_service[ref["service"]] = ref_service.get(ref["service"], 0) + 1
    in_time = sorted(key_of[cid] for cid in sim.cases if sim.in_time(cid, STORY_END_US))

    # Reach.
    def reach(records):
        res = {}
        for rec in records:
            for p in rec.get("participants", []):
                e = res.setdefault(p["group"], {"registeredRows": 0, "persons": set(), "headCount": 0, "headCountFemale": 0})
                e["registeredRows"] += 1
                e["persons"].add(p["personId"])
            for h in rec.get("headCounts", []):
                e = res.setdefault(h["group"], {"registeredRows": 0, "persons": set(), "headCount": 0, "headCountFemale": 0})
                e["headCount"] += h["count"]
                e["headCountFemale"] += h["female"]
        out = {}
        for grp in sorted(res):
            e = res[grp]
            out[grp] = {"registeredRows": e["registeredRows"], "distinctPersons": len(e["persons"]),
                        "headCount": e["headCount"], "headCountFemale": e["headCountFemale"],
                        "total": e["registeredRows"] + e["headCount"]}
        return out

    def orgs(records):
        return len({o for rec in records for o in rec.get("organisationIds", [])})

    insp_codes = {}
    for i in g.inspections.values():
        for f in i["record"]["findings"]:
            insp_codes[f["code"]] = insp_codes.get(f["code"], 0) + 1
    sanctions = {}
    for i in g.inspections.values():
        s = i["record"]["sanction"]["status"]
        sanctions[s] = sanctions.get(s, 0) + 1
    commit = {}
    for cm in g.commitments.values():
        commit[cm["status"]] = commit.get(cm["status"], 0) + 1

    return {
        "generator": {"script": "examples/demo/generate_demo.py", "seed": SEED, "surveyDate": d(SURVEY_DATE),
                      "storyEnd_micros": str(STORY_END_US), "oldCommune": OLD_COMMUNE, "newCommune": NEW_COMMUNE,
                      "reformDate": d(MERGER)},
        "definitions": {
            "households": "rows of households.csv (one survey list, commune 15928, as of surveyDate)",
            "children": "rows of children.csv (aged 0-17 on surveyDate)",
            "children5to17At2024_12_31": ("children of children.csv by sex and ILO/SDG statistical band of their age in "
                                          "completed years on 2024-12-31 (Civil Code; recorded birth date, estimated "
                                          "or not: every estimated date is 1 July and the age at 31 December is the "
                                          "same for any day of the year); under-5s and 18-year-olds excluded"),
            "workActivities": ("recordWorkActivity commands of events.jsonl; byIntendedOutcome = the legal outcome "
                               "(VN-LC2019, ClassificationOutcome names) each activity was designed to have; "
                               "sdgEconomic = the SDG 8.7.1 economic-series status (ILO-SDG871) designed"),
            "workActivityOutcomes": "workActivity id -> designed legal outcome and SDG economic status",
            "childLabourChildren2024": ("distinct children with at least one activity dated in 2024 whose designed legal "
                                        "outcome is childLabour, hazardousChildLabour or worstForm"),
            "sdgEconomicChildren2024": ("distinct children with at least one activity dated in 2024 designed to be in "
                                        "child labour in the SDG 8.7.1 economic series (per activity, not summed "
                                        "over a week)"),
            "cases": ("cases opened in events.jsonl; byFinalState = state after the last command; byKind = CaseKind "
                      "given at opening"),
            "overdue": ("open deadlines and open referrals of CaseBook::QueryDeadlines at the instant (overdue = "
                        "dueAt < instant): every open clock (legal or not, including review) plus every referral "
                        "not declined/completed/revoked whose dueBy ended; '2024-12-31' and '2025-06-30' are the "
                        "last microsecond of that local day (UTC+7); 'end' is storyEnd; items are caseKey:kind"),
            "supportedInTimeAtEnd": "case keys for which SupportedInTime(case, storyEnd) holds (P2 'in time')",
            "referrals": "requestReferral commands, by status after the last command and by service",
            "reach": ("recordCommunication / recordTraining records over the whole story, per AudienceGroup: "
                      "registeredRows = participants listed by person id (a person counted once per record), "
                      "distinctPersons = distinct person ids, headCount / headCountFemale = sums of anonymous head "
                      "counts, total = registeredRows + headCount; organisationsReached = distinct establishments "
                      "in organisationIds"),
            "inspections": "distinct inspection ids (updates with the same id are not counted again); findings by code; "
                           "sanction status after the last update",
            "commitments": "commitments by status after the last command",
        },
        "households": len(g.households),
        "children": len(g.children),
        "staffPersons": len(g.staff),
        "registeredCarers": len(g.carers),
        "children5to17At2024_12_31": pop_table,
        "workActivities": {"total": len(g.activities), "byIntendedOutcome": dict(sorted(by_outcome.items())),
                           "byYear": dict(sorted(by_year.items())), "sdgEconomic": sdg},
        "childLabourChildren2024": len(cl_children_2024),
        "sdgEconomicChildren2024": len(sdg_children_2024),
        "workActivityOutcomes": {a["record"]["id"]: {"legal": a["intended"], "sdgEconomic": a["sdgEconomic"]}
                                 for a in g.activities},
        "riskAssessments": {"total": len(g.risk),
                            "byLevel": {lv: sum(1 for x in g.risk if x["level"] == lv) for lv in ("low", "medium", "high")}},
        "cases": {"total": len(sim.cases), "byFinalState": dict(sorted(states.items())),
                  "byKind": dict(sorted(kinds.items())),
                  "stories": {k.key: k.story for k in g.cases}},
        "overdue": overdue,
        "supportedInTimeAtEnd": in_time,
        "referrals": {"total": len(sim.referrals), "byStatus": dict(sorted(ref_status.items())),
                      "byService": dict(sorted(ref_service.items())),
                      "withoutConsent": sum(1 for x in sim.referrals.values() if not x["consent"]),
                      "reReferrals": sum(1 for x in sim.referrals.values() if x["reReferral"])},
        "reach": {"communication": {"activities": len(g.comms), "byAudience": reach(g.comms),
                                   "organisationsReached": orgs(g.comms)},
                  "training": {"sessions": len(g.trainings), "byAudience": reach(g.trainings),
                               "organisationsReached": orgs(g.trainings)}},
        "establishments": len(g.establishments),
        "serviceProviders": len(g.providers),
        "inspections": {"total": len(g.inspections), "findingsByCode": dict(sorted(insp_codes.items())),
                        "bySanctionStatus": dict(sorted(sanctions.items()))},
        "commitments": {"total": len(g.commitments), "byStatus": dict(sorted(commit.items()))},
        "commands": {"total": len(cmds),
                     "byPayload": payload_counts(cmds)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(HERE / "data"), help="output folder (created if missing)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    g = Demo()
    g.village_list = VILLAGES
    g.make_people()
    g.staff_village = lambda pid: next(s["village"] for s in g.staff if s["id"] == pid)
    build_story(g)
    cmds = finalize(g)
    write_csvs(g, out)
    write_people(g, out)
    (out / "events.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n" for c in cmds), encoding="utf-8")
    (out / "expected.json").write_text(json.dumps(expected(g, cmds), ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    print(f"{len(g.households)} households, {len(g.children)} children, {len(cmds)} commands "
          f"({len(g.activities)} work activities, {len(g.cases)} cases) -> {out}")


if __name__ == "__main__":
    main()
