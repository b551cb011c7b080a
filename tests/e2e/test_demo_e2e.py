"""End to end: the demo commune's year through the C commune tool and through Python gives
the same indicator values, and the figures match values computed here independently from the
generated files (not with the library)."""

import csv
import datetime
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

SHARED = pathlib.Path(os.environ.get("TREEM_SHARED_DIR", ROOT.parent / "shared"))
UNITS = SHARED / "data" / "admin-units"
TOOL = os.environ.get("TREEM_COMMUNE_TOOL")

pytestmark = pytest.mark.skipif(not (UNITS / "units-before-2025-07-01.csv").exists(),
                                reason=f"shared/ data absent: {UNITS}")


def age_on(birth, day):
    """Completed years (Civil Code: 29 February births age on 28 February)."""
    years = day.year - birth.year
    month, dom = birth.month, birth.day
    if month == 2 and dom == 29 and not (day.year % 4 == 0 and (day.year % 100 or
                                                              day.year % 400 == 0)):
        dom = 28
    if (day.month, day.day) < (month, dom):
        years -= 1
    return years


@pytest.fixture(scope="module")
def python_run(tmp_path_factory):
    import walkthrough
    out = tmp_path_factory.mktemp("py")
    report = walkthrough.run(out, SHARED)
    return out, report


@pytest.fixture(scope="module")
def c_run(tmp_path_factory, python_run):
    if not TOOL or not pathlib.Path(TOOL).exists():
        pytest.skip("TREEM_COMMUNE_TOOL not set (run through ctest)")
    out = tmp_path_factory.mktemp("c")
    data = python_run[0] / "data"   # the same generated files
    store = out / "store"

    def tool(*args):
        subprocess.run([TOOL, "--quiet", "--units", str(UNITS), *args], check=True)
    tool("init", str(store), "--scope", "15928,15865")
    tool("--unit", "15928", "import", str(store), str(data / "households.csv"),
         str(data / "children.csv"), "--commune", "15928")
    tool("apply", str(store), str(data / "events.jsonl"))
    tool("--unit", "15928", "report", str(store), "--from", "2024-01-01", "--to", "2024-12-31",
         "--json", str(out / "report.json"), "--html", str(out / "report.html"))
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


def cells(report):
    """(indicator, unit, by-keys) -> (numerator, denominator) for every value of a report."""
    out = {}
    for v in report["values"]:
        d = v["disaggregation"]
        by = tuple(sorted(k for k in d if k.startswith("by") and d[k]))
        key = (v["indicatorId"], v["unitCode"], by,
               tuple(d[k[2].lower() + k[3:]] for k in by))
        out[key] = (int(v.get("numerator", 0)), int(v.get("denominator", 0)))
    return out


def test_c_tool_and_python_give_the_same_values(python_run, c_run):
    py, c = cells(python_run[1]), cells(c_run[1])
    assert len(py) > 50
    assert py == c


def test_population_matches_the_generated_lists(python_run):
    data = python_run[0] / "data"
    ref = datetime.date(2024, 12, 31)
    expected = {}
    with open(data / "children.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            birth = datetime.date.fromisoformat(row["birth_date"])
            a = age_on(birth, ref)
            if 5 <= a <= 17:
                band = "age5to11" if a <= 11 else "age12to14" if a <= 14 else "age15to17"
                expected[(row["sex"], band)] = expected.get((row["sex"], band), 0) + 1
    got = {}
    for v in python_run[1]["values"]:
        d = v["disaggregation"]
        if (v["indicatorId"] == "P1" and v["unitCode"] == "15928" and d["bySex"]
                and d["byStatBand"] and not d["byEthnicity"]):
            got[(d["sex"], d["statBand"])] = int(v["denominator"])
    assert got == expected
    assert sum(expected.values()) > 900


def test_child_labour_numerator_matches_an_independent_count(python_run):
    """P1 numerator: children aged 5-17 at the period's end with a 2024 activity that is
    child labour under the law, judged here from the activity facts for the clear-cut cases
    the generator designs (checked against the generator's intended outcome)."""
    data = python_run[0] / "data"
    births = {}
    for line in open(data / "people.jsonl", encoding="utf-8"):
        p = json.loads(line)["payload"].get("upsertPerson")
        if p:
            births[p["id"]] = datetime.date.fromisoformat(p["birthDate"]["date"])
    expected = json.loads((data / "expected.json").read_text(encoding="utf-8"))
    intended = {k: v["legal"] for k, v in expected["workActivityOutcomes"].items()}
    ref = datetime.date(2024, 12, 31)
    children = set()
    for line in open(data / "events.jsonl", encoding="utf-8"):
        a = json.loads(line)["payload"].get("recordWorkActivity")
        if not a:
            continue
        day = a.get("observedOn") or a.get("referenceWeekStart") or ""
        if not day.startswith("2024"):
            continue
        outcome = intended.get(a["id"])
        assert outcome is not None, "every generated activity has a designed outcome"
        if outcome in ("childLabour", "hazardousChildLabour", "worstForm"):
            if 5 <= age_on(births[a["childId"]], ref) <= 17:
                children.add(a["childId"])
    p1 = next(v for v in python_run[1]["values"]
              if v["indicatorId"] == "P1" and v["unitCode"] == "15928"
              and not any(v["disaggregation"][k] for k in v["disaggregation"]
                          if k.startswith("by")))
    assert int(p1["numerator"]) == len(children)
    assert int(p1["denominator"]) == sum(
        expected["children5to17At2024_12_31"]["total"][b]
        for b in ("age5to11", "age12to14", "age15to17"))


def test_html_report_is_self_contained(c_run):
    html = (c_run[0] / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "P1" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in html
