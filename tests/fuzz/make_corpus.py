#!/usr/bin/env python3
"""Writes the text seeds of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*).

The binary seeds (capnp messages, journal segments, registry stores) come from the C++
generator tests/fuzz/make_corpus.cc (target treem_fuzz_make_corpus); docs/fuzzing.md.

    python3 tests/fuzz/make_corpus.py [--shared ../shared]

Seeds are small valid inputs taken from the library's data files (data/), the demo commune
(examples/demo/data/, written by python3 examples/demo/generate_demo.py) and the official unit lists (shared/data/admin-units/, skipped when
absent), plus a few edge cases. Only files named seed-* are rewritten; inputs that fuzzing
added (named by their hash) are left alone.
"""
import argparse
import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
SEP = b"\n%%treem%%\n"  # fuzz_util.h kFileSeparator
DEMO = ROOT / "examples" / "demo" / "data"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / f"seed-{name}").write_bytes(data)


def head(path, lines, skip_comments=False):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if skip_comments and line.startswith("#"):
                continue
            out.append(line)
            if len(out) >= lines:
                break
    return "".join(out)


def data(rel):
    return (ROOT / "data" / rel).read_bytes()


def survey_csv():
    hh = head(DEMO / "households.csv", 6)
    ch = head(DEMO / "children.csv", 8)
    keys = {l.split(",")[0] for l in hh.splitlines()[1:]}
    ch = "".join(l for i, l in enumerate(ch.splitlines(True)) if i == 0 or l.split(",")[1] in keys)
    write("survey_csv", "demo", hh.encode() + SEP + ch.encode())
    write("survey_csv", "households-only", hh)
    write("survey_csv", "children-only", SEP + ch.encode())
    # Vietnamese headers, BOM, CRLF, quoted fields with commas and line breaks, year-only and
    # d/m/y dates, special groups, a bad row.
    write("survey_csv", "vietnamese-headers",
          "\ufeffMã hộ,Mã xã,Thôn,Phân loại hộ,Chuẩn nghèo,Năm rà soát,Khu vực,Làng nghề\r\n"
          "H1,15928,T01,hộ nghèo,07/2021,2024,nông thôn,có\r\n"
          "H2,15928,\"T02, xóm \"\"Đông\"\"\",cận nghèo,07/2021,2024,nông thôn,không\r\n".encode()
          + SEP +
          "Mã trẻ,Mã hộ,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Số CCCD,Tình trạng đi học,Lớp,"
          "Hoàn cảnh đặc biệt,Quan hệ với chủ hộ\r\n"
          "C1,H1,\"Nguyễn Văn\nA\",nam,2012,Kinh,038212345678,đang đi học,6,\"k.1; TE-d.2\",con\r\n"
          "C2,H2,Lê Thị B,nữ,7/3/2010,H'Mông,,bỏ học,,a,cháu\r\n"
          "C3,H9,Trần C,x,31/02/2011,Klingon,12,?,99,z,?\r\n".encode())
    write("survey_csv", "empty-lines", "household_key\n\n,,\n" .encode() + SEP + b"child_key\n")


def rules_csv():
    # byte 0 % 4: 0 ParseCsv+CsvHeader, 1 RuleSet::Parse, 2 RiskScreen::Parse, 3 LoadCodeListCsv
    write("rules_csv", "codes-parse", b"\x00" + data("rules/codes/special.csv"))
    write("rules_csv", "quoted", b"\x00" + b'code,name_vi\r\n"a,b","c""d"\r\n"multi\nline",x\n')
    for name in ["vn-lc2019", "vn-lc2012", "ilo-sdg871"]:
        write("rules_csv", f"ruleset-{name}", b"\x01" + data(f"rules/{name}.csv"))
    write("rules_csv", "risk-screen", b"\x02" + data("rules/risk-screen-rd9.csv"))
    write("rules_csv", "codelist", b"\x03" + data("rules/codes/tt09-a2.csv"))
    write("rules_csv", "codelist-user",
          "\x03code,name_vi,name_en,source,confidence\nTT09-A2-99,Nghề mới,New job,user file,U\n")


def case_rules_csv():
    # byte 0 % 3: 0 ForEachSimpleCsvRow, 1 DeadlineRules::FromCsv, 2 OpeningPolicy::FromCsv
    write("case_rules_csv", "simple", b"\x00# comment\n a , b ,c\n\nd,e,f\n")
    write("case_rules_csv", "deadlines", b"\x01" + data("cases/deadlines.csv"))
    write("case_rules_csv", "opening-policy", b"\x02" + data("cases/opening_policy.csv"))


def core_text():
    # byte 0 % 3: 0 WorkingCalendar::FromCsv, 1 ParseDate, 2 ParseUuid
    cal = data("calendar/vn-public-holidays.csv")
    write("core_text", "calendar", b"\x00" + cal)
    lines = cal.decode().splitlines(True)
    body = [l for l in lines if not l.startswith("#")]
    write("core_text", "calendar-one-year", b"\x00" + "".join(body[:12]).encode())
    for i, d in enumerate(["2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2024-1-5"]):
        write("core_text", f"date-{i}", b"\x01" + d.encode())
    for i, u in enumerate(["2b895099-d924-575c-b12c-9f72586ca424",
                           "2B895099-D924-575C-B12C-9F72586CA424",
                           "2b895099d924575cb12c9f72586ca424"]):
        write("core_text", f"uuid-{i}", b"\x02" + u.encode())


def indicators_csv():
    # byte 0 % 2: 0 ParsePlanCsv, 1 ParseDefinitionsCsv
    write("indicators_csv", "plan-hoang-duc", b"\x00" + data("plans/hoang-duc-2023.csv"))
    write("indicators_csv", "plan-qd782", b"\x00" + data("plans/qd-782-2021.csv"))
    write("indicators_csv", "definitions", b"\x01" + data("indicators/indicators.csv"))


def admin_units(shared):
    d = shared / "data" / "admin-units"
    if not d.is_dir():
        print(f"note: {d} not found, admin_units seeds skipped")
        return
    before = (d / "units-before-2025-07-01.csv").read_text(encoding="utf-8").splitlines(True)
    conv = (d / "conversion-2025-07-01.csv").read_text(encoding="utf-8").splitlines(True)
    communes = json.loads((d / "communes-from-2025-07-01.json").read_text(encoding="utf-8"))
    # One district (Hoằng Hóa, 399) before the reform, its rows of the conversion table and the
    # new communes they lead to.
    b = [before[0]] + [l for l in before[1:] if ",399," in l]
    c = conv[:2] + [l for l in conv if l.startswith("THANH HÓA") or "Huyện Hoằng Hóa (399)" in l]
    new_codes = set()
    for l in c[2:]:
        parts = l.split(",")
        if len(parts) > 2 and parts[2].strip().isdigit():
            new_codes.add(int(parts[2]))
    j = [x for x in communes if x.get("code") in new_codes]
    js = json.dumps(j, ensure_ascii=False, indent=1)
    write("admin_units", "hoang-hoa", "".join(b).encode() + SEP + "".join(c).encode() + SEP +
          js.encode())
    write("admin_units", "before-only", "".join(b[:6]))
    write("admin_units", "json-only", SEP + SEP + json.dumps(j[:2], ensure_ascii=False).encode())


def registry_apply():
    # JSON lines: one command per line (fuzz target registry_apply_fuzz.cc), so later lines can
    # use the records of earlier ones. Built from the demo's people and events, in their order.
    people = [json.loads(l) for l in open(DEMO / "people.jsonl", encoding="utf-8")]
    events = [json.loads(l) for l in open(DEMO / "events.jsonl", encoding="utf-8")]
    everything = people + events

    def kind(c):
        k = next(iter(c["payload"]))
        if k == "caseCommand":
            k += "." + next(iter(c["payload"][k]["body"]))
        return k

    def line(c):
        return json.dumps(c, ensure_ascii=False, separators=(",", ":"))

    def uuids(text):
        toks = text.replace('"', " ").replace(",", " ").replace(":", " ").split()
        return {t for t in toks if len(t) == 36 and t.count("-") == 4}

    # The command that creates each record id (upserts, records, openCase by caseId).
    defines = {}
    for i, c in enumerate(everything):
        body = next(iter(c["payload"].values()))
        if not isinstance(body, dict):
            continue
        if kind(c) == "caseCommand.openCase":
            rid = body.get("caseId")
        else:
            rid = body.get("id")
        if rid and rid not in defines:
            defines[rid] = i

    def with_prerequisites(i, limit=40):
        need, frontier = {i}, {i}
        for _ in range(4):
            refs = set()
            for j in frontier:
                refs |= uuids(line(everything[j]))
            new = {defines[r] for r in refs if r in defines and defines[r] < i} - need
            # case steps: the earlier steps of the same case
            need |= new
            frontier = new
        c = everything[i]
        if kind(c).startswith("caseCommand."):
            case_id = c["payload"]["caseCommand"].get("caseId")
            need |= {j for j in range(len(people), i)
                     if kind(everything[j]).startswith("caseCommand.")
                     and everything[j]["payload"]["caseCommand"].get("caseId") == case_id}
        chosen = sorted(need)
        if len(chosen) > limit:
            chosen = chosen[-limit:]
        # A household names its member persons, a person its household: households go first
        # without members (no commandId), then the rest, then the households as they are.
        first, rest, last = [], [], []
        for j in chosen:
            c = everything[j]
            if kind(c) == "upsertHousehold" and c["payload"]["upsertHousehold"].get("members"):
                bare = json.loads(line(c))
                bare.pop("commandId", None)
                bare["payload"]["upsertHousehold"]["members"] = []
                first.append(line(bare))
                last.append(line(c))
            else:
                rest.append(line(c))
        target = rest.pop() if rest and chosen[-1] == i else None
        lines = first + rest + last + ([target] if target else [])
        return "\n".join(lines) + "\n"

    write("registry_apply", "demo-start", "\n".join(line(c) for c in people[:12]) + "\n")
    seen = set()
    for i in range(len(people), len(everything)):
        k = kind(everything[i])
        if k in seen:
            continue
        seen.add(k)
        write("registry_apply", k.replace(".", "-"), with_prerequisites(i))
    # A batch line, a loose batch line, refusals.
    write("registry_apply", "batch",
          "batch " + json.dumps({"commands": people[0:3]}, ensure_ascii=False) + "\n" +
          "loose " + json.dumps({"commands": [people[3], {"payload": {"none": None}}]},
                                ensure_ascii=False) + "\n")
    write("registry_apply", "refusals",
          '{"actor":{"userId":"a","role":"analyst","unitCode":"15928"},"source":"api",'
          '"payload":{"deleteRecord":{"kind":"person","id":"2b895099-d924-575c-b12c-9f72586ca424",'
          '"reason":"x"}}}\n{"payload":{"none":null}}\n{}\n[1,2]\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    survey_csv()
    rules_csv()
    case_rules_csv()
    core_text()
    indicators_csv()
    admin_units(pathlib.Path(args.shared))
    registry_apply()
    total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
    print(f"corpus: {total} bytes in {CORPUS}")


if __name__ == "__main__":
    main()
